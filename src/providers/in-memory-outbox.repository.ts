import { OutboxMessage, OutboxRepository } from './outbox.repository.js';

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
