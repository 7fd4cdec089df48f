import type { Channel } from './sms-provider.js';

export interface OutboxMessage {
  /** E.164. */
  to: string;
  /** What would have carried it: an SMS, a WhatsApp message, or a call speaking `text`. */
  channel: Channel;
  text: string;
  verificationId: string;
  sentAt: string;
}

/**
 * What the development-only outbox provider "sent", newest first, a bounded number per phone,
 * kept for a limited time.
 */
export abstract class OutboxRepository {
  static readonly KEEP_PER_PHONE = 20;
  static readonly KEEP_SECONDS = 3600;

  abstract append(message: OutboxMessage): Promise<void>;
  abstract list(to: string): Promise<OutboxMessage[]>;
}
