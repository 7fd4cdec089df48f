import type { RedisClient } from './redis.constants.js';
import type { Named, RedisScript, ScriptValue } from './redis-script.js';

type AnyScript = RedisScript<string, string, string, unknown>;
type ScriptCommand = (...keysThenArgs: ScriptValue[]) => Promise<unknown>;

// The scripts defined on each client, by command name: once per client, however many registries
// or adapters share it.
const definedOn = new WeakMap<RedisClient, Map<string, AnyScript>>();

/**
 * Runs Lua scripts on the shared client with named keys and arguments. Each script becomes an
 * ioredis command (`defineCommand`), so ioredis sends it by EVALSHA, falls back to EVAL on
 * NOSCRIPT, adds the client's keyPrefix to its keys, routes it by its first key in a Cluster
 * and auto-pipelines it like any other command.
 *
 * An adapter registers its scripts when it is built, before any request: a script defined while
 * an auto-pipeline of the same tick is already open would be missing from that pipeline.
 */
export class RedisScripts {
  constructor(private readonly client: RedisClient) {}

  /** Defines each script on the client unless it already is; a second script under a taken name is refused. */
  register(...scripts: AnyScript[]): void {
    const defined = definedOn.get(this.client) ?? new Map<string, AnyScript>();
    definedOn.set(this.client, defined);
    for (const script of scripts) {
      const existing = defined.get(script.name);
      if (existing === script) continue;
      if (existing) throw new Error(`another script is already registered as ${script.name}`);
      this.client.defineCommand(script.name, { numberOfKeys: script.keys.length, lua: script.lua });
      defined.set(script.name, script);
    }
  }

  /**
   * Runs a registered script: `keys` and `args` by name, placed in the definition's order; a
   * script with a tail takes its entries last (`rest`), each flattened in the tail's name order.
   */
  run<K extends string, A extends string, T extends string, R>(
    script: RedisScript<K, A, T, R>,
    keys: NoInfer<Named<K, string>>,
    args: NoInfer<Named<A>>,
    ...tail: [T] extends [never] ? [] : [rest: NoInfer<readonly Named<T>[]>]
  ): Promise<R> {
    if (definedOn.get(this.client)?.get(script.name) !== script) {
      throw new Error(`script ${script.name} is not registered on this client: register it when the adapter is built`);
    }
    const values: ScriptValue[] = [
      ...script.keys.map((name) => valueOf(script, 'KEYS', name, keys)),
      ...script.args.map((name) => valueOf(script, 'ARGV', name, args)),
      ...(tail[0] ?? []).flatMap((entry: Named<T>) => script.rest.map((name) => valueOf(script, 'ARGV', name, entry))),
    ];
    // defineCommand added the command as a method of the client; calling it on the client keeps auto-pipelining.
    const command = Reflect.get(this.client, script.name) as ScriptCommand;
    return command.apply(this.client, values) as Promise<R>;
  }
}

function valueOf<N extends string>(script: { name: string }, table: string, name: N, values: Named<N>): ScriptValue {
  const value = values[name];
  if (value === undefined) throw new Error(`script ${script.name}: no value for ${table} ${name}`);
  return value;
}
