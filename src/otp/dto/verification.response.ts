import { type Channel, CHANNELS } from '../../common/channel.js';
import { ApiProperty } from '@nestjs/swagger';
import { maskPhone } from '../../common/phone/phone-number.js';
import { EXAMPLE_VERIFICATION_ID } from '../../openapi/examples.js';
import type { VerificationView } from '../verification.service.js';
import { VERIFICATION_STATUSES, type VerificationStatus } from '../verification.js';

/** A verification as GET and DELETE answer it: the phone masked, no resend time. */
export class VerificationResponse {
  @ApiProperty({ example: EXAMPLE_VERIFICATION_ID })
  verificationId!: string;

  @ApiProperty({ enum: VERIFICATION_STATUSES, example: 'pending' })
  status!: VerificationStatus;

  @ApiProperty({ example: '+91******3210', description: 'Masked.' })
  phone!: string;

  @ApiProperty({ enum: CHANNELS, example: 'sms', description: 'The channel of the latest send.' })
  channel!: Channel;

  @ApiProperty({ format: 'date-time', example: '2026-05-04T10:05:00.000Z' })
  expiresAt!: string;

  @ApiProperty({ type: 'integer', example: 5 })
  attemptsRemaining!: number;

  static of({ verification, status, attemptsRemaining }: VerificationView): VerificationResponse {
    return Object.assign(new VerificationResponse(), {
      verificationId: verification.id,
      status,
      phone: maskPhone(verification.phone),
      channel: verification.channel,
      expiresAt: new Date(verification.expiresAtMs).toISOString(),
      attemptsRemaining,
    } satisfies VerificationResponse);
  }
}
