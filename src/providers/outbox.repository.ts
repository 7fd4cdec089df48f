export interface OutboxMessage {
  /** E.164. */
  to: string;
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

export class InMemoryOutboxRepository extends OutboxRepository {
  private readonly messages = new Map<string, OutboxMessage[]>();

  async append(message: OutboxMessage): Promise<void> {
    const list = [message, ...(this.messages.get(message.to) ?? [])];
    this.messages.set(message.to, list.slice(0, OutboxRepository.KEEP_PER_PHONE));
  }

  async list(to: string): Promise<OutboxMessage[]> {
    return [...(this.messages.get(to) ?? [])];
  }
}
