import { Global, Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { otpConfig } from '../config/otp.config.js';
import { PhoneTagger } from './phone/phone-tagger.js';
import { Clock, SystemClock } from './time/clock.js';

@Global()
@Module({
  providers: [
    { provide: Clock, useClass: SystemClock },
    {
      provide: PhoneTagger,
      inject: [otpConfig.KEY],
      useFactory: (otp: ConfigType<typeof otpConfig>) => new PhoneTagger(otp.hmacSecret),
    },
  ],
  exports: [Clock, PhoneTagger],
})
export class CommonModule {}
