import { DynamicModule, Module } from '@nestjs/common';
import type { PhoneAuthOptions } from './phone-auth.guard.js';
import { PhoneAuthModule } from './phone-auth.module.js';
import { MeController } from './me.controller.js';
import { PaymentsController } from './payments.controller.js';
import { StepUpReceiptVerifier } from './step-up-receipt.verifier.js';

@Module({})
export class AppModule {
  // Options from the caller (main.ts reads the environment; tests point it at their phone-auth).
  static forRoot(options: PhoneAuthOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [PhoneAuthModule.forRoot(options)],
      controllers: [MeController, PaymentsController],
      providers: [StepUpReceiptVerifier],
    };
  }
}
