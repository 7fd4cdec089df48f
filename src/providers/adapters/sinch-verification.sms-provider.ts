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

/**
 * Sinch Verification API: Sinch generates the code, sends the SMS and checks what the person
 * typed (`ownsCodes`). Our `code` and `text` are ignored.
 */
export class SinchVerificationSmsProvider extends SmsProvider {
  readonly name = 'sinch-verification';
  readonly ownsCodes = true;
  readonly channels: readonly Channel[] = ['sms'];
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
    const response = await callSinch(this.name, 'start verification', this.options.timeoutMs, signal, () =>
      this.sinch.verifications.startSms({
        startVerificationWithSmsRequestBody: {
          identity: { type: 'number', endpoint: message.to },
          reference: message.verificationId,
          smsOptions: {
            expiry: toHms(message.ttlSeconds),
            codeType: 'Numeric',
            ...(message.locale ? { locale: message.locale } : {}),
          },
        },
      }),
    );
    if (typeof response.id !== 'string' || response.id.length === 0) {
      throw new ProviderError(this.name, 'start verification: the answer has no verification id', { transient: false });
    }
    return { providerRef: response.id };
  }

  override async check(request: ProviderCheck, signal?: AbortSignal): Promise<ProviderVerdict> {
    const report = await callSinch(this.name, 'report code', this.options.timeoutMs, signal, () =>
      this.sinch.verifications
        .reportSmsById({ id: request.providerRef, reportSmsVerificationByIdRequestBody: { sms: { code: request.code } } })
        .catch((error: unknown) => {
          // Sinch answers a wrong code with 200 + FAIL, and an unknown (or purged) verification
          // id with 404 + errorCode 404xx: a verdict on this code (null here), not a provider failure.
          if (error instanceof RequestFailedError && error.statusCode === 404 && /^404\d\d$/.test(sinchErrorCode(error.data) ?? '')) {
            return null;
          }
          throw error;
        }),
    );
    if (report === null) return 'rejected';
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
        throw new ProviderError(this.name, `report code: Sinch answered status ERROR${safeReason(report.reason)}`, { transient: true });
      default:
        throw new ProviderError(this.name, 'report code: the answer has no known status', { transient: false });
    }
  }
}

function safeReason(reason: unknown): string {
  return typeof reason === 'string' && /^[A-Za-z ]{1,64}$/.test(reason) ? ` (${reason})` : '';
}

/** Sinch's `expiry` is a duration `HH:MM:SS`. */
function toHms(totalSeconds: number): string {
  const seconds = Math.max(0, Math.floor(totalSeconds));
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(Math.floor(seconds / 3600))}:${pad(Math.floor((seconds % 3600) / 60))}:${pad(seconds % 60)}`;
}
