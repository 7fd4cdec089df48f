import { type Channel, CHANNELS } from '../../common/channel.js';
import { ApiProperty } from '@nestjs/swagger';
import { maskPhone } from '../../common/phone/phone-number.js';
import { EXAMPLE_VERIFICATION_ID } from '../../openapi/examples.js';
import type { VerificationView } from '../verification.service.js';
import { DELIVERY_STATUSES, type DeliveryStatus, VERIFICATION_STATUSES, type VerificationStatus } from '../verification.js';

/** What the providers' delivery receipts said of the verification's sends. */
export class DeliveryResponse {
  @ApiProperty({
    enum: DELIVERY_STATUSES,
    example: 'delivered',
    description: 'The latest delivery receipt: `unknown` until a provider reports one (or when it reported neither success nor failure).',
  })
  status!: DeliveryStatus;

  @ApiProperty({ type: 'string', nullable: true, example: 'sinch-sms', description: 'The provider whose receipt it was; null before any.' })
  provider!: string | null;

  @ApiProperty({ type: 'string', format: 'date-time', nullable: true, example: '2026-05-04T10:00:04.000Z', description: 'When the receipt arrived; null before any.' })
  at!: string | null;

  @ApiProperty({ example: false, description: 'A failure report made the service resend the code once through the next provider.' })
  autoResent!: boolean;
}

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

  @ApiProperty({ type: DeliveryResponse })
  delivery!: DeliveryResponse;

  static of({ verification, status, attemptsRemaining }: VerificationView): VerificationResponse {
    return Object.assign(new VerificationResponse(), {
      verificationId: verification.id,
      status,
      phone: maskPhone(verification.phone),
      channel: verification.channel,
      expiresAt: new Date(verification.expiresAtMs).toISOString(),
      attemptsRemaining,
      delivery: {
        status: verification.delivery?.status ?? 'unknown',
        provider: verification.delivery?.provider ?? null,
        at: verification.delivery ? new Date(verification.delivery.atMs).toISOString() : null,
        autoResent: verification.autoResent === true,
      },
    } satisfies VerificationResponse);
  }
}
