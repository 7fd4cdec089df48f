import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** Compares two secrets in constant time, whatever their lengths (their digests are compared). */
export function sameSecret(presented: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(presented), digest(expected));
}

export interface SinchReceiptAuth {
  /** The `token` query parameter of the callback URL. */
  token?: string;
  /** `user:password` of HTTP Basic auth. */
  basicAuth?: string;
}

/**
 * Whether a Sinch delivery report presents one of the configured secrets: the callback URL's
 * `?token=`, or HTTP Basic auth. Either configured one suffices.
 */
export function sinchReceiptAuthorized(settings: SinchReceiptAuth, presented: { token?: unknown; authorization?: unknown }): boolean {
  const tokenOk = settings.token !== undefined && typeof presented.token === 'string' && sameSecret(presented.token, settings.token);
  const basic = typeof presented.authorization === 'string' ? /^Basic ([A-Za-z0-9+/=]{1,1024})$/i.exec(presented.authorization) : null;
  const basicOk =
    settings.basicAuth !== undefined && basic !== null && sameSecret(Buffer.from(basic[1]!, 'base64').toString('utf8'), settings.basicAuth);
  return tokenOk || basicOk;
}

/**
 * Meta's webhook signature: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body under
 * the app secret>`. The raw bytes, not re-serialised JSON: any change of spacing breaks it.
 */
export function hubSignatureValid(appSecret: string, rawBody: Buffer, header: unknown): boolean {
  const match = typeof header === 'string' ? /^sha256=([0-9a-fA-F]{64})$/.exec(header) : null;
  if (match === null) return false;
  const expected = createHmac('sha256', appSecret).update(rawBody).digest();
  return timingSafeEqual(Buffer.from(match[1]!, 'hex'), expected);
}
