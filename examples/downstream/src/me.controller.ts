import { Controller, Get, Header, Req, UseGuards } from '@nestjs/common';
import { PhoneAuthGuard, type PhoneAuthClaims } from './phone-auth.guard.js';

@Controller('me')
export class MeController {
  @Get()
  @Header('Cache-Control', 'no-store')
  @UseGuards(PhoneAuthGuard)
  me(@Req() request: { user: PhoneAuthClaims }) {
    return { sub: request.user.sub, phone_number: request.user.phone_number };
  }
}
