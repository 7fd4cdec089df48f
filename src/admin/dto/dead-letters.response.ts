import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { DeadLetter } from '../../events/delivery-queue.js';
import { EVENT_TYPES } from '../../events/event-types.js';

export class DeadLetterResponse {
  @ApiProperty({ example: 's3.h_1764676800000-0', description: 'What replay takes; the event shard and the dead letter\'s place in it.' })
  id!: string;

  @ApiProperty({ example: 'crm', description: 'The subscriber (its `name` in EVENT_WEBHOOKS, else the URL\'s host and path).' })
  subscriber!: string;

  @ApiProperty({ example: 'evt_3q2Xb5cQK1m8dJ0fT3aP4w', description: 'The event id: the `webhook-id` of every attempt.' })
  eventId!: string;

  @ApiProperty({ enum: EVENT_TYPES })
  type!: string;

  @ApiProperty({ format: 'date-time', description: 'When the event happened.' })
  occurredAt!: string;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The event\'s data, without `phone` (a replay sends it as recorded).' })
  data!: Record<string, unknown>;

  @ApiProperty({ type: 'integer', example: 14, description: 'Failed attempts.' })
  attempts!: number;

  @ApiProperty({ type: 'integer', example: 503, description: 'The last HTTP status, 0 when the subscriber did not answer.' })
  lastStatus!: number;

  @ApiProperty({ example: 'HTTP 503' })
  lastError!: string;

  @ApiProperty({ format: 'date-time', description: 'When delivery was given up.' })
  failedAt!: string;

  static of(letter: DeadLetter): DeadLetterResponse {
    const { phone: _phone, ...data } = letter.event.data;
    return Object.assign(new DeadLetterResponse(), {
      id: letter.id,
      subscriber: letter.subscriberId,
      eventId: letter.event.id,
      type: letter.event.type,
      occurredAt: new Date(letter.event.occurredAtMs).toISOString(),
      data,
      attempts: letter.attempts,
      lastStatus: letter.lastStatus,
      lastError: letter.lastError,
      failedAt: new Date(letter.failedAtMs).toISOString(),
    } satisfies DeadLetterResponse);
  }
}

export class DeadLettersResponse {
  @ApiProperty({ type: [DeadLetterResponse], description: 'Newest first.' })
  deadLetters!: DeadLetterResponse[];

  @ApiPropertyOptional({ example: 's3.h_1764676800000-0', description: 'Pass as `before` for the next page; absent on the last page.' })
  next?: string;

  static of(letters: DeadLetter[], limit: number): DeadLettersResponse {
    const page = Object.assign(new DeadLettersResponse(), { deadLetters: letters.map((letter) => DeadLetterResponse.of(letter)) });
    if (letters.length === limit) page.next = letters.at(-1)!.id;
    return page;
  }
}
