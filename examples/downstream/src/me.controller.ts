import { Controller, Get, Header, UseGuards } from '@nestjs/common';
import type { AccessTokenClaims } from '@phone-auth/verify';
import { CurrentUser, PhoneAuthGuard } from '@phone-auth/verify/nest';

@Controller('me')
export class MeController {
  @Get()
  @Header('Cache-Control', 'no-store')
  @UseGuards(PhoneAuthGuard)
  me(@CurrentUser() user: AccessTokenClaims) {
    return { sub: user.sub, phone_number: user.phone_number };
  }
}
