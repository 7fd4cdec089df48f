import { RequestFailedError, VerificationService } from '@sinch/verification';
import { Channel, OtpDispatch, OtpMessage, ProviderCheck, ProviderError, ProviderVerdict, SmsProvider } from '../sms-provider.js';
import { callSinch, sinchErrorCode, sinchTimeoutPlugin } from './sinch-call.js';

export interface SinchVerificationSmsProviderOptions {
  applicationKey: string;
  /** Base64, as the Sinch dashboard shows it. */
  applicationSecret: string;
  /** `https://verification.api.sinch.com`; no trailing `/` (the SDK appends paths verbatim and signs them). */
  baseUrl: string;
  /** Deadline of one call, in milliseconds. */
  timeoutMs: number;
}

/** Sinch's name for the verification method of each channel (the `method` field on the wire). */
const SINCH_METHODS = { sms: 'sms', voice: 'callout', whatsapp: 'whatsapp' } as const satisfies Record<Channel, string>;

interface SinchReport {
  status?: string;
  reason?: string;
}

/**
 * Sinch Verification API: Sinch generates the code, delivers it (an SMS, a phone call that speaks
 * it, or a WhatsApp message) and checks what the person typed (`ownsCodes`). Our `code` and
 * `text` are ignored.
 */
export class SinchVerificationSmsProvider extends SmsProvider {
  readonly name = 'sinch-verification';
  readonly ownsCodes = true;
  readonly channels: readonly Channel[] = ['sms', 'voice', 'whatsapp'];
  private readonly sinch: VerificationService;

  constructor(private readonly options: SinchVerificationSmsProviderOptions) {
    super();
    this.sinch = new VerificationService({
      applicationKey: options.applicationKey,
      applicationSecret: options.applicationSecret,
      verificationHostname: options.baseUrl.replace(/\/+$/, ''),
      requestPlugins: [sinchTimeoutPlugin(options.timeoutMs)],
      logger: null,
    });
  }

  async send(message: OtpMessage, signal?: AbortSignal): Promise<OtpDispatch> {
    const operation = `start ${SINCH_METHODS[message.channel]} verification`;
    const response = await callSinch(this.name, operation, this.options.timeoutMs, signal, () => this.start(message));
    if (typeof response.id !== 'string' || response.id.length === 0) {
      throw new ProviderError(this.name, `${operation}: the answer has no verification id`, { transient: false });
    }
    return { providerRef: response.id };
  }

  override async check(request: ProviderCheck, signal?: AbortSignal): Promise<ProviderVerdict> {
    const operation = `report ${SINCH_METHODS[request.channel]} code`;
    const report = await callSinch(this.name, operation, this.options.timeoutMs, signal, () =>
      this.report(request).catch((error: unknown) => {
        // Sinch answers a wrong code with 200 + FAIL, and an unknown (or purged) verification
        // id with 404 + errorCode 404xx: a verdict on this code (null here), not a provider failure.
        if (error instanceof RequestFailedError && error.statusCode === 404 && /^404\d\d$/.test(sinchErrorCode(error.data) ?? '')) {
          return null;
        }
        throw error;
      }),
    );
    return report === null ? 'rejected' : this.verdict(operation, report);
  }

  private start(message: OtpMessage): Promise<{ id?: string }> {
    const base = { identity: { type: 'number' as const, endpoint: message.to }, reference: message.verificationId };
    switch (message.channel) {
      case 'sms':
        return this.sinch.verifications.startSms({
          startVerificationWithSmsRequestBody: {
            ...base,
            smsOptions: { expiry: toHms(message.ttlSeconds), codeType: 'Numeric', ...(message.locale ? { locale: message.locale } : {}) },
          },
        });
      case 'voice': {
        // Callouts take no expiry; Sinch keeps its own (our TTL still bounds the verification).
        const locale = speechLocale(message.locale);
        return this.sinch.verifications.startPhoneCall({
          startVerificationWithPhoneCallRequestBody: { ...base, ...(locale ? { phoneCallOptions: { speech: { locale } } } : {}) },
        });
      }
      case 'whatsapp':
        // No expiry and, in SDK 1.4.0, no Accept-Language: the app's default WhatsApp language applies.
        return this.sinch.verifications.startWhatsApp({
          startVerificationWithWhatsAppRequestBody: { ...base, whatsappOptions: { codeType: 'Numeric' } },
        });
    }
  }

  private report({ channel, providerRef: id, code }: ProviderCheck): Promise<SinchReport> {
    switch (channel) {
      case 'sms':
        return this.sinch.verifications.reportSmsById({ id, reportSmsVerificationByIdRequestBody: { sms: { code } } });
      case 'voice':
        // The SDK sends `{ callout: { code }, method: 'callout' }`.
        return this.sinch.verifications.reportPhoneCallById({ id, reportPhoneCallVerificationByIdRequestBody: { phoneCall: { code } } });
      case 'whatsapp':
        return this.sinch.verifications.reportWhatsAppById({ id, reportWhatsAppVerificationByIdRequestBody: { whatsapp: { code } } });
    }
  }

  private verdict(operation: string, report: SinchReport): ProviderVerdict {
    switch (report.status) {
      case 'SUCCESSFUL':
        return 'approved';
      case 'FAIL':
      case 'DENIED':
      case 'ABORTED':
        return report.reason === 'Expired' ? 'expired' : 'rejected';
      case 'PENDING':
        // The report did not complete the verification: the code was not accepted.
        return 'rejected';
      case 'ERROR':
        throw new ProviderError(this.name, `${operation}: Sinch answered status ERROR${safeReason(report.reason)}`, { transient: true });
      default:
        throw new ProviderError(this.name, `${operation}: the answer has no known status`, { transient: false });
    }
  }
}

function safeReason(reason: unknown): string {
  return typeof reason === 'string' && /^[A-Za-z ]{1,64}$/.test(reason) ? ` (${reason})` : '';
}

/**
 * Sinch's speech locale is a `language-region` identifier (en-US); a bare language (`hi`) or a
 * longer tag is left out, so Sinch speaks its default rather than refusing the call.
 */
function speechLocale(locale: string | undefined): string | undefined {
  const match = locale ? /^([A-Za-z]{2,3})-([A-Za-z]{2})$/.exec(locale) : null;
  return match ? `${match[1].toLowerCase()}-${match[2].toUpperCase()}` : undefined;
}

/** Sinch's `expiry` is a duration `HH:MM:SS`. */
function toHms(totalSeconds: number): string {
  const seconds = Math.max(0, Math.floor(totalSeconds));
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(Math.floor(seconds / 3600))}:${pad(Math.floor((seconds % 3600) / 60))}:${pad(seconds % 60)}`;
}
