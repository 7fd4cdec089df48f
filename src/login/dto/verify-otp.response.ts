import { ApiProperty } from '@nestjs/swagger';
import { TokenPairResponse } from '../../sessions/dto/token-pair.response.js';
import type { TokenPair } from '../../sessions/session.service.js';

export class VerifyOtpResponse extends TokenPairResponse {
  @ApiProperty({ enum: ['approved'], example: 'approved' })
  status!: 'approved';

  static override of(tokens: TokenPair): VerifyOtpResponse {
    // Built without the constructor, which would define the inherited members first:
    // the answer has always led with `status`.
    const response = Object.create(VerifyOtpResponse.prototype) as VerifyOtpResponse;
    return Object.assign(response, { status: 'approved', ...TokenPairResponse.of(tokens) } satisfies VerifyOtpResponse);
  }
}
