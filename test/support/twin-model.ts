import fc from 'fast-check';
import type { Redis } from 'ioredis';
import type { RedisClient } from '../../src/redis/redis.constants.js';
import { fcParams, runsFactor } from './fc-params.js';
import { describeWithRedis, RedisServer } from './redis-server.js';
import { RedisVirtualExpiry } from './redis-virtual-expiry.js';
import type { RecordedEvents, SeenEvent } from './recorded-events.js';

/** The one command every model has: virtual time moves on by a span of the run's config, plus an offset. */
export interface AdvanceCommand<Span> {
  kind: 'advance';
  span: Span;
  offsetSeconds: number;
}

/** What a run has seen so far; it builds the same arguments for both twins. */
export interface ModelWorld<Span> {
  /** Virtual time, whole seconds apart; starts where the run starts. */
  nowMs: number;
  spanSeconds(span: Span): number;
  /** Remembers what the reference twin answered (ids, generations) for the commands after it. */
  learn(answer: unknown): void;
}

/** One model test: random command sequences run on an in-memory twin and its Redis twin. */
export interface TwinModel<Repository, Config, Operation extends { kind: string }, Span, World extends ModelWorld<Span>> {
  title: string;
  /** The Redis twin, on a client with a key prefix on a throwaway server. */
  redisRepository(redis: RedisClient): Repository;
  /** The reference twin, fresh for every run. */
  memoryRepository(): Repository;
  world(config: Config): World;
  /** The command as one call on a repository (the same arguments for both twins). */
  callOf(command: Operation, world: World): (repository: Repository) => Promise<unknown>;
  /** The events a twin recorded: with it, each command must record the same events on both twins. */
  events?(repository: Repository): RecordedEvents;
  /** After the last command: compares the state behind the answers. */
  finalCheck(twins: { memory: Repository; redis: Repository }, world: World): Promise<void>;
  config: fc.Arbitrary<Config>;
  commands: fc.Arbitrary<(Operation | AdvanceCommand<Span>)[]>;
  /** Before FC_RUNS_FACTOR. */
  numRuns: number;
}

/** Events of one command, in a fixed order (a command's events may land on several shard streams). */
const unordered = (events: SeenEvent[]): string[] => events.map((event) => JSON.stringify(event, Object.keys(event.data).sort().concat('type', 'data'))).sort();

const isAdvance = <Span>(command: { kind: string }): command is AdvanceCommand<Span> => command.kind === 'advance';

export function describeTwinModel<Repository, Config, Operation extends { kind: string }, Span, World extends ModelWorld<Span>>(
  model: TwinModel<Repository, Config, Operation, Span, World>,
): void {
  describeWithRedis(model.title, () => {
    let server: RedisServer;
    let client: Redis;
    let admin: Redis;
    let redis: Repository;
    let expiry: RedisVirtualExpiry;

    beforeAll(async () => {
      server = await RedisServer.start();
      client = server.client();
      client.options.keyPrefix = 'model:';
      admin = server.client();
      redis = model.redisRepository(client);
      expiry = new RedisVirtualExpiry(admin);
    });
    afterAll(async () => {
      client?.disconnect();
      admin?.disconnect();
      await server?.stop();
    });

    async function run(config: Config, commands: (Operation | AdvanceCommand<Span>)[]): Promise<void> {
      await expiry.reset();
      const memory = model.memoryRepository();
      const world = model.world(config);
      const startMs = world.nowMs;
      for (const [step, command] of commands.entries()) {
        if (isAdvance<Span>(command)) {
          world.nowMs += Math.max(0, world.spanSeconds(command.span) + command.offsetSeconds) * 1000;
          await expiry.advance(world.nowMs);
          continue;
        }
        const call = model.callOf(command, world);
        const expected = await call(memory);
        const actual = await call(redis);
        world.learn(expected);
        await expiry.capture(world.nowMs);
        const recorded = model.events ? await Promise.all([memory, redis].map((twin) => model.events!(twin).takeSeen().then(unordered))) : [[], []];
        expect({ step, command, atSeconds: (world.nowMs - startMs) / 1000, answer: actual, events: recorded[1] }).toEqual({
          step,
          command,
          atSeconds: (world.nowMs - startMs) / 1000,
          answer: expected,
          events: recorded[0],
        });
      }
      // Whatever the answers said, the state behind them is the same too.
      await model.finalCheck({ memory, redis }, world);
    }

    it(
      'answers every command of random sequences identically',
      async () => {
        await fc.assert(fc.asyncProperty(model.config, model.commands, run), fcParams(model.numRuns));
      },
      60_000 * runsFactor(),
    );
  });
}
