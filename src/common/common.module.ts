import { Global, Module } from '@nestjs/common';
import { PhoneTagger } from './phone/phone-tagger.js';
import { KeyDerivation } from './secrets/key-derivation.js';
import { Clock, SystemClock } from './time/clock.js';

@Global()
@Module({
  providers: [{ provide: Clock, useClass: SystemClock }, KeyDerivation, PhoneTagger],
  exports: [Clock, KeyDerivation, PhoneTagger],
})
export class CommonModule {}
