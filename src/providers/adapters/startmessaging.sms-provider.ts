import { OtpDispatch, OtpMessage, ProviderCheck, ProviderError, ProviderVerdict, SmsProvider } from '../sms-provider.js';
import { postToProvider } from './provider-http.js';

export interface StartMessagingSmsProviderOptions {
  /** `sm_live_…`. */
  apiKey: string;
  /** `https://api.startmessaging.com`; no trailing `/`. */
  baseUrl: string;
  /** Deadline of one call, in milliseconds. */
  timeoutMs: number;
}

interface HttpAnswer {
  status: number;
  headers: Headers;
  /** Parsed JSON, or undefined when the body is empty or not JSON. */
  body: unknown;
}

/**
 * StartMessaging's OTP API: it generates the code, sends it and checks it (`ownsCodes`).
 * No SDK exists; this is its documented HTTP contract (`/otp/send`, `/otp/verify`).
 */
export class StartMessagingSmsProvider extends SmsProvider {
  readonly name = 'startmessaging';
  readonly ownsCodes = true;
  readonly channels = ['sms'] as const;
  private readonly baseUrl: string;

  constructor(private readonly options: StartMessagingSmsProviderOptions) {
    super();
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
  }

  async send(message: OtpMessage, signal?: AbortSignal): Promise<OtpDispatch> {
    const answer = await this.post('send', '/otp/send', { phoneNumber: message.to, idempotencyKey: message.idempotencyKey }, signal);
    if (answer.status < 200 || answer.status >= 300) throw this.httpError('send', answer);
    // Two envelopes are documented: { data: { requestId } } and { requestId: <trace id>, data: { otpRequestId } }.
    // The top-level requestId of the second is a trace id, never the OTP's.
    const data = field(answer.body, 'data');
    const id = field(data, 'requestId') ?? field(data, 'otpRequestId');
    if (typeof id !== 'string' || id.length === 0) {
      throw new ProviderError(this.name, `send: the answer (HTTP ${answer.status}) has no OTP request id`, {
        transient: false,
        status: answer.status,
      });
    }
    return { providerRef: id };
  }

  override async check(request: ProviderCheck, signal?: AbortSignal): Promise<ProviderVerdict> {
    const answer = await this.post('verify', '/otp/verify', { requestId: request.providerRef, otpCode: request.code }, signal);
    if (answer.status >= 200 && answer.status < 300) {
      const verified = field(field(answer.body, 'data'), 'verified');
      if (verified === true) return 'approved';
      if (verified === false) return saysExpired(answer.body) ? 'expired' : 'rejected';
      throw new ProviderError(this.name, `verify: the answer (HTTP ${answer.status}) has no verdict`, {
        transient: false,
        status: answer.status,
      });
    }
    // Whether a wrong or expired code is a 200 { verified: false } or a 4xx is undocumented. A
    // 400/404/410 whose text names the code's state is a verdict: "expired" (or a bare 410 Gone)
    // is 'expired'; an invalid/incorrect code, an unknown OTP request or exhausted attempts is
    // 'rejected'. Any other 4xx (a malformed request, a bad key) stays an error, so a
    // misconfiguration is not silently turned into "wrong code".
    if (answer.status === 400 || answer.status === 404 || answer.status === 410) {
      if (saysExpired(answer.body) || (answer.status === 410 && !saysRejected(answer.body))) return 'expired';
      if (saysRejected(answer.body)) return 'rejected';
    }
    throw this.httpError('verify', answer);
  }

  private async post(operation: string, path: string, body: unknown, signal?: AbortSignal): Promise<HttpAnswer> {
    const answer = await postToProvider({
      provider: this.name,
      operation,
      url: `${this.baseUrl}${path}`,
      headers: { 'X-API-Key': this.options.apiKey, 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(body),
      timeoutMs: this.options.timeoutMs,
      signal,
    });
    return { status: answer.status, headers: answer.headers, body: answer.json };
  }

  private httpError(operation: string, answer: HttpAnswer): ProviderError {
    const { status } = answer;
    const transient = status === 429 || status >= 500;
    const retryAfter = status === 429 ? answer.headers.get('retry-after') : null;
    const code = errorCode(answer.body);
    return new ProviderError(
      this.name,
      `${operation} failed with HTTP ${status}${code ? ` (${code})` : ''}${retryAfter && /^\d{1,6}$/.test(retryAfter) ? `, retry after ${retryAfter} s` : ''}`,
      { transient, status },
    );
  }
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

/** The short texts an error or verdict body may carry (`message`, `error`, `reason`, `status`, `code`, nested in `error`/`data`). */
function statusTexts(body: unknown): string {
  const texts: unknown[] = [];
  for (const holder of [body, field(body, 'error'), field(body, 'data')]) {
    if (typeof holder === 'string') texts.push(holder);
    for (const key of ['message', 'error', 'reason', 'status', 'code', 'errorCode']) texts.push(field(holder, key));
  }
  return texts.filter((text): text is string => typeof text === 'string').join(' ').toLowerCase();
}

function saysExpired(body: unknown): boolean {
  return /expire/.test(statusTexts(body));
}

function saysRejected(body: unknown): boolean {
  return /((invalid|incorrect|wrong)[ _-]*(otp|code))|((otp|code).*(invalid|incorrect|mismatch|does not match))|not[ _-]?found|already (used|verified)|attempts/.test(
    statusTexts(body),
  );
}

/** A machine-readable error code, if the body has a short one; never free text, which may echo the number. */
function errorCode(body: unknown): string | undefined {
  for (const holder of [body, field(body, 'error')]) {
    for (const key of ['code', 'errorCode', 'error']) {
      const value = field(holder, key);
      if ((typeof value === 'string' || typeof value === 'number') && /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/.test(String(value))) {
        return String(value);
      }
    }
  }
  return undefined;
}
