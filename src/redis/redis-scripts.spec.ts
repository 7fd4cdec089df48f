import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { describeWithRedis, RedisServer } from '../../test/support/redis-server.js';
import { defineScript } from './redis-script.js';
import { RedisScripts } from './redis-scripts.js';

// Replies its keys, then every ARGV, so a test sees exactly where each name landed.
const ECHO = defineScript<string[]>()({
  name: 'specEcho',
  keys: ['first', 'second'],
  args: ['alpha', 'beta', 'gamma'],
  rest: ['max', 'windowMs'],
  lua: `
-- KEYS[1] first
-- KEYS[2] second
-- ARGV[1] alpha
-- ARGV[2] beta
-- ARGV[3] gamma
-- ARGV[4..] (max, windowMs) any number of pairs
local reply = {KEYS[1], KEYS[2]}
for i = 1, #ARGV do table.insert(reply, ARGV[i]) end
return reply
`,
});

const SET_AND_GET = defineScript<string>()({
  name: 'specSetAndGet',
  keys: ['target'],
  args: ['value'],
  lua: `
-- KEYS[1] target a string key
-- ARGV[1] value
local target, value = KEYS[1], ARGV[1]
redis.call('SET', target, value)
return redis.call('GET', target)
`,
});

describe(defineScript.name, () => {
  it('should refuse a script whose header does not name a position', () => {
    expect(() =>
      defineScript<null>()({
        name: 'specUndocumented',
        keys: ['key'],
        args: ['one', 'two'],
        lua: `
-- KEYS[1] key
-- ARGV[1] one
return redis.call('GET', KEYS[1])
`,
      }),
    ).toThrow('specUndocumented: its header does not document -- ARGV[2] two');
  });

  it('should refuse a header naming a position differently, even by a prefix of the name', () => {
    expect(() =>
      defineScript<null>()({ name: 'specMisnamed', keys: [], args: ['id'], lua: '-- ARGV[1] identity\nreturn 1' }),
    ).toThrow('does not document -- ARGV[1] id');
  });

  it('should keep every script of the service in its own file, with no spliced or rewritten Lua', () => {
    const files = scriptFiles(join(__dirname, '..'));
    expect(files.length).toBeGreaterThanOrEqual(15);
    for (const file of files) {
      const source = readFileSync(file, 'utf8');
      expect({ file, spliced: /\$\{|replaceAll|\.replace\(/.test(source) }).toEqual({ file, spliced: false });
      expect({ file, scripts: source.match(/defineScript</g)?.length }).toEqual({ file, scripts: 1 });
    }
  });
});

describeWithRedis(RedisScripts.name, () => {
  let server: RedisServer;
  const clients: Redis[] = [];
  const client = (options: { keyPrefix?: string; enableAutoPipelining?: boolean } = {}) => {
    const redis = new Redis(server.port, '127.0.0.1', { maxRetriesPerRequest: 1, ...options });
    clients.push(redis);
    return redis;
  };

  beforeAll(async () => {
    server = await RedisServer.start();
  });
  afterAll(async () => {
    await Promise.all(clients.map((redis) => redis.quit()));
    await server?.stop();
  });

  it('should define each script once per client, however many registries share the client', () => {
    const [one, two] = [client(), client()];
    const defineOne = jest.spyOn(one, 'defineCommand');
    const defineTwo = jest.spyOn(two, 'defineCommand');
    new RedisScripts(one).register(ECHO, SET_AND_GET);
    new RedisScripts(one).register(ECHO);
    new RedisScripts(one).register(SET_AND_GET, ECHO);
    new RedisScripts(two).register(ECHO);
    expect(defineOne.mock.calls.map(([name]) => name)).toEqual(['specEcho', 'specSetAndGet']);
    expect(defineTwo.mock.calls.map(([name]) => name)).toEqual(['specEcho']);
  });

  it('should place named keys and args in the definition order, whatever the order they are given in, then the tail', async () => {
    const sut = new RedisScripts(client());
    sut.register(ECHO);
    expect(
      await sut.run(ECHO, { second: 'k2', first: 'k1' }, { gamma: 3, alpha: 'a', beta: '' }, [
        { windowMs: 60_000, max: 5 },
        { max: 10, windowMs: 1_764_633_600_123 },
      ]),
    ).toEqual(['k1', 'k2', 'a', '', '3', '5', '60000', '10', '1764633600123']);
    expect(await sut.run(ECHO, { first: 'k1', second: 'k2' }, { alpha: 'a', beta: 'b', gamma: 'c' }, [])).toEqual([
      'k1',
      'k2',
      'a',
      'b',
      'c',
    ]);
  });

  it('should refuse to run a script it has not registered, and a second script under a taken name', async () => {
    const sut = new RedisScripts(client());
    expect(() => sut.run(SET_AND_GET, { target: 'k' }, { value: 'v' })).toThrow('specSetAndGet is not registered');
    sut.register(SET_AND_GET);
    const impostor = defineScript<string>()({ ...SET_AND_GET, lua: `${SET_AND_GET.lua}\n` });
    expect(() => sut.register(impostor)).toThrow('another script is already registered as specSetAndGet');
  });

  it('should refuse a value missing at run time (a caller outside the type checker)', () => {
    const sut = new RedisScripts(client());
    sut.register(SET_AND_GET);
    const args = {} as { value: string };
    expect(() => sut.run(SET_AND_GET, { target: 'k' }, args)).toThrow('specSetAndGet: no value for ARGV value');
  });

  it('should run by EVALSHA and load the script again after SCRIPT FLUSH (NOSCRIPT fallback)', async () => {
    const redis = client();
    const sut = new RedisScripts(redis);
    sut.register(SET_AND_GET);
    expect(await sut.run(SET_AND_GET, { target: 'flush:a' }, { value: 'before' })).toBe('before');
    const sha = createHash('sha1').update(SET_AND_GET.lua).digest('hex');
    expect(await redis.script('EXISTS', sha)).toEqual([1]);
    await redis.script('FLUSH');
    expect(await redis.script('EXISTS', sha)).toEqual([0]);
    expect(await sut.run(SET_AND_GET, { target: 'flush:a' }, { value: 'after' })).toBe('after');
    expect(await redis.script('EXISTS', sha)).toEqual([1]);
  });

  it("should put the client's key prefix on the script's keys", async () => {
    const sut = new RedisScripts(client({ keyPrefix: 'pfx:' }));
    sut.register(ECHO, SET_AND_GET);
    expect(await sut.run(ECHO, { first: 'one', second: 'two' }, { alpha: 'x', beta: 'y', gamma: 'z' }, [])).toEqual([
      'pfx:one',
      'pfx:two',
      'x',
      'y',
      'z',
    ]);
    await sut.run(SET_AND_GET, { target: 'prefixed' }, { value: 'v' });
    const plain = client();
    expect(await plain.get('pfx:prefixed')).toBe('v');
    expect(await plain.exists('prefixed')).toBe(0);
  });

  it('should run several scripts in one auto-pipelined tick', async () => {
    const sut = new RedisScripts(client({ enableAutoPipelining: true }));
    sut.register(ECHO, SET_AND_GET);
    const replies = await Promise.all([
      sut.run(SET_AND_GET, { target: 'pipelined:a' }, { value: '1' }),
      sut.run(ECHO, { first: 'a', second: 'b' }, { alpha: 1, beta: 2, gamma: 3 }, []),
      sut.run(SET_AND_GET, { target: 'pipelined:b' }, { value: '2' }),
    ]);
    expect(replies).toEqual(['1', ['a', 'b', '1', '2', '3'], '2']);
  });
});

// Compile-time checks (tsc -p tsconfig.test.json): never called.
export function namesAreChecked(sut: RedisScripts): void {
  // @ts-expect-error a misspelt key
  void sut.run(SET_AND_GET, { targt: 'k' }, { value: 'v' });
  // @ts-expect-error a missing arg
  void sut.run(ECHO, { first: 'a', second: 'b' }, { alpha: 1, beta: 2 }, []);
  // @ts-expect-error a misspelt arg
  void sut.run(ECHO, { first: 'a', second: 'b' }, { alpha: 1, beta: 2, gama: 3 }, []);
  // @ts-expect-error a script with a tail needs it, even empty
  void sut.run(ECHO, { first: 'a', second: 'b' }, { alpha: 1, beta: 2, gamma: 3 });
  // @ts-expect-error a tail entry with a misspelt name
  void sut.run(ECHO, { first: 'a', second: 'b' }, { alpha: 1, beta: 2, gamma: 3 }, [{ max: 1, window: 2 }]);
  // @ts-expect-error a script without a tail takes none
  void sut.run(SET_AND_GET, { target: 'k' }, { value: 'v' }, []);
  // @ts-expect-error a key is a string, not a number
  void sut.run(SET_AND_GET, { target: 1 }, { value: 'v' });
  const reply: Promise<string> = sut.run(SET_AND_GET, { target: 'k' }, { value: 'v' });
  void reply;
}

function scriptFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return scriptFiles(path);
    return entry.name.endsWith('.script.ts') ? [path] : [];
  });
}
