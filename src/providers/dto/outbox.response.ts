import { ApiProperty } from '@nestjs/swagger';
import type { OutboxMessage } from '../outbox.repository.js';
import { OutboxMessageResponse } from './outbox-message.response.js';

export class OutboxResponse {
  @ApiProperty({ example: '+919876543210' })
  phone!: string;

  @ApiProperty({ type: [OutboxMessageResponse], description: 'Newest first.' })
  messages!: OutboxMessageResponse[];

  static of(phone: string, messages: OutboxMessage[]): OutboxResponse {
    return Object.assign(new OutboxResponse(), {
      phone,
      messages: messages.map((message) => OutboxMessageResponse.of(message)),
    } satisfies OutboxResponse);
  }
}
