/** How a code reaches a person: a text message, a WhatsApp message, or a phone call that speaks it. */
export const CHANNELS = ['sms', 'whatsapp', 'voice'] as const;
export type Channel = (typeof CHANNELS)[number];
