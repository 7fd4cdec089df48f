import { Body, Controller, Delete, Get, Header, Headers, HttpCode, Param, Post, Query, UseGuards, UseInterceptors } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiExtraModels,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiSecurity,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import { bearerTokenOf } from '../sessions/access-token.guard.js';
import { assertNoStepUpFields, StepUpService } from './step-up.service.js';
import { StepUpReceiptResponse } from './dto/step-up-receipt.response.js';
import { BotChecked } from '../captcha/captcha.guard.js';
import { OptionalApiKeyGuard } from '../clients/api-key.guard.js';
import { apiKeySchemeOf, RequiresScope } from '../clients/requires-scope.decorator.js';
import { type Caller, CurrentCaller } from '../clients/caller.decorator.js';
import { RateLimited } from '../throttling/app-throttler.guard.js';
import { IdempotencyInterceptor } from './idempotency.interceptor.js';
import { SendOtpDto } from './dto/send-otp.dto.js';
import { VerificationIdParam } from '../otp/dto/verification-id.param.js';
import { VerifyOtpDto } from './dto/verify-otp.dto.js';
import { VerificationService } from '../otp/verification.service.js';
import { LoginService } from './login.service.js';
import { ApiProblems, RATE_LIMIT_HEADERS } from '../openapi/problem-details.schema.js';
import { SendOtpResponse } from './dto/send-otp.response.js';
import { VerificationResponse } from '../otp/dto/verification.response.js';
import { VerifyOtpResponse } from './dto/verify-otp.response.js';
import { ChannelsQuery } from './dto/channels.query.js';
import { ChannelsResponse } from './dto/channels.response.js';

const END_USER_IP_HEADER = {
  name: 'X-End-User-IP',
  required: false,
  description: 'With a valid X-API-Key only: the end user\'s IP address, counted by the per-IP limits and recorded on the session.',
  schema: { type: 'string', example: '203.0.113.7' },
} as const;

const CAPTCHA_TOKEN_HEADER = {
  name: 'X-Captcha-Token',
  required: false,
  description:
    'Instead of `captchaToken` in the body: the bot-check widget\'s token (Turnstile, hCaptcha or reCAPTCHA v3, per CAPTCHA_PROVIDER). Anonymous callers only; used once.',
  schema: { type: 'string', maxLength: 4096 },
} as const;

@ApiTags('otp')
@Controller('v1/otp')
@UseGuards(OptionalApiKeyGuard)
@RequiresScope('login', { documented: false })
export class LoginController {
  constructor(
    private readonly login: LoginService,
    private readonly stepUp: StepUpService,
    private readonly verifications: VerificationService,
  ) {}

  @ApiOperation({
    summary: 'Send a code by SMS, WhatsApp or a voice call',
    description:
      'Starts a verification, or resends to the phone\'s open one (same `verificationId`, same failed attempts, a new code). Public, or an internal service with X-API-Key acting for an end user. With `purpose: "step_up"` and the person\'s Bearer access token: a step-up code to the session\'s own phone, its text naming `action`, `amount` and `payee` ("Code 123456 to pay EUR 50.00 to ACME").',
  })
  @ApiSecurity({})
  @ApiSecurity(apiKeySchemeOf('login'))
  @ApiSecurity('bearer')
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description:
      'The same key and body get the first answer again (with `Idempotent-Replayed: true`) and no second SMS; the same key with another body is 422 `idempotency_conflict`. Kept 24 h, per API-key client.',
    schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,255}$', example: '8d0c6f2e-5b1a-4c8e-9a57-0b4f3f1d2c11' },
  })
  @ApiHeader(END_USER_IP_HEADER)
  @ApiHeader(CAPTCHA_TOKEN_HEADER)
  @ApiBody({ type: SendOtpDto })
  @ApiAcceptedResponse({
    type: SendOtpResponse,
    description: 'The code is on its way.',
    headers: {
      ...RATE_LIMIT_HEADERS,
      'Idempotent-Replayed': { description: '`true` when this is the stored answer to an earlier request with the same Idempotency-Key.', schema: { type: 'string', enum: ['true'] } },
    },
  })
  @ApiProblems(
    [
      'validation_failed',
      'invalid_phone',
      'captcha_required',
      'unauthorized',
      'captcha_failed',
      'forbidden',
      'user_banned',
      'country_not_allowed',
      'idempotency_in_flight',
      'payload_too_large',
      'unsupported_media_type',
      'number_type_not_allowed',
      'channel_unavailable',
      'idempotency_conflict',
      'resend_too_soon',
      'rate_limited',
      'max_attempts_reached',
      'provider_unavailable',
      'store_unavailable',
      'captcha_unavailable',
    ],
    { rateLimited: true },
  )
  @Post('send')
  @HttpCode(202)
  @BotChecked('send')
  @RateLimited('send')
  @UseInterceptors(IdempotencyInterceptor)
  @Header('Cache-Control', 'no-store')
  async send(@Body() body: SendOtpDto, @Headers('authorization') authorization?: string) {
    if (body.purpose === 'step_up') return SendOtpResponse.of(await this.stepUp.send(bearerTokenOf(authorization), body));
    assertNoStepUpFields(body);
    return SendOtpResponse.of(await this.login.send(body));
  }

  @ApiOperation({
    summary: 'Verify a code and sign in',
    description:
      'Checks the code of a verification (by `verificationId`, or by `phone` for its open one). The right code opens a session and returns its token pair; a wrong one costs an attempt. With `purpose: "step_up"` and the Bearer access token of the session that sent the code: no session is opened; the answer is a signed step-up receipt. A code sent for a login is not found as a step-up, and the other way round.',
  })
  @ApiSecurity({})
  @ApiSecurity(apiKeySchemeOf('login'))
  @ApiSecurity('bearer')
  @ApiHeader(END_USER_IP_HEADER)
  @ApiHeader(CAPTCHA_TOKEN_HEADER)
  @ApiExtraModels(VerifyOtpDto, VerifyOtpResponse, StepUpReceiptResponse)
  @ApiBody({
    schema: { $ref: getSchemaPath(VerifyOtpDto) },
    examples: {
      byVerificationId: { summary: 'By verification id', value: { verificationId: 'Hk3q9VdQxJ2mT0aZ8bW1cE5fG7hK4nPpRrSsTt', code: '482913' } },
      byPhone: { summary: 'By phone', value: { phone: '+919876543210', code: '482913' } },
      national: { summary: 'National number with its country', value: { phone: '98765 43210', country: 'IN', code: '482913' } },
      stepUp: { summary: 'Step-up (with the Bearer token of the session that sent it)', value: { purpose: 'step_up', verificationId: 'Hk3q9VdQxJ2mT0aZ8bW1cE5fG7hK4nPpRrSsTt', code: '482913' } },
    },
  })
  @ApiOkResponse({
    schema: { oneOf: [{ $ref: getSchemaPath(VerifyOtpResponse) }, { $ref: getSchemaPath(StepUpReceiptResponse) }] },
    description: 'Approved: a login\'s session tokens, or a step-up\'s receipt (`Cache-Control: no-store`).',
    headers: RATE_LIMIT_HEADERS,
  })
  @ApiProblems(
    [
      'validation_failed',
      'invalid_phone',
      'invalid_code',
      'captcha_required',
      'unauthorized',
      'captcha_failed',
      'forbidden',
      'user_banned',
      'verification_not_found',
      'verification_expired',
      'payload_too_large',
      'unsupported_media_type',
      'max_attempts_reached',
      'rate_limited',
      'provider_unavailable',
      'store_unavailable',
      'captcha_unavailable',
    ],
    { rateLimited: true },
  )
  @Post('verify')
  @HttpCode(200)
  @BotChecked('verify')
  @RateLimited('verify')
  @Header('Cache-Control', 'no-store')
  async verify(@Body() body: VerifyOtpDto, @CurrentCaller() caller: Caller, @Headers('authorization') authorization?: string) {
    if (body.purpose === 'step_up') return StepUpReceiptResponse.of(await this.stepUp.verify(bearerTokenOf(authorization), body));
    return VerifyOtpResponse.of(await this.login.verify(body, caller));
  }

  @ApiOperation({
    summary: 'Channels on offer',
    description: 'The channels a send may name for numbers of a country, in the order `auto` tries them: what a frontend may show ("Send by WhatsApp", "Call me instead").',
  })
  @ApiSecurity({})
  @ApiSecurity(apiKeySchemeOf('login'))
  @ApiOkResponse({ type: ChannelsResponse })
  @ApiProblems(['validation_failed', 'unauthorized', 'forbidden'])
  @Get('channels')
  @Header('Cache-Control', 'public, max-age=60')
  channels(@Query() query: ChannelsQuery) {
    const country = query.country?.toUpperCase();
    return ChannelsResponse.of(country, this.login.channelsFor(country));
  }

  @ApiOperation({ summary: 'Read a verification', description: 'Readable for its TTL once more after it expires.' })
  @ApiSecurity({})
  @ApiSecurity(apiKeySchemeOf('login'))
  @ApiOkResponse({ type: VerificationResponse })
  @ApiProblems(['validation_failed', 'unauthorized', 'forbidden', 'verification_not_found', 'store_unavailable'])
  @Get('verifications/:id')
  @Header('Cache-Control', 'no-store')
  async status(@Param() params: VerificationIdParam) {
    return VerificationResponse.of(await this.verifications.status(params.id));
  }

  @ApiOperation({ summary: 'Cancel a verification', description: 'Cancels an open verification; answers as GET does. The resend cooldown stays.' })
  @ApiSecurity({})
  @ApiSecurity(apiKeySchemeOf('login'))
  @ApiOkResponse({ type: VerificationResponse })
  @ApiProblems(['validation_failed', 'unauthorized', 'forbidden', 'verification_not_found', 'store_unavailable'])
  @Delete('verifications/:id')
  @Header('Cache-Control', 'no-store')
  async cancel(@Param() params: VerificationIdParam) {
    return VerificationResponse.of(await this.verifications.cancel(params.id));
  }
}
