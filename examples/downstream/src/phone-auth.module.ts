import { DynamicModule, Module } from '@nestjs/common';
import {
  createPhoneAuthKeySet,
  PHONE_AUTH_KEY_SET,
  PHONE_AUTH_OPTIONS,
  PhoneAuthGuard,
  type PhoneAuthOptions,
} from './phone-auth.guard.js';

@Module({})
export class PhoneAuthModule {
  // Global, so @UseGuards(PhoneAuthGuard) works in any module and all of them share one key set.
  static forRoot(options: PhoneAuthOptions): DynamicModule {
    return {
      module: PhoneAuthModule,
      global: true,
      providers: [
        { provide: PHONE_AUTH_OPTIONS, useValue: options },
        { provide: PHONE_AUTH_KEY_SET, inject: [PHONE_AUTH_OPTIONS], useFactory: createPhoneAuthKeySet },
        PhoneAuthGuard,
      ],
      exports: [PHONE_AUTH_OPTIONS, PHONE_AUTH_KEY_SET, PhoneAuthGuard],
    };
  }
}
