import { Body, Controller, Delete, Get, Header, HttpCode, Param, Post, UseGuards, UseInterceptors } from '@nestjs/common';
import { OptionalApiKeyGuard } from '../clients/api-key.guard.js';
import { type Caller, CurrentCaller } from '../clients/caller.decorator.js';
import { maskPhone } from '../common/phone/phone-number.js';
import { RateLimited } from '../throttling/app-throttler.guard.js';
import { IdempotencyInterceptor } from './idempotency.interceptor.js';
import { SendOtpDto } from './dto/send-otp.dto.js';
import { VerificationIdParam } from './dto/verification-id.param.js';
import { VerifyOtpDto } from './dto/verify-otp.dto.js';
import { OtpService, VerificationView } from './otp.service.js';

@Controller('v1/otp')
@UseGuards(OptionalApiKeyGuard)
export class OtpController {
  constructor(private readonly otp: OtpService) {}

  @Post('send')
  @HttpCode(202)
  @RateLimited('send')
  @UseInterceptors(IdempotencyInterceptor)
  @Header('Cache-Control', 'no-store')
  async send(@Body() body: SendOtpDto) {
    const { verification, status, attemptsRemaining } = await this.otp.send(body);
    return {
      verificationId: verification.id,
      status,
      phone: verification.phone,
      channel: verification.channel,
      expiresAt: new Date(verification.expiresAtMs).toISOString(),
      resendAvailableAt: new Date(verification.resendAtMs).toISOString(),
      attemptsRemaining,
    };
  }

  @Post('verify')
  @HttpCode(200)
  @RateLimited('verify')
  @Header('Cache-Control', 'no-store')
  async verify(@Body() body: VerifyOtpDto, @CurrentCaller() caller: Caller) {
    const tokens = await this.otp.verify(body, caller);
    return { status: 'approved', ...tokens };
  }

  @Get('verifications/:id')
  @Header('Cache-Control', 'no-store')
  async status(@Param() params: VerificationIdParam) {
    return publicView(await this.otp.status(params.id));
  }

  @Delete('verifications/:id')
  @Header('Cache-Control', 'no-store')
  async cancel(@Param() params: VerificationIdParam) {
    return publicView(await this.otp.cancel(params.id));
  }
}

function publicView({ verification, status, attemptsRemaining }: VerificationView) {
  return {
    verificationId: verification.id,
    status,
    phone: maskPhone(verification.phone),
    channel: verification.channel,
    expiresAt: new Date(verification.expiresAtMs).toISOString(),
    attemptsRemaining,
  };
}
