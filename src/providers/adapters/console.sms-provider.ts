import { Logger } from '@nestjs/common';
import { maskPhone } from '../../common/phone/phone-number.js';
import { CHANNELS, OtpDispatch, OtpMessage, SmsProvider } from '../sms-provider.js';

/**
 * Development only: "sends" by writing the code to the log, which is how a newcomer logs in
 * on a fresh clone. Production refuses to boot with it.
 */
export class ConsoleSmsProvider extends SmsProvider {
  readonly name = 'console';
  readonly ownsCodes = false;
  readonly channels = CHANNELS;
  private readonly logger = new Logger(ConsoleSmsProvider.name);

  async send(message: OtpMessage): Promise<OtpDispatch> {
    this.logger.warn(`[development only] ${message.channel} code for ${maskPhone(message.to)}: ${message.code}`);
    return {};
  }
}
