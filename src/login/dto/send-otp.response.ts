import { ApiProperty } from '@nestjs/swagger';
import { EXAMPLE_VERIFICATION_ID } from '../../openapi/examples.js';
import type { VerificationView } from '../../otp/verification.service.js';
import { VERIFICATION_STATUSES, type VerificationStatus } from '../../otp/verification.js';
import { VERIFICATION_ID_PATTERN } from '../../otp/verification-id.js';

export class SendOtpResponse {
  @ApiProperty({ example: EXAMPLE_VERIFICATION_ID, pattern: VERIFICATION_ID_PATTERN.source, description: 'Kept by a resend to the same phone.' })
  verificationId!: string;

  @ApiProperty({ enum: VERIFICATION_STATUSES, example: 'pending' })
  status!: VerificationStatus;

  @ApiProperty({ example: '+919876543210', description: 'The number in E.164.' })
  phone!: string;

  @ApiProperty({ enum: ['sms'], example: 'sms' })
  channel!: 'sms';

  @ApiProperty({ format: 'date-time', example: '2026-05-04T10:05:00.000Z' })
  expiresAt!: string;

  @ApiProperty({ format: 'date-time', example: '2026-05-04T10:00:30.000Z', description: 'When a resend will be accepted.' })
  resendAvailableAt!: string;

  @ApiProperty({ type: 'integer', example: 5 })
  attemptsRemaining!: number;

  static of({ verification, status, attemptsRemaining }: VerificationView): SendOtpResponse {
    return Object.assign(new SendOtpResponse(), {
      verificationId: verification.id,
      status,
      phone: verification.phone,
      channel: verification.channel,
      expiresAt: new Date(verification.expiresAtMs).toISOString(),
      resendAvailableAt: new Date(verification.resendAtMs).toISOString(),
      attemptsRemaining,
    } satisfies SendOtpResponse);
  }
}
