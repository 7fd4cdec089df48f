import { ApiProperty } from '@nestjs/swagger';
import { EXAMPLE_VERIFICATION_ID } from '../../openapi/examples.js';
import type { OutboxMessage } from '../outbox.repository.js';
import { Channel, CHANNELS } from '../sms-provider.js';

export class OutboxMessageResponse {
  @ApiProperty({ example: '+919876543210' })
  to!: string;

  @ApiProperty({ enum: CHANNELS, example: 'sms', description: 'What would have carried the message: SMS, WhatsApp, or a call speaking the text.' })
  channel!: Channel;

  @ApiProperty({ example: 'Your phone-auth code is 482913. It expires in 5 minutes.\n\n@auth.example.com #482913' })
  text!: string;

  @ApiProperty({ example: EXAMPLE_VERIFICATION_ID })
  verificationId!: string;

  @ApiProperty({ format: 'date-time', example: '2026-05-04T10:00:00.000Z' })
  sentAt!: string;

  static of(message: OutboxMessage): OutboxMessageResponse {
    return Object.assign(new OutboxMessageResponse(), {
      to: message.to,
      // Messages stored before channels existed were SMS.
      channel: message.channel ?? 'sms',
      text: message.text,
      verificationId: message.verificationId,
      sentAt: message.sentAt,
    } satisfies OutboxMessageResponse);
  }
}
