import { ApiProperty } from '@nestjs/swagger';
import type { StepUpReceipt } from '../../sessions/step-up-receipt.service.js';

/** A step-up's answer: no session, a signed receipt of the fresh proof. */
export class StepUpReceiptResponse {
  @ApiProperty({ enum: ['approved'], example: 'approved' })
  status!: 'approved';

  @ApiProperty({ enum: ['step_up'], example: 'step_up' })
  purpose!: 'step_up';

  @ApiProperty({
    example: 'eyJhbGciOiJFUzI1NiIsImtpZCI6Ii4uLiIsInR5cCI6InN0ZXAtdXArand0In0.eyJ...',
    description:
      'A JWT signed with the service\'s key (the JWKS), header `typ: step-up+jwt`; claims `iss`, `aud` (as access tokens), `sub`, `sid`, `auth_time` (the step-up), `amr`, `jti`, `iat`, `exp`, and `action`, `amount` ({ currency, value }), `payee` when the send carried them. Check typ, iss, aud, exp, that the action/amount/payee are what you are about to do, and that its `jti` was not used before.',
  })
  receipt!: string;

  @ApiProperty({ example: 300, description: 'Seconds until the receipt expires (STEP_UP_RECEIPT_TTL_SECONDS).' })
  expiresIn!: number;

  @ApiProperty({ example: '5d1c0c4e-2f7a-4a51-9a0b-7f1d3c2b1a90', description: 'The receipt\'s `jti`: a downstream accepts each once.' })
  receiptId!: string;

  static of({ receipt, expiresIn, claims }: StepUpReceipt): StepUpReceiptResponse {
    return Object.assign(new StepUpReceiptResponse(), { status: 'approved', purpose: 'step_up', receipt, expiresIn, receiptId: claims.jti } satisfies StepUpReceiptResponse);
  }
}
