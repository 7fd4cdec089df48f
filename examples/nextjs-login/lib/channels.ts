// The channels phone-auth sends codes by, as this app speaks of them. Plain data and strings:
// imported by the server actions and by the login form in the browser alike.

export const CHANNELS = ['sms', 'whatsapp', 'voice'] as const;
export type Channel = (typeof CHANNELS)[number];
/** What a send may ask for: one channel, or `auto` (phone-auth's CHANNEL_ORDER for the number's country). */
export type ChannelChoice = Channel | 'auto';

const NAMES: Record<Channel, string> = { sms: 'SMS', whatsapp: 'WhatsApp', voice: 'a phone call' };

/** The button that resends a new code by another channel. */
export const SWITCH_LABELS: Record<Channel, string> = {
  sms: 'Send by SMS instead',
  whatsapp: 'Send by WhatsApp instead',
  voice: 'Call me instead',
};

export const isChannel = (value: unknown): value is Channel => (CHANNELS as readonly unknown[]).includes(value);

/** The channels of an answer that this app knows, in their order. */
export const knownChannels = (value: unknown): Channel[] => (Array.isArray(value) ? value.filter(isChannel) : []);

/** A form's `channel` field: a channel, or `auto` for anything else. */
export const choiceFrom = (value: unknown): ChannelChoice => (isChannel(value) ? value : 'auto');

/** "SMS", "SMS or a phone call", "WhatsApp, SMS or a phone call". */
function either(channels: Channel[]): string {
  const names = channels.map((channel) => NAMES[channel]);
  return names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
}

/** What the person is told after a send: which channel carries the code. */
export function sentNotice(channel: Channel, phone: string): string {
  return channel === 'voice' ? `We are calling ${phone}: the call reads out the code.` : `We sent a code by ${NAMES[channel]} to ${phone}.`;
}

/** phone-auth's `channel_unavailable`, with the channels the number may use instead. */
export function channelUnavailableMessage(requested: ChannelChoice, offered: Channel[]): string {
  const how = isChannel(requested) ? ` by ${NAMES[requested]}` : '';
  if (offered.length === 0) return `Codes can't be sent to this number${how}.`;
  if (offered.length === 1) return `Codes can't be sent to this number${how}, only by ${either(offered)}.`;
  return `Codes can't be sent to this number${how}. You can choose ${either(offered)} instead.`;
}
