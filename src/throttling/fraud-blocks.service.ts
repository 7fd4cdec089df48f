import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/errors/domain.error.js';
import { Clock } from '../common/time/clock.js';
import { FraudRepository, PrefixBlock } from './fraud.repository.js';

/** What operators see and do about blocked prefixes. */
@Injectable()
export class FraudBlocks {
  constructor(
    private readonly repository: FraudRepository,
    private readonly clock: Clock,
  ) {}

  list(): Promise<PrefixBlock[]> {
    return this.repository.listedBlocks(this.clock.nowMs());
  }

  /** Throws not_found when the prefix is not blocked. */
  async lift(prefix: string): Promise<void> {
    if (!(await this.repository.liftBlock(prefix, this.clock.nowMs()))) {
      throw new DomainError('not_found', 'This prefix is not blocked.');
    }
  }
}
