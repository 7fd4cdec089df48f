import {
  EmptyResponseError,
  GenericError,
  RequestFailedError,
  ResponseJSONParseError,
  type SinchClientParameters,
} from '@sinch/verification';
import { ProviderError } from '../sms-provider.js';

// Shared by both Sinch adapters: @sinch/verification and @sinch/sms re-export the same
// @sinch/sdk-client, with the same plugins and error classes.

type SinchRequestPlugin = NonNullable<SinchClientParameters['requestPlugins']>[number];

/** node-fetch 2 (inside the SDK) honours a per-request `timeout`; the SDK sets none. */
export function sinchTimeoutPlugin(timeoutMs: number): SinchRequestPlugin {
  return {
    getName: () => 'Timeout',
    load: () => ({ transform: (options) => Object.assign(options, { timeout: timeoutMs }) }),
  };
}

/**
 * Runs one SDK call under `timeoutMs` and the caller's signal, mapping every failure to
 * ProviderError. The race also bounds what the request plugin cannot: the SDK's OAuth2 token
 * fetch runs without our plugins, hence without a timeout.
 */
export async function callSinch<T>(
  provider: string,
  operation: string,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  call: () => Promise<T>,
): Promise<T> {
  const deadline = AbortSignal.any(signal ? [AbortSignal.timeout(timeoutMs), signal] : [AbortSignal.timeout(timeoutMs)]);
  const expired = () =>
    new ProviderError(provider, signal?.aborted ? `${operation}: aborted by the caller` : `${operation}: no answer within ${timeoutMs} ms`, {
      transient: true,
    });
  if (deadline.aborted) throw expired();
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(expired());
    deadline.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([call(), aborted]);
  } catch (error) {
    throw sinchError(provider, operation, error);
  } finally {
    deadline.removeEventListener('abort', onAbort!);
  }
}

/**
 * Maps what the Sinch SDK throws (see sdk-client api-errors) to ProviderError. The message holds
 * the status and Sinch's error code, never the body's text, which may echo the phone number;
 * `cause` is the SDK error only for HTTP-less failures, for the same reason.
 */
export function sinchError(provider: string, operation: string, error: unknown): ProviderError {
  if (error instanceof ProviderError) return error;
  if (error instanceof ResponseJSONParseError && error.statusCode >= 200 && error.statusCode < 300) {
    return new ProviderError(provider, `${operation}: unreadable answer (HTTP ${error.statusCode})`, {
      transient: false,
      status: error.statusCode,
    });
  }
  if (error instanceof RequestFailedError) {
    const status = error.statusCode;
    const code = sinchErrorCode(error.data);
    const transient = status === 429 || status >= 500 || status === 0;
    return new ProviderError(provider, `${operation} failed with HTTP ${status}${code ? ` (Sinch error ${code})` : ''}`, {
      transient,
      status: status || undefined,
    });
  }
  if (error instanceof EmptyResponseError || error instanceof GenericError) {
    const detail = /ECONNREFUSED/.test(error.message)
      ? 'connection refused'
      : /timeout/i.test(error.message)
        ? 'timed out'
        : 'network failure';
    return new ProviderError(provider, `${operation}: ${detail}`, { transient: true, cause: error });
  }
  // Plain Errors: the SDK's configuration checks, or a token answer without access_token.
  return new ProviderError(provider, `${operation}: unexpected SDK failure`, { transient: false, cause: error });
}

/** Verification bodies carry `errorCode` (40001), SMS bodies `code` ("syntax_invalid_parameter_format"). */
export function sinchErrorCode(data: unknown): string | undefined {
  let body: unknown = data;
  if (typeof data === 'string') {
    try {
      body = JSON.parse(data);
    } catch {
      return undefined;
    }
  }
  if (typeof body !== 'object' || body === null) return undefined;
  const record = body as Record<string, unknown>;
  const code = record.errorCode ?? record.code ?? record.error;
  return (typeof code === 'string' || typeof code === 'number') && /^[A-Za-z0-9_.-]{1,64}$/.test(String(code))
    ? String(code)
    : undefined;
}
