import { retryAfterSeconds, type Tokens, webStorageTokens, withLocalLock } from '../src/index.js';

describe(withLocalLock.name, () => {
  it('runs the holders of one name one at a time, in order, past a holder that failed', async () => {
    const events: string[] = [];
    const holder = (name: string, fail = false) => async () => {
      events.push(`${name} in`);
      await new Promise((resolve) => setTimeout(resolve, 5));
      events.push(`${name} out`);
      if (fail) throw new Error(name);
      return name;
    };

    const results = await Promise.allSettled([withLocalLock('a', holder('1')), withLocalLock('a', holder('2', true)), withLocalLock('a', holder('3'))]);

    expect(events).toEqual(['1 in', '1 out', '2 in', '2 out', '3 in', '3 out']);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });

  it('lets holders of other names run meanwhile', async () => {
    const events: string[] = [];
    let release!: () => void;
    const held = withLocalLock('b', () => new Promise<void>((resolve) => (release = resolve)));
    await withLocalLock('c', async () => void events.push('c ran'));
    expect(events).toEqual(['c ran']);
    release();
    await held;
  });
});

describe(retryAfterSeconds.name, () => {
  it('reads delay-seconds and HTTP dates, and nothing else', () => {
    const now = Date.UTC(2026, 11, 2, 12, 0, 0);
    expect(retryAfterSeconds('30', now)).toBe(30);
    expect(retryAfterSeconds(new Date(now + 90_500).toUTCString(), now)).toBe(90);
    expect(retryAfterSeconds(new Date(now - 5_000).toUTCString(), now)).toBe(0);
    expect(retryAfterSeconds(null, now)).toBeUndefined();
    expect(retryAfterSeconds('soon', now)).toBeUndefined();
  });
});

describe(webStorageTokens.name, () => {
  it('keeps the tokens as JSON under its key and forgets them on null', () => {
    const items = new Map<string, string>();
    const store = { getItem: (key: string) => items.get(key) ?? null, setItem: (key: string, value: string) => void items.set(key, value), removeItem: (key: string) => void items.delete(key) };
    const storage = webStorageTokens(store, 'k');
    const tokens = { refreshToken: 'ses_1.secret', sessionId: 'ses_1', accessToken: 'a' } as Tokens;

    storage.set(tokens);
    expect(JSON.parse(items.get('k')!)).toEqual(tokens);
    expect(storage.get()).toEqual(tokens);
    storage.set(null);
    expect(items.has('k')).toBe(false);
    items.set('k', '{not json');
    expect(storage.get()).toBeNull();
  });
});
