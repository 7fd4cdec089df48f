import { randomBytes } from 'node:crypto';
import { RedisSessionRepository } from '../../src/sessions/redis-session.repository.js';
import { Session } from '../../src/sessions/session.js';
import { describeWithRedis, RedisServer } from '../support/redis-server.js';
import { RecordedEvents } from '../support/recorded-events.js';
import { CONTRACT_KEYS, scriptsFor } from './every-store.js';

const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);
const DAY_MS = 86_400_000;
const PREFIX = 'memory:';

// Reuse detection keeps no spent hashes: a session is one Redis key whose size does not grow
// with its refreshes (it used to keep a set of every spent hash, ~80 bytes per refresh).
describeWithRedis('SessionRepository on Redis: memory per session', () => {
  let server: RedisServer;
  let redis: ReturnType<RedisServer['client']>;
  let repository: RedisSessionRepository;

  beforeAll(async () => {
    server = await RedisServer.start();
    redis = server.client();
    redis.options.keyPrefix = PREFIX;
    repository = new RedisSessionRepository(redis, scriptsFor(redis), CONTRACT_KEYS, 30 * 86400, RecordedEvents.on(redis, CONTRACT_KEYS).log);
  });
  afterAll(async () => {
    redis.disconnect();
    await server.stop();
  });

  const hash = () => randomBytes(32).toString('base64url');
  /** Every key of the session (its hash tag), without the client's prefix, and their bytes. */
  const sessionKeys = async (sessionId: string) => {
    const keys = (await redis.keys(`*${sessionId}*`)).map((key) => key.slice(PREFIX.length));
    const bytes = await Promise.all(keys.map(async (key) => Number(await redis.call('MEMORY', 'USAGE', `${PREFIX}${key}`, 'SAMPLES', '0'))));
    return { keys, bytes: bytes.reduce((total, value) => total + value, 0) };
  };

  it('keeps one key of constant size through 1,000 refreshes, and reuse detection still ends the session', async () => {
    const session: Session = {
      id: `ses_${randomBytes(16).toString('base64url')}`,
      userId: `usr_${randomBytes(16).toString('base64url')}`,
      phone: '+919876543210',
      refreshTokenHash: hash(),
      refreshTokenGeneration: 0,
      rotatedAtMs: 0,
      channel: 'sms',
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36',
      ip: '203.0.113.7',
      createdAtMs: T0,
      lastUsedAtMs: T0,
      expiresAtMs: T0 + 30 * DAY_MS,
      idleExpiresAtMs: T0 + 30 * DAY_MS,
    };
    await repository.create(session);
    const sizes = new Map<number, number>();
    let current = session.refreshTokenHash;
    for (let generation = 0; generation < 1000; generation++) {
      const next = hash();
      const result = await repository.rotate({
        sessionId: session.id,
        generation,
        presentedHash: current,
        newHash: next,
        nowMs: T0 + 60_000 * (generation + 1),
        idleTtlSeconds: 30 * 86400,
        reuseGraceSeconds: 10,
      });
      expect(result.outcome).toBe('rotated');
      current = next;
      if ([1, 10, 100, 1000].includes(generation + 1)) {
        const { keys, bytes } = await sessionKeys(session.id);
        expect(keys).toEqual([CONTRACT_KEYS.session(session.id)]);
        sizes.set(generation + 1, bytes);
      }
    }
    // The generation's digits and the listpack's integer encodings may move a few bytes; a
    // spent-hash list would add ~80 per refresh (80 KB after 1,000).
    expect(Math.max(...sizes.values()) - sizes.get(1)!).toBeLessThanOrEqual(16);
    expect(sizes.get(1000)).toBeLessThan(1024);

    const reused = await repository.rotate({
      sessionId: session.id,
      generation: 3,
      presentedHash: hash(),
      newHash: hash(),
      nowMs: T0 + 60_000 * 1001,
      idleTtlSeconds: 30 * 86400,
      reuseGraceSeconds: 10,
    });
    expect(reused).toEqual({ outcome: 'reused', userId: session.userId });
    expect((await sessionKeys(session.id)).keys).toEqual([]);
  });
});
