import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { DomainError } from '../common/errors/domain.error.js';
import { Clock } from '../common/time/clock.js';
import { type DeadLetter, DeliveryQueue } from './delivery-queue.js';
import { eventsConfig } from './events.config.js';

/** Operators' view of the deliveries given up after EVENT_RETRY_HOURS: list them, send one again. */
@Injectable()
export class DeadLetters {
  constructor(
    private readonly queue: DeliveryQueue,
    private readonly clock: Clock,
    @Inject(eventsConfig.KEY) private readonly config: ConfigType<typeof eventsConfig>,
  ) {}

  /** Newest first; `before` is the id of the last one of the previous page. */
  list(limit: number, before?: string): Promise<DeadLetter[]> {
    return this.queue.listDeadLetters(limit, before);
  }

  /** Puts the dead letter back on the retry schedule, due now, with a new retry window; `not_found` if it is not (or no longer) there. */
  async replay(id: string): Promise<void> {
    const now = this.clock.nowMs();
    if (!(await this.queue.replay(id, now, now + this.config.retryWindowMs))) throw new DomainError('not_found', 'No such dead letter.');
  }
}
