import { ApiProperty } from '@nestjs/swagger';
import { EXAMPLE_VERIFICATION_ID } from '../../openapi/examples.js';
import type { OutboxMessage } from '../outbox.repository.js';

export class OutboxMessageResponse {
  @ApiProperty({ example: '+919876543210' })
  to!: string;

  @ApiProperty({ example: 'Your phone-auth code is 482913. It expires in 5 minutes.\n\n@auth.example.com #482913' })
  text!: string;

  @ApiProperty({ example: EXAMPLE_VERIFICATION_ID })
  verificationId!: string;

  @ApiProperty({ format: 'date-time', example: '2026-05-04T10:00:00.000Z' })
  sentAt!: string;

  static of(message: OutboxMessage): OutboxMessageResponse {
    return Object.assign(new OutboxMessageResponse(), {
      to: message.to,
      text: message.text,
      verificationId: message.verificationId,
      sentAt: message.sentAt,
    } satisfies OutboxMessageResponse);
  }
}
