import { type Channel, CHANNELS } from '../../common/channel.js';
import { ApiProperty } from '@nestjs/swagger';
import { EXAMPLE_VERIFICATION_ID } from '../../openapi/examples.js';
import type { SentCode } from '../login.service.js';
import { VERIFICATION_STATUSES, type VerificationStatus } from '../../otp/verification.js';
import { VERIFICATION_ID_PATTERN } from '../../otp/verification-id.js';

export class SendOtpResponse {
  @ApiProperty({ example: EXAMPLE_VERIFICATION_ID, pattern: VERIFICATION_ID_PATTERN.source, description: 'Kept by a resend to the same phone.' })
  verificationId!: string;

  @ApiProperty({ enum: VERIFICATION_STATUSES, example: 'pending' })
  status!: VerificationStatus;

  @ApiProperty({ example: '+919876543210', description: 'The number in E.164.' })
  phone!: string;

  @ApiProperty({ enum: CHANNELS, example: 'sms', description: 'The channel that carried the code (with `auto`, the first of the order that worked).' })
  channel!: Channel;

  @ApiProperty({
    type: 'array',
    items: { type: 'string', enum: [...CHANNELS] },
    example: ['whatsapp', 'sms', 'voice'],
    description: 'The channels this number may use, in its country\'s order: a resend may name another ("call me instead").',
  })
  channels!: Channel[];

  @ApiProperty({ format: 'date-time', example: '2026-05-04T10:05:00.000Z' })
  expiresAt!: string;

  @ApiProperty({ format: 'date-time', example: '2026-05-04T10:00:30.000Z', description: 'When a resend will be accepted.' })
  resendAvailableAt!: string;

  @ApiProperty({ type: 'integer', example: 5 })
  attemptsRemaining!: number;

  static of({ view: { verification, status, attemptsRemaining }, channels }: SentCode): SendOtpResponse {
    return Object.assign(new SendOtpResponse(), {
      verificationId: verification.id,
      status,
      phone: verification.phone,
      channel: verification.channel,
      channels,
      expiresAt: new Date(verification.expiresAtMs).toISOString(),
      resendAvailableAt: new Date(verification.resendAtMs).toISOString(),
      attemptsRemaining,
    } satisfies SendOtpResponse);
  }
}
