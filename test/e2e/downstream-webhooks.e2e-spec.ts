import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { verifyWebhook, WebhookSignatureError } from '../../examples/downstream/src/webhook-signature.js';
import type { RecordedEvent } from '../../src/events/event-types.js';
import { WebhookSigner } from '../../src/events/webhook-signer.js';

// The downstream example's webhook check against phone-auth's signer and the standardwebhooks package.
const secret = `whsec_${randomBytes(32).toString('base64')}`;
const event: RecordedEvent = { id: 'evt_Zm9vYmFyYmF6cXV4cXV1eA', type: 'session.revoked', occurredAtMs: Date.now(), data: { sessionId: 'ses_1', userId: 'usr_1', reason: 'logout' } };

describe('verifyWebhook (examples/downstream)', () => {
  it('accepts what phone-auth signs, and returns the id, type, time and data', () => {
    const { headers, body } = WebhookSigner.sign(event, { secret, includePhone: false }, Date.now());
    expect(verifyWebhook(secret, body, headers)).toEqual({ id: event.id, type: 'session.revoked', timestamp: new Date(event.occurredAtMs).toISOString(), data: event.data });
  });

  it('accepts what the standardwebhooks package signs, among several signatures', () => {
    const body = JSON.stringify({ type: 'user.created', timestamp: new Date().toISOString(), data: { userId: 'usr_2' } });
    const timestamp = new Date();
    const signature = new Webhook(secret).sign('msg_1', timestamp, body);
    const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)), 'webhook-signature': `v1,c29tZXRoaW5nIGVsc2U= ${signature}` };
    expect(verifyWebhook(secret, Buffer.from(body), headers).data).toEqual({ userId: 'usr_2' });
  });

  it('refuses another secret, a changed body, a changed id and missing headers', () => {
    const { headers, body } = WebhookSigner.sign(event, { secret, includePhone: false }, Date.now());
    expect(() => verifyWebhook(`whsec_${randomBytes(32).toString('base64')}`, body, headers)).toThrow(WebhookSignatureError);
    expect(() => verifyWebhook(secret, body.replace('logout', 'admin'), headers)).toThrow('no valid webhook signature');
    expect(() => verifyWebhook(secret, body, { ...headers, 'webhook-id': 'evt_other' })).toThrow('no valid webhook signature');
    expect(() => verifyWebhook(secret, body, { 'webhook-id': event.id })).toThrow('missing webhook headers');
  });

  it('refuses a timestamp more than five minutes from now, either way', () => {
    const now = Date.now();
    const old = WebhookSigner.sign(event, { secret, includePhone: false }, now - 301_000);
    const future = WebhookSigner.sign(event, { secret, includePhone: false }, now + 301_000);
    const recent = WebhookSigner.sign(event, { secret, includePhone: false }, now - 299_000);
    expect(() => verifyWebhook(secret, old.body, old.headers, { nowSeconds: Math.floor(now / 1000) })).toThrow('webhook timestamp outside the tolerance');
    expect(() => verifyWebhook(secret, future.body, future.headers, { nowSeconds: Math.floor(now / 1000) })).toThrow('webhook timestamp outside the tolerance');
    expect(verifyWebhook(secret, recent.body, recent.headers, { nowSeconds: Math.floor(now / 1000) }).id).toBe(event.id);
    // The package agrees on the same requests.
    expect(() => new Webhook(secret).verify(old.body, old.headers)).toThrow();
  });
});
