import { DynamicModule, Module } from '@nestjs/common';
import { PhoneAuthModule, type PhoneAuthModuleOptions } from '@phone-auth/verify/nest';
import { MeController } from './me.controller.js';
import { PaymentsController } from './payments.controller.js';

@Module({})
export class AppModule {
  // Options from the caller (main.ts reads the environment; tests point it at their phone-auth).
  static forRoot(options: PhoneAuthModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [PhoneAuthModule.forRoot(options)],
      controllers: [MeController, PaymentsController],
    };
  }
}
