import { BadRequestException, Body, Controller, Headers, HttpCode, Post, UseGuards } from '@nestjs/common';
import type { AccessTokenClaims } from '@phone-auth/verify';
import { CurrentUser, PhoneAuthGuard, PhoneAuthStepUp } from '@phone-auth/verify/nest';

interface PaymentRequest {
  amount?: { currency?: unknown; value?: unknown };
  payee?: unknown;
}

/**
 * A payment that needs a fresh proof of possession (PSD2 dynamic linking): the access token says
 * who is asking, the step-up receipt (header `X-Step-Up-Receipt`) that this person just typed a
 * code that named this amount and payee. A receipt works once.
 */
@Controller('payments')
export class PaymentsController {
  constructor(private readonly receipts: PhoneAuthStepUp) {}

  @Post()
  @HttpCode(201)
  @UseGuards(PhoneAuthGuard)
  async pay(@CurrentUser() user: AccessTokenClaims, @Body() body: PaymentRequest, @Headers('x-step-up-receipt') receipt?: string) {
    const { amount, payee } = body ?? {};
    if (typeof amount?.currency !== 'string' || typeof amount.value !== 'string' || typeof payee !== 'string') {
      throw new BadRequestException('Send { amount: { currency, value }, payee }.');
    }
    const expected = { currency: amount.currency, value: amount.value };
    const claims = await this.receipts.verify(receipt, { sub: user.sub, action: 'payment', amount: expected, payee });
    return { status: 'paid', amount: expected, payee, receiptId: claims.jti };
  }
}
