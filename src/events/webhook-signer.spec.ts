import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import type { RecordedEvent } from './event-types.js';
import { WebhookSigner } from './webhook-signer.js';

const secret = `whsec_${randomBytes(32).toString('base64')}`;
const event: RecordedEvent = {
  id: 'evt_AAAAAAAAAAAAAAAAAAAAAA',
  type: 'user.created',
  occurredAtMs: Date.UTC(2026, 11, 2, 12, 0, 0, 123),
  data: { userId: 'usr_1', phone: '+919876543210', country: 'IN' },
};

describe(WebhookSigner.name, () => {
  it('signs requests that the standardwebhooks package verifies', () => {
    const now = Date.now();
    const { headers, body } = WebhookSigner.sign(event, { secret, includePhone: false }, now);
    expect(new Webhook(secret).verify(body, headers)).toEqual({ type: 'user.created', timestamp: '2026-12-02T12:00:00.123Z', data: { userId: 'usr_1', country: 'IN' } });
    expect(headers['webhook-id']).toBe(event.id);
    expect(headers['webhook-timestamp']).toBe(String(Math.floor(now / 1000)));
  });

  it('makes the signature the standardwebhooks package makes for the same id, time and body', () => {
    const { headers, body } = WebhookSigner.sign(event, { secret, includePhone: true }, 1_764_676_800_000);
    expect(headers['webhook-signature']).toBe(new Webhook(secret).sign(event.id, new Date(1_764_676_800_000), body));
  });

  it('sends the phone number only to a subscriber that opted in', () => {
    expect(JSON.parse(WebhookSigner.body(event, true)).data.phone).toBe('+919876543210');
    expect(JSON.parse(WebhookSigner.body(event, false)).data).not.toHaveProperty('phone');
  });

  it('fails verification under another secret or for a changed body', () => {
    const { headers, body } = WebhookSigner.sign(event, { secret, includePhone: false }, Date.now());
    expect(() => new Webhook(`whsec_${randomBytes(32).toString('base64')}`).verify(body, headers)).toThrow();
    expect(() => new Webhook(secret).verify(body.replace('usr_1', 'usr_2'), headers)).toThrow();
  });
});
