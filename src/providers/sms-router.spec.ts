import { CHANNELS, OtpDispatch, OtpMessage, ProviderError, SmsProvider } from './sms-provider.js';
import { AllProvidersFailedError, SmsRouter, SmsRouterOptions } from './sms-router.js';

/** A provider whose next answers the test scripts: ok, a transient or permanent failure, or a hang. */
class ScriptedProvider extends SmsProvider {
  readonly ownsCodes = false;
  readonly channels = CHANNELS;
  calls = 0;
  behaviour: 'ok' | 'transient' | 'permanent' | 'hang' = 'ok';
  constructor(readonly name: string) {
    super();
  }
  async send(_message: OtpMessage, signal?: AbortSignal): Promise<OtpDispatch> {
    this.calls += 1;
    switch (this.behaviour) {
      case 'ok':
        return { providerRef: `${this.name}-${this.calls}` };
      case 'transient':
        throw new ProviderError(this.name, 'HTTP 503', { transient: true, status: 503 });
      case 'permanent':
        throw new ProviderError(this.name, 'HTTP 401', { transient: false, status: 401 });
      case 'hang':
        return new Promise((_resolve, reject) => signal?.addEventListener('abort', () => reject(new Error('aborted'))));
    }
  }
}

const message: OtpMessage = { verificationId: 'v', channel: 'sms', to: '+919876543210', code: '123456', text: 't', ttlSeconds: 300, idempotencyKey: 'v.1' };
const options = (overrides: Partial<SmsRouterOptions> = {}): SmsRouterOptions => ({
  defaultOrder: ['a', 'b'],
  routes: new Map(),
  timeoutMs: 100,
  retries: 1,
  backoffMs: 1,
  breakerThreshold: 3,
  halfOpenAfterMs: 200,
  ...overrides,
});

describe(SmsRouter.name, () => {
  let a: ScriptedProvider;
  let b: ScriptedProvider;
  beforeEach(() => {
    a = new ScriptedProvider('a');
    b = new ScriptedProvider('b');
  });

  it('sends through the first provider when it works', async () => {
    const { provider, dispatch } = await new SmsRouter([a, b], options()).send(message, 'IN');
    expect([provider.name, dispatch.providerRef, b.calls]).toEqual(['a', 'a-1', 0]);
  });

  it('sends after a provider only through the ones after it in the country\'s order', async () => {
    const c = new ScriptedProvider('c');
    const router = new SmsRouter([a, b, c], options({ defaultOrder: ['a', 'b', 'c'], routes: new Map([['GB', ['c', 'a']]]) }));
    expect((await router.send(message, 'IN', 'a')).provider.name).toBe('b');
    expect(router.order('IN', 'b')).toEqual(['c']);
    expect(router.order('IN', 'c')).toEqual([]);
    expect(router.order('GB', 'c')).toEqual(['a']);
    await expect(router.send(message, 'GB', 'a')).rejects.toBeInstanceOf(AllProvidersFailedError);
    expect(a.calls).toBe(0);
  });

  it('retries a transient failure once, then fails over', async () => {
    a.behaviour = 'transient';
    const { provider } = await new SmsRouter([a, b], options()).send(message, 'IN');
    expect([provider.name, a.calls, b.calls]).toEqual(['b', 2, 1]);
  });

  it('does not retry a permanent failure', async () => {
    a.behaviour = 'permanent';
    await new SmsRouter([a, b], options()).send(message, 'IN');
    expect(a.calls).toBe(1);
  });

  it('gives up on a hanging provider after its timeout and fails over', async () => {
    a.behaviour = 'hang';
    const startedAt = Date.now();
    const { provider } = await new SmsRouter([a, b], options({ retries: 0 })).send(message, 'IN');
    expect(provider.name).toBe('b');
    expect(Date.now() - startedAt).toBeLessThan(1000);
  });

  it('follows the route of the phone\'s country', async () => {
    const router = new SmsRouter([a, b], options({ routes: new Map([['IN', ['b', 'a']]]) }));
    expect((await router.send(message, 'IN')).provider.name).toBe('b');
    expect((await router.send(message, 'GB')).provider.name).toBe('a');
  });

  it('says every reason when every provider fails', async () => {
    a.behaviour = 'transient';
    b.behaviour = 'permanent';
    const failure = new SmsRouter([a, b], options()).send(message, 'IN');
    await expect(failure).rejects.toBeInstanceOf(AllProvidersFailedError);
    await expect(failure).rejects.toThrow('a: HTTP 503; b: HTTP 401');
  });

  it('opens the circuit of a failing provider, skips it without calling it, and closes it once it recovers', async () => {
    const router = new SmsRouter([a, b], options({ retries: 0 }));
    a.behaviour = 'transient';
    for (let send = 0; send < 3; send += 1) await router.send(message, 'IN');
    expect(a.calls).toBe(3);
    await router.send(message, 'IN');
    expect(a.calls).toBe(3);
    expect(b.calls).toBe(4);

    a.behaviour = 'ok';
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect((await router.send(message, 'IN')).provider.name).toBe('a');
    expect((await router.send(message, 'IN')).provider.name).toBe('a');
    expect(a.calls).toBe(5);
  });

  it('reports each provider\'s circuit by name, as closed until its failures open it', async () => {
    const router = new SmsRouter([a, b], options({ retries: 0 }));
    expect(router.circuitStates()).toEqual({ a: 'closed', b: 'closed' });
    a.behaviour = 'transient';
    for (let send = 0; send < 3; send += 1) await router.send(message, 'IN');
    expect(router.circuitStates()).toEqual({ a: 'open', b: 'closed' });
  });

  it('adds at most a few abort listeners to any signal under 32 concurrent sends, and leaves none behind', async () => {
    // Counts the abort listeners of every signal, whoever adds them (the router, cockatiel, the provider).
    const live = new Map<EventTarget, number>();
    let most = 0;
    const add = EventTarget.prototype.addEventListener;
    const remove = EventTarget.prototype.removeEventListener;
    const adding = jest.spyOn(EventTarget.prototype, 'addEventListener').mockImplementation(function (this: EventTarget, type, ...rest) {
      if (type === 'abort') live.set(this, (live.get(this) ?? 0) + 1);
      most = Math.max(most, live.get(this) ?? 0);
      return add.call(this, type, ...rest);
    });
    const removing = jest.spyOn(EventTarget.prototype, 'removeEventListener').mockImplementation(function (this: EventTarget, type, ...rest) {
      if (type === 'abort') live.set(this, (live.get(this) ?? 1) - 1);
      return remove.call(this, type, ...rest);
    });
    const slow = new (class extends ScriptedProvider {
      override async send(sent: OtpMessage, signal?: AbortSignal): Promise<OtpDispatch> {
        await new Promise((resolve) => setTimeout(resolve, 20));
        return super.send(sent, signal);
      }
    })('a');
    try {
      const router = new SmsRouter([slow], options({ defaultOrder: ['a'], timeoutMs: 1000 }));
      await Promise.all(Array.from({ length: 32 }, () => router.send(message, 'IN')));
    } finally {
      adding.mockRestore();
      removing.mockRestore();
    }
    expect(slow.calls).toBe(32);
    expect(most).toBeLessThanOrEqual(3);
    expect([...live.values()].filter((count) => count > 0)).toEqual([]);
  });
});
