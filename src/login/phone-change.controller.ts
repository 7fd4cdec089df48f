import { Body, Controller, Header, Headers, HttpCode, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type Caller, CurrentCaller } from '../clients/caller.decorator.js';
import { ApiProblems, RATE_LIMIT_HEADERS } from '../openapi/problem-details.schema.js';
import { bearerTokenOf } from '../sessions/access-token.guard.js';
import { TokenPairResponse } from '../sessions/dto/token-pair.response.js';
import { RateLimited } from '../throttling/app-throttler.guard.js';
import { PhoneChangeSendDto } from './dto/phone-change-send.dto.js';
import { PhoneChangeVerifyDto } from './dto/phone-change-verify.dto.js';
import { SendOtpResponse } from './dto/send-otp.response.js';
import { PhoneChangeService } from './phone-change.service.js';

@ApiTags('me')
@ApiBearerAuth('bearer')
@Controller('v1/me/phone')
export class PhoneChangeController {
  constructor(private readonly phoneChange: PhoneChangeService) {}

  @ApiOperation({
    summary: 'Send a code to a new number',
    description:
      'Bearer: the signed-in person asks to move to `phone`. A code goes to the new number under every send rule (limits, caps, cooldown, fraud rules, channels), bound to this session. Whether the number belongs to another account is not said here.',
  })
  @ApiAcceptedResponse({ type: SendOtpResponse, description: 'The code is on its way to the new number.', headers: RATE_LIMIT_HEADERS })
  @ApiProblems(
    [
      'validation_failed',
      'invalid_phone',
      'unauthorized',
      'country_not_allowed',
      'payload_too_large',
      'unsupported_media_type',
      'number_type_not_allowed',
      'channel_unavailable',
      'resend_too_soon',
      'rate_limited',
      'max_attempts_reached',
      'provider_unavailable',
      'store_unavailable',
    ],
    { rateLimited: true },
  )
  @Post('send')
  @HttpCode(202)
  @RateLimited('send')
  @Header('Cache-Control', 'no-store')
  async send(@Body() body: PhoneChangeSendDto, @Headers('authorization') authorization?: string) {
    return SendOtpResponse.of(await this.phoneChange.send(bearerTokenOf(authorization), body));
  }

  @ApiOperation({
    summary: 'Verify the new number and move to it',
    description:
      'Bearer of the session that sent the code. The user keeps their id and moves to the new number; the answer is a fresh token pair of a new session on it (the old refresh token stops working). The user\'s other sessions end (PHONE_CHANGE_ENDS_SESSIONS, default true) or are kept on the new number. A number another account holds is `409 phone_in_use`, and nothing changes.',
  })
  @ApiOkResponse({ type: TokenPairResponse, description: 'Moved: the new session\'s tokens (`Cache-Control: no-store`).', headers: RATE_LIMIT_HEADERS })
  @ApiProblems(
    [
      'validation_failed',
      'invalid_code',
      'unauthorized',
      'verification_not_found',
      'verification_expired',
      'phone_in_use',
      'payload_too_large',
      'unsupported_media_type',
      'max_attempts_reached',
      'rate_limited',
      'provider_unavailable',
      'store_unavailable',
    ],
    { rateLimited: true },
  )
  @Post('verify')
  @HttpCode(200)
  @RateLimited('verify')
  @Header('Cache-Control', 'no-store')
  async verify(@Body() body: PhoneChangeVerifyDto, @CurrentCaller() caller: Caller, @Headers('authorization') authorization?: string) {
    return TokenPairResponse.of(await this.phoneChange.verify(bearerTokenOf(authorization), body, caller));
  }
}
