import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { bearer, json, login, type LoggedIn, postJson, startTestApp, type TestApp } from './e2e-kit.js';
import { freePort } from './redis-server.js';

// The interop suites drive phone-auth through third-party client libraries over real HTTP, as a
// user's service would: the app listens on 127.0.0.1 and PUBLIC_URL (the issuer) names that port.

export const INTEROP_CLIENT = { id: 'billing', secret: 'pak_billing_key_for_the_interop_suites_0123456789' };

export interface ListeningPhoneAuth {
  t: TestApp;
  publicUrl: string;
}

export async function startListeningPhoneAuth(settings: Record<string, string> = {}): Promise<ListeningPhoneAuth> {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const sha256 = createHash('sha256').update(INTEROP_CLIENT.secret).digest('hex');
  const t = await startTestApp({ PUBLIC_URL: publicUrl, API_KEYS: `${INTEROP_CLIENT.id}:${sha256}:introspect`, ...settings });
  await t.app.listen(port, '127.0.0.1');
  expect((t.app.getHttpServer().address() as AddressInfo).port).toBe(port);
  return { t, publicUrl };
}

/**
 * A real login, and a step-up receipt of its session: a JWT signed by the same key, with the same
 * `iss` and `aud`, but `typ: step-up+jwt`. Only a `typ` check tells it from an access token.
 */
export async function loginWithReceipt(t: TestApp): Promise<{ session: LoggedIn; receipt: string }> {
  const session = await login(t);
  const payment = { purpose: 'step_up', action: 'payment', amount: { currency: 'EUR', value: '50.00' }, payee: 'ACME' };
  const sent = await postJson(t, '/v1/otp/send', payment, bearer(session.accessToken));
  expect(sent.statusCode).toBe(202);
  const verified = await postJson(t, '/v1/otp/verify', { purpose: 'step_up', verificationId: json(sent).verificationId, code: t.codes.last }, bearer(session.accessToken));
  expect(verified.statusCode).toBe(200);
  return { session, receipt: json(verified).receipt as string };
}
