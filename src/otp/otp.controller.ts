import { Body, Controller, Delete, Get, Header, HttpCode, Param, Post, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { maskPhone } from '../common/phone/phone-number.js';
import { SendOtpDto } from './dto/send-otp.dto.js';
import { VerificationIdParam } from './dto/verification-id.param.js';
import { VerifyOtpDto } from './dto/verify-otp.dto.js';
import { OtpService, VerificationView } from './otp.service.js';

@Controller('v1/otp')
export class OtpController {
  constructor(private readonly otp: OtpService) {}

  @Post('send')
  @HttpCode(202)
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
  @Header('Cache-Control', 'no-store')
  async verify(@Body() body: VerifyOtpDto, @Req() request: FastifyRequest) {
    const tokens = await this.otp.verify(body, { ip: request.ip, userAgent: request.headers['user-agent'] });
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
