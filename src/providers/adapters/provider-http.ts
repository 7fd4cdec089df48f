import { ProviderError } from '../sms-provider.js';

export interface ProviderAnswer {
  status: number;
  headers: Headers;
  /** The raw body. */
  text: string;
  /** The body as JSON; undefined when empty or not JSON. */
  json: unknown;
}

export interface ProviderPost {
  provider: string;
  /** Named in errors: `send`, `verify`. */
  operation: string;
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  /** The caller's abort (routing's timeout policy). */
  signal?: AbortSignal;
}

/**
 * One POST to a provider's HTTP API under `timeoutMs` and the caller's signal, for the adapters
 * that speak HTTP themselves. Redirects are not followed (they would carry the code elsewhere).
 * Any answer is returned for the adapter to judge; a fetch that throws becomes a transient
 * ProviderError (our timeout, the caller's abort, or a network failure).
 */
export async function postToProvider(request: ProviderPost): Promise<ProviderAnswer> {
  const { provider, operation, timeoutMs, signal } = request;
  const timeout = AbortSignal.timeout(timeoutMs);
  try {
    const response = await fetch(request.url, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
      redirect: 'manual',
      signal: signal ? AbortSignal.any([timeout, signal]) : timeout,
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, json: parseJson(text) };
  } catch (error) {
    // fetch's own error names the URL and the socket error, never the body, so it may stay the cause.
    const detail = timeout.aborted ? `no answer within ${timeoutMs} ms` : signal?.aborted ? 'aborted by the caller' : 'network failure';
    throw new ProviderError(provider, `${operation}: ${detail}`, { transient: true, cause: error });
  }
}

function parseJson(text: string): unknown {
  try {
    return text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}
