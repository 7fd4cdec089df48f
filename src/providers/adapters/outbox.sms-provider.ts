import { OutboxRepository } from '../outbox.repository.js';
import { CHANNELS, OtpDispatch, OtpMessage, SmsProvider } from '../sms-provider.js';

/** Development and tests: records each message in the store, readable at GET /v1/dev/outbox. */
export class OutboxSmsProvider extends SmsProvider {
  readonly name = 'outbox';
  readonly ownsCodes = false;
  readonly channels = CHANNELS;

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly nowMs: () => number,
  ) {
    super();
  }

  async send(message: OtpMessage): Promise<OtpDispatch> {
    await this.outbox.append({
      to: message.to,
      channel: message.channel,
      text: message.text,
      verificationId: message.verificationId,
      sentAt: new Date(this.nowMs()).toISOString(),
    });
    return {};
  }
}
