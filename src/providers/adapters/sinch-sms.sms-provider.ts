import { SmsService } from '@sinch/sms';
import { OtpDispatch, OtpMessage, ProviderError, SmsProvider } from '../sms-provider.js';
import { callSinch, sinchTimeoutPlugin } from './sinch-call.js';

export interface SinchSmsProviderOptions {
  projectId: string;
  /** OAuth2 client id and secret of a project access key. */
  keyId: string;
  keySecret: string;
  /** SMS API host, e.g. `https://zt.eu.sms.api.sinch.com`; no trailing `/`. */
  baseUrl: string;
  /** OAuth2 host, e.g. `https://auth.sinch.com`; no trailing `/`. */
  authBaseUrl: string;
  /** Sender number or alphanumeric id; the account's default when absent. */
  from?: string;
  /** Deadline of one call (token fetch included), in milliseconds. */
  timeoutMs: number;
  /**
   * Where Sinch posts each recipient's delivery report (our receipts route, its secret inside);
   * unset: no reports are asked for (the service plan's own callback URL may still send them).
   */
  deliveryReportUrl?: string;
}

/** Sinch SMS API (batches): delivers our own text; we generate and check the code. */
export class SinchSmsProvider extends SmsProvider {
  readonly name = 'sinch-sms';
  readonly ownsCodes = false;
  readonly channels = ['sms'] as const;
  private readonly sinch: SmsService;

  constructor(private readonly options: SinchSmsProviderOptions) {
    super();
    this.sinch = new SmsService({
      projectId: options.projectId,
      keyId: options.keyId,
      keySecret: options.keySecret,
      smsHostname: options.baseUrl.replace(/\/+$/, ''),
      authHostname: options.authBaseUrl.replace(/\/+$/, ''),
      requestPlugins: [sinchTimeoutPlugin(options.timeoutMs)],
      logger: null,
    });
  }

  async send(message: OtpMessage, signal?: AbortSignal): Promise<OtpDispatch> {
    const batch = await callSinch(this.name, 'send batch', this.options.timeoutMs, signal, () =>
      this.sinch.batches.send({
        sendSMSRequestBody: {
          to: [message.to],
          ...(this.options.from ? { from: this.options.from } : {}),
          body: message.text,
          client_reference: message.verificationId,
          // per_recipient: one callback per number as its status becomes final (Delivered, Failed…).
          ...(this.options.deliveryReportUrl ? { delivery_report: 'per_recipient' as const, callback_url: this.options.deliveryReportUrl } : {}),
        },
      }),
    );
    if (typeof batch.id !== 'string' || batch.id.length === 0) {
      throw new ProviderError(this.name, 'send batch: the answer has no batch id', { transient: false });
    }
    return { providerRef: batch.id };
  }
}
