import { UserRepository } from './user.repository.js';

export class InMemoryUserRepository extends UserRepository {
  private readonly ids = new Map<string, string>();

  async findOrCreate(phone: string, newId: string): Promise<string> {
    const existing = this.ids.get(phone);
    if (existing !== undefined) return existing;
    this.ids.set(phone, newId);
    return newId;
  }
}
