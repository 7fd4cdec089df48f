import { Module } from '@nestjs/common';
import { OtpModule } from '../otp/otp.module.js';
import { ProvidersModule } from '../providers/providers.module.js';
import { DeliveryReceipts } from './delivery-receipts.service.js';
import { ReceiptsController } from './receipts.controller.js';

/** Delivery receipts from providers: recorded on verifications, and a failure's one automatic resend. */
@Module({
  imports: [OtpModule, ProvidersModule],
  controllers: [ReceiptsController],
  providers: [DeliveryReceipts],
})
export class ReceiptsModule {}
