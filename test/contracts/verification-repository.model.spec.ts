import { type Channel, CHANNELS } from '../../src/common/channel.js';
import fc from 'fast-check';
import { InMemoryVerificationRepository } from '../../src/otp/in-memory-verification.repository.js';
import { RedisVerificationRepository } from '../../src/otp/redis-verification.repository.js';
import { phoneTagOfVerificationId } from '../../src/otp/verification-id.js';
import { PhoneTagger } from '../../src/common/phone/phone-tagger.js';
import { VerificationRepository } from '../../src/otp/verification.repository.js';
import type { RedisClient } from '../../src/redis/redis.constants.js';
import { describeTwinModel } from '../support/twin-model.js';
import { RecordedEvents } from '../support/recorded-events.js';
import { CONTRACT_KEYS, scriptsFor } from './every-store.js';

// The twins guarded by a model: random sequences of commands run on the in-memory adapter and on
// the Redis one (its Lua scripts), which must answer every command identically. The in-memory
// adapter is the reference; time is virtual (whole seconds, see RedisVirtualExpiry).

/** Built as verification-repository.contract.spec.ts builds it. */
const recorded = new WeakMap<VerificationRepository, RecordedEvents>();
const withEvents = (redis: RedisClient | null, make: (events: RecordedEvents) => VerificationRepository) => {
  const events = RecordedEvents.on(redis, CONTRACT_KEYS);
  const repository = make(events);
  recorded.set(repository, events);
  return repository;
};
const redisRepository = (redis: RedisClient): VerificationRepository =>
  withEvents(redis, (events) => new RedisVerificationRepository(redis, scriptsFor(redis), CONTRACT_KEYS, events.log));

const PHONE_TAG_LENGTH = PhoneTagger.TAG_LENGTH;
const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);
const PHONES = ['+919876500001', '+919876500002', '+447700900003'];
/** Stored code hashes, and what a check may present: the stored ones, another length, nothing. */
const STORED = ['h1', 'h2'];
const PRESENTED = ['h1', 'h2', 'h10', ''];

interface Config {
  ttlSeconds: number;
  resendCooldownSeconds: number;
  maxAttempts: number;
  phoneMaxFailures: number;
  phoneFailureWindowSeconds: number;
  sendLimits: { max: number; windowSeconds: number }[];
}

/**
 * An id counted back from the latest: of a created verification, or of any start (refused and
 * resent ones included: ids nobody holds), or forged from the tag of another phone's id.
 */
interface IdPick {
  from: 'created' | 'issued';
  back: number;
  forgedTagOf?: number;
}

type Command =
  | { kind: 'start'; phone: number; codeHash: string; channel: Channel }
  | { kind: 'check'; by: 'id' | 'phone'; id: IdPick; phone: number; codeHash: string }
  | { kind: 'settle'; id: IdPick; verdict: 'approved' | 'rejected' | 'refund' }
  | { kind: 'recordDispatch'; id: IdPick; providerOwnsCode: boolean; channel: Channel }
  | { kind: 'cancel'; id: IdPick }
  | { kind: 'abandon'; id: IdPick }
  | { kind: 'chargeChannel'; id: IdPick; channel: Channel }
  /** `startsAgo`: which earlier start of the phone (0 the latest) was lost; the cooldown as sent or not. */
  | { kind: 'abandonUnsent'; phone: number; startsAgo: number; sameCooldown: boolean }
  | { kind: 'find'; id: IdPick }
  /** An operator's ban of the phone's user, for whole seconds (a ban without end has no key lifetime, which the virtual clock cannot follow). */
  | { kind: 'banPhone'; phone: number; forSeconds: number }
  | { kind: 'liftPhoneBan'; phone: number }
  | { kind: 'advance'; span: 'second' | 'cooldown' | 'ttl' | 'retention' | 'failureWindow' | 'sendWindow'; offsetSeconds: -1 | 0 | 1 };

// Three, as configured (per hour, per day, calls per day). With two, this test found that the START script
// counted a send refused by one limit on the limits before it (contract case 'counts a refused
// send on no limit').
const MAX_SEND_LIMITS = 3;

const config: fc.Arbitrary<Config> = fc.record({
  ttlSeconds: fc.constantFrom(60, 300),
  resendCooldownSeconds: fc.constantFrom(0, 30, 60),
  maxAttempts: fc.integer({ min: 1, max: 4 }),
  phoneMaxFailures: fc.integer({ min: 1, max: 6 }),
  phoneFailureWindowSeconds: fc.constantFrom(120, 900),
  sendLimits: fc.array(
    fc.record(
      { max: fc.integer({ min: 1, max: 4 }), windowSeconds: fc.constantFrom(600, 3600), channel: fc.constantFrom(...CHANNELS) },
      { requiredKeys: ['max', 'windowSeconds'] },
    ),
    { maxLength: MAX_SEND_LIMITS },
  ),
});

const back = fc.oneof({ arbitrary: fc.constant(0), weight: 3 }, { arbitrary: fc.nat(5), weight: 1 });
const idPick: fc.Arbitrary<IdPick> = fc.oneof(
  { arbitrary: fc.record({ from: fc.constant('created' as const), back }), weight: 8 },
  { arbitrary: fc.record({ from: fc.constant('issued' as const), back }), weight: 2 },
  { arbitrary: fc.record({ from: fc.constant('created' as const), back, forgedTagOf: fc.nat(5) }), weight: 1 },
);
// Mostly one phone, so that its verification sees many commands.
const phone = fc.oneof({ arbitrary: fc.constant(0), weight: 3 }, { arbitrary: fc.nat(PHONES.length - 1), weight: 2 });

const start = fc.record({ kind: fc.constant('start' as const), phone, codeHash: fc.constantFrom(...STORED), channel: fc.constantFrom(...CHANNELS) });
const command: fc.Arbitrary<Command> = fc.oneof(
  { arbitrary: start, weight: 4 },
  {
    arbitrary: fc.record({
      kind: fc.constant('check' as const),
      by: fc.constantFrom('id' as const, 'phone' as const),
      id: idPick,
      phone,
      codeHash: fc.constantFrom(...PRESENTED),
    }),
    weight: 8,
  },
  { arbitrary: fc.record({ kind: fc.constant('settle' as const), id: idPick, verdict: fc.constantFrom('approved' as const, 'rejected' as const, 'refund' as const) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('recordDispatch' as const), id: idPick, providerOwnsCode: fc.boolean(), channel: fc.constantFrom(...CHANNELS) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('cancel' as const), id: idPick }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('abandon' as const), id: idPick }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('chargeChannel' as const), id: idPick, channel: fc.constantFrom(...CHANNELS) }), weight: 2 },
  {
    arbitrary: fc.record({ kind: fc.constant('abandonUnsent' as const), phone, startsAgo: fc.nat(2), sameCooldown: fc.boolean() }),
    weight: 1,
  },
  { arbitrary: fc.record({ kind: fc.constant('find' as const), id: idPick }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('banPhone' as const), phone, forSeconds: fc.constantFrom(0, 1, 60, 600) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('liftPhoneBan' as const), phone }), weight: 1 },
  {
    arbitrary: fc.record({
      kind: fc.constant('advance' as const),
      span: fc.constantFrom('second' as const, 'cooldown' as const, 'ttl' as const, 'retention' as const, 'failureWindow' as const, 'sendWindow' as const),
      offsetSeconds: fc.constantFrom(-1 as const, 0 as const, 1 as const),
    }),
    weight: 4,
  },
);

/** Up to 25 commands, the first a start (without one, every command finds nothing). */
const commands: fc.Arbitrary<Command[]> = fc
  .tuple(start, fc.array(command, { maxLength: 24, size: 'max' }))
  .map(([first, rest]) => [first, ...rest]);

/** What the run has seen so far; both adapters get the same arguments from it. */
class World {
  nowMs = T0;
  readonly issued: string[] = [];
  readonly created: string[] = [];
  readonly startsAtMs = PHONES.map((): number[] => []);
  private serial = 0;

  constructor(readonly config: Config) {}

  /** Deterministic, so both adapters store the same id: the phone's tag and 16 bytes of a counter. */
  newId(phoneIndex: number): string {
    const random = Buffer.alloc(16);
    random.writeUInt32BE((this.serial += 1), 12);
    const id = `${CONTRACT_KEYS.phoneTag(PHONES[phoneIndex])}${random.toString('base64url')}`;
    this.issued.push(id);
    return id;
  }

  id(pick: IdPick): string {
    const ids = this.created.length > 0 && pick.from === 'created' ? this.created : this.issued;
    // Before any start: an id nobody was given.
    if (ids.length === 0) return `${CONTRACT_KEYS.phoneTag(PHONES[0])}${'A'.repeat(22)}`;
    const id = ids[ids.length - 1 - (pick.back % ids.length)];
    if (pick.forgedTagOf === undefined) return id;
    return `${phoneTagOfVerificationId(this.issued[pick.forgedTagOf % this.issued.length])}${id.slice(PHONE_TAG_LENGTH)}`;
  }

  learn(answer: unknown): void {
    const started = answer as { outcome?: string; verification?: { id: string } } | null;
    if (started?.outcome === 'created' && started.verification) this.created.push(started.verification.id);
  }

  spanSeconds(span: Extract<Command, { kind: 'advance' }>['span']): number {
    const { ttlSeconds, resendCooldownSeconds, phoneFailureWindowSeconds, sendLimits } = this.config;
    const spans = {
      second: 1,
      cooldown: resendCooldownSeconds,
      ttl: ttlSeconds,
      retention: 2 * ttlSeconds,
      failureWindow: phoneFailureWindowSeconds,
      sendWindow: sendLimits[0]?.windowSeconds ?? 600,
    };
    return spans[span];
  }
}

/** The command as one call on a repository (the same arguments for both twins). */
function callOf(command: Exclude<Command, { kind: 'advance' }>, world: World): (repository: VerificationRepository) => Promise<unknown> {
  const { nowMs, config } = world;
  switch (command.kind) {
    case 'start': {
      const request = {
        phone: PHONES[command.phone],
        newId: world.newId(command.phone),
        codeHash: command.codeHash,
        channel: command.channel,
        provider: 'outbox',
        nowMs,
        ttlSeconds: config.ttlSeconds,
        resendCooldownSeconds: config.resendCooldownSeconds,
        maxAttempts: config.maxAttempts,
        phoneMaxFailures: config.phoneMaxFailures,
        sendLimits: config.sendLimits,
      };
      world.startsAtMs[command.phone].unshift(nowMs);
      return (repository) => repository.start(request);
    }
    case 'check': {
      const target = command.by === 'id' ? { id: world.id(command.id) } : { phone: PHONES[command.phone] };
      const { maxAttempts, phoneMaxFailures, phoneFailureWindowSeconds } = config;
      const request = { target, codeHash: command.codeHash, nowMs, maxAttempts, phoneMaxFailures, phoneFailureWindowSeconds };
      return (repository) => repository.check(request);
    }
    case 'settle': {
      const { maxAttempts, phoneFailureWindowSeconds } = config;
      const request = { id: world.id(command.id), verdict: command.verdict, nowMs, phoneFailureWindowSeconds, maxAttempts };
      return (repository) => repository.settle(request);
    }
    case 'recordDispatch': {
      const provider = command.providerOwnsCode ? 'sinch-verification' : 'sinch-sms';
      const request = { id: world.id(command.id), channel: command.channel, provider, providerRef: `ref-${nowMs - T0}`, providerOwnsCode: command.providerOwnsCode, nowMs };
      return (repository) => repository.recordDispatch(request);
    }
    case 'cancel':
      return (repository) => repository.cancel(world.id(command.id), nowMs);
    case 'abandon':
      return (repository) => repository.abandon(world.id(command.id), nowMs);
    case 'chargeChannel': {
      // The send being charged started at the latest start of any phone (or now): its cooldown runs from then.
      const startedAtMs = Math.max(nowMs - 1000, T0);
      const request = { id: world.id(command.id), channel: command.channel, startedAtMs, nowMs, resendCooldownSeconds: config.resendCooldownSeconds, sendLimits: config.sendLimits };
      return (repository) => repository.chargeChannel(request);
    }
    case 'abandonUnsent': {
      const starts = world.startsAtMs[command.phone];
      const sentAtMs = starts[command.startsAgo] ?? nowMs;
      const cooldownSeconds = command.sameCooldown ? config.resendCooldownSeconds : config.resendCooldownSeconds + 1;
      const counted = config.sendLimits.map((_limit, index) => index);
      const request = { phone: PHONES[command.phone], sentAtMs, resendCooldownSeconds: cooldownSeconds, countedLimits: counted, nowMs };
      return (repository) => repository.abandonUnsent(request);
    }
    case 'find':
      return (repository) => repository.find(world.id(command.id), nowMs);
    case 'banPhone': {
      const request = { phone: PHONES[command.phone], untilMs: nowMs + command.forSeconds * 1000, nowMs };
      return (repository) => repository.banPhone(request);
    }
    case 'liftPhoneBan':
      return (repository) => repository.liftPhoneBan(PHONES[command.phone]);
  }
}

describeTwinModel({
  title: 'VerificationRepository model: in-memory and Redis answer alike',
  redisRepository,
  memoryRepository: () => withEvents(null, (events) => new InMemoryVerificationRepository(events.log)),
  events: (repository) => recorded.get(repository)!,
  world: (runConfig: Config) => new World(runConfig),
  callOf,
  async finalCheck({ memory, redis }, world) {
    for (const id of world.issued) {
      expect({ finalFind: id, found: await redis.find(id, world.nowMs) }).toEqual({ finalFind: id, found: await memory.find(id, world.nowMs) });
    }
  },
  config,
  commands,
  numRuns: 150,
});
