import { CHANNELS } from '../../src/common/channel.js';
import fc from 'fast-check';
import type { RedisClient } from '../../src/redis/redis.constants.js';
import { InMemorySessionRepository } from '../../src/sessions/in-memory-session.repository.js';
import { RedisSessionRepository } from '../../src/sessions/redis-session.repository.js';
import { Session } from '../../src/sessions/session.js';
import { SessionRepository } from '../../src/sessions/session.repository.js';
import { describeTwinModel } from '../support/twin-model.js';
import { RecordedEvents } from '../support/recorded-events.js';
import { CONTRACT_KEYS, scriptsFor } from './every-store.js';

// The twins guarded by a model: random sequences of session commands run on the in-memory
// adapter and on the Redis one, which must answer every command identically. The in-memory
// adapter is the reference; time is virtual (whole seconds, see RedisVirtualExpiry).

/** Built as session-repository.contract.spec.ts builds it. */
const recorded = new WeakMap<SessionRepository, RecordedEvents>();
const withEvents = (redis: RedisClient | null, make: (events: RecordedEvents) => SessionRepository) => {
  const events = RecordedEvents.on(redis, CONTRACT_KEYS);
  const repository = make(events);
  recorded.set(repository, events);
  return repository;
};
const redisRepository = (redis: RedisClient): SessionRepository =>
  withEvents(redis, (events) => new RedisSessionRepository(redis, scriptsFor(redis), CONTRACT_KEYS, 86400 * 30, events.log));

const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);
const USERS = ['usr_model-user-one', 'usr_model-user-two'];

interface Config {
  absoluteSeconds: number;
  idleTtlSeconds: number;
  reuseGraceSeconds: number;
}

/** A session counted back from the latest created, or (`unknown`) an id never created. */
interface SessionPick {
  back: number;
  unknown?: true;
}

type Command =
  | { kind: 'create'; user: number; optional: 'all' | 'none' | 'client' }
  /** The generation presented, relative to the one the client last got; `forged`: another secret. */
  | { kind: 'rotate'; session: SessionPick; generation: 'current' | 'previous' | 'older' | 'next'; forged: boolean }
  | { kind: 'revoke'; session: SessionPick }
  | { kind: 'find'; session: SessionPick }
  | { kind: 'list'; user: number }
  | { kind: 'revokeAll'; user: number }
  | { kind: 'advance'; span: 'second' | 'grace' | 'idle' | 'absolute'; offsetSeconds: -1 | 0 | 1 };

const config: fc.Arbitrary<Config> = fc.record({
  absoluteSeconds: fc.constantFrom(3600, 86400),
  // Longer than the absolute lifetime too: the idle expiry never passes the absolute one.
  idleTtlSeconds: fc.constantFrom(600, 3600, 7200),
  reuseGraceSeconds: fc.constantFrom(0, 10, 60),
});

const sessionPick: fc.Arbitrary<SessionPick> = fc.oneof(
  { arbitrary: fc.record({ back: fc.oneof({ arbitrary: fc.constant(0), weight: 3 }, { arbitrary: fc.nat(4), weight: 2 }) }), weight: 10 },
  { arbitrary: fc.constant({ back: 0, unknown: true as const }), weight: 1 },
);
const user = fc.nat(USERS.length - 1);

const create = fc.record({ kind: fc.constant('create' as const), user, optional: fc.constantFrom('all' as const, 'none' as const, 'client' as const) });
const command: fc.Arbitrary<Command> = fc.oneof(
  { arbitrary: create, weight: 3 },
  {
    arbitrary: fc.record({
      kind: fc.constant('rotate' as const),
      session: sessionPick,
      generation: fc.constantFrom('current' as const, 'current' as const, 'previous' as const, 'older' as const, 'next' as const),
      forged: fc.oneof({ arbitrary: fc.constant(false), weight: 5 }, { arbitrary: fc.constant(true), weight: 1 }),
    }),
    weight: 8,
  },
  { arbitrary: fc.record({ kind: fc.constant('revoke' as const), session: sessionPick }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('find' as const), session: sessionPick }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('list' as const), user }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('revokeAll' as const), user }), weight: 1 },
  {
    arbitrary: fc.record({
      kind: fc.constant('advance' as const),
      // Mostly short steps, so that sessions live through several commands.
      span: fc.constantFrom('second' as const, 'second' as const, 'grace' as const, 'grace' as const, 'idle' as const, 'absolute' as const),
      offsetSeconds: fc.constantFrom(-1 as const, 0 as const, 1 as const),
    }),
    weight: 4,
  },
);

/** The secret of a session's token of one generation (stored hashed; here the hash itself). */
const hashOf = (sessionId: string, generation: number) => `${sessionId}/g${generation}`;

/** Up to 25 commands, the first a create (without one, every command finds nothing). */
const commands: fc.Arbitrary<Command[]> = fc
  .tuple(create, fc.array(command, { maxLength: 24, size: 'max' }))
  .map(([first, rest]) => [first, ...rest]);

/** What the run has seen so far, as the client sees it; both adapters get the same arguments from it. */
class World {
  nowMs = T0;
  readonly sessions: string[] = [];
  /** The generation of the last token each session's client received. */
  readonly generations = new Map<string, number>();

  constructor(readonly config: Config) {}

  newSession(userIndex: number, optional: Extract<Command, { kind: 'create' }>['optional']): Session {
    const id = `ses_model-${String(this.sessions.length).padStart(4, '0')}`;
    this.sessions.push(id);
    this.generations.set(id, 0);
    const expiresAtMs = this.nowMs + this.config.absoluteSeconds * 1000;
    return {
      id,
      userId: USERS[userIndex],
      channel: CHANNELS[userIndex % CHANNELS.length],
      phone: '+919876500001',
      refreshTokenHash: hashOf(id, 0),
      refreshTokenGeneration: 0,
      rotatedAtMs: 0,
      ...(optional === 'all' ? { clientId: 'billing', userAgent: 'curl/8', ip: '203.0.113.7' } : {}),
      ...(optional === 'client' ? { clientId: 'billing' } : {}),
      createdAtMs: this.nowMs,
      lastUsedAtMs: this.nowMs,
      expiresAtMs,
      idleExpiresAtMs: Math.min(expiresAtMs, this.nowMs + this.config.idleTtlSeconds * 1000),
    };
  }

  sessionId(pick: SessionPick): string {
    if (pick.unknown || this.sessions.length === 0) return 'ses_model-never-created';
    return this.sessions[this.sessions.length - 1 - (pick.back % this.sessions.length)];
  }

  learn(answer: unknown): void {
    const rotated = answer as { outcome?: string; session?: Session } | null;
    if (rotated?.outcome === 'rotated' && rotated.session) this.generations.set(rotated.session.id, rotated.session.refreshTokenGeneration);
  }

  spanSeconds(span: Extract<Command, { kind: 'advance' }>['span']): number {
    const spans = { second: 1, grace: this.config.reuseGraceSeconds, idle: this.config.idleTtlSeconds, absolute: this.config.absoluteSeconds };
    return spans[span];
  }
}

const GENERATION_SHIFT = { current: 0, previous: -1, older: -2, next: 1 } as const;

/** The command as one call on a repository (the same arguments for both twins). */
function callOf(command: Exclude<Command, { kind: 'advance' }>, world: World): (repository: SessionRepository) => Promise<unknown> {
  const { nowMs } = world;
  switch (command.kind) {
    case 'create': {
      const session = world.newSession(command.user, command.optional);
      return (repository) => repository.create(session);
    }
    case 'rotate': {
      const sessionId = world.sessionId(command.session);
      const generation = Math.max(0, (world.generations.get(sessionId) ?? 0) + GENERATION_SHIFT[command.generation]);
      const request = {
        sessionId,
        generation,
        presentedHash: command.forged ? 'forged' : hashOf(sessionId, generation),
        newHash: hashOf(sessionId, generation + 1),
        nowMs,
        idleTtlSeconds: world.config.idleTtlSeconds,
        reuseGraceSeconds: world.config.reuseGraceSeconds,
      };
      return (repository) => repository.rotate(request);
    }
    case 'revoke':
      return (repository) => repository.revoke(world.sessionId(command.session), nowMs, 'logout');
    case 'find':
      return (repository) => repository.find(world.sessionId(command.session), nowMs);
    case 'list':
      return (repository) => repository.listByUser(USERS[command.user], nowMs);
    case 'revokeAll':
      return (repository) => repository.revokeAllForUser(USERS[command.user], nowMs, 'admin');
  }
}

describeTwinModel({
  title: 'SessionRepository model: in-memory and Redis answer alike',
  redisRepository,
  memoryRepository: () => withEvents(null, (events) => new InMemorySessionRepository(events.log)),
  events: (repository) => recorded.get(repository)!,
  world: (runConfig: Config) => new World(runConfig),
  callOf,
  async finalCheck({ memory, redis }, world) {
    for (const [index, userId] of USERS.entries()) {
      const list = callOf({ kind: 'list', user: index }, world);
      expect({ finalList: userId, sessions: await list(redis) }).toEqual({ finalList: userId, sessions: await list(memory) });
    }
  },
  config,
  commands,
  numRuns: 150,
});
