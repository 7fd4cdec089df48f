/** What a script takes in one KEYS or ARGV position (ioredis sends numbers as their decimal string). */
export type ScriptValue = string | number;

/** Values by name: exactly the names of a script's keys, arguments or one tail entry. */
export type Named<N extends string, V = ScriptValue> = { readonly [P in N]: V };

/**
 * A Lua script with named positions: `keys[i]` is KEYS[i + 1], `args[i]` is ARGV[i + 1], and a
 * script with a variable-length tail takes, after its named arguments, any number of `rest`
 * entries, each flattened in `rest` order (START's send limits: max, windowMs, max, windowMs...).
 * `R` is the reply as ioredis hands it over (a Lua false is null).
 */
export interface RedisScript<K extends string, A extends string, T extends string, R> {
  /** The command name given to ioredis `defineCommand`; unique per client. */
  readonly name: string;
  readonly keys: readonly K[];
  readonly args: readonly A[];
  readonly rest: readonly T[];
  readonly lua: string;
  /** Type only: never set. */
  readonly reply?: R;
}

export interface ScriptDefinition<K extends string, A extends string, T extends string> {
  name: string;
  keys: readonly K[];
  args: readonly A[];
  rest?: readonly T[];
  lua: string;
}

/**
 * Defines a script replying `R`: `defineScript<Reply>()({ name, keys, args, rest?, lua })`
 * (curried so that the names are inferred while the reply is written out). The Lua must open
 * with a comment block naming every position in order (`-- KEYS[1] verification ...`,
 * `-- ARGV[1] id ...`, and `-- ARGV[n..] (max, windowMs) ...` for a tail), checked here so
 * that the header and the names the adapters pass cannot drift apart.
 */
export function defineScript<R>() {
  return <const K extends string, const A extends string, const T extends string = never>(
    definition: ScriptDefinition<K, A, T>,
  ): RedisScript<K, A, T, R> => {
    const script = { ...definition, rest: definition.rest ?? [] };
    const missing = documentedPositions(script).filter((line) => !headerLines(script.lua).some((header) => header.startsWith(line)));
    if (missing.length > 0) throw new Error(`script ${script.name}: its header does not document ${missing.join('; ')}`);
    return script;
  };
}

function documentedPositions(script: { keys: readonly string[]; args: readonly string[]; rest: readonly string[] }): string[] {
  const lines = [
    ...script.keys.map((name, index) => `-- KEYS[${index + 1}] ${name} `),
    ...script.args.map((name, index) => `-- ARGV[${index + 1}] ${name} `),
  ];
  if (script.rest.length > 0) lines.push(`-- ARGV[${script.args.length + 1}..] (${script.rest.join(', ')}) `);
  return lines;
}

// The leading comment block, each line with a trailing space so that `ARGV[1] id` does not match `ARGV[1] idle`.
function headerLines(lua: string): string[] {
  const lines = lua.trimStart().split('\n');
  const end = lines.findIndex((line) => !line.startsWith('--'));
  return lines.slice(0, end === -1 ? lines.length : end).map((line) => `${line.replace(/\s+/g, ' ')} `);
}
