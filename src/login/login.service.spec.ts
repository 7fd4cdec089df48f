import { DomainError } from '../common/errors/domain.error.js';
import { PhoneTagger } from '../common/phone/phone-tagger.js';
import { Clock, SystemClock } from '../common/time/clock.js';
import { InMemoryEventLog } from '../events/in-memory-event-log.js';
import { CHANNELS, OtpDispatch, OtpMessage, ProviderCheck, ProviderError, ProviderVerdict, SmsProvider } from '../providers/sms-provider.js';
import { SmsRouter } from '../providers/sms-router.js';
import { ChannelRouters } from '../providers/channel-routers.js';
import { Metrics } from '../metrics/metrics.service.js';
import { FraudGuard } from '../throttling/fraud-guard.service.js';
import { InMemoryFraudRepository } from '../throttling/in-memory-fraud.repository.js';
import { ruleModesOf, SafeList } from '../throttling/fraud-rules.js';
import type { SessionService, TokenPair } from '../sessions/session.service.js';
import { KeyDerivation } from '../common/secrets/key-derivation.js';
import { InMemoryVerificationRepository } from '../otp/in-memory-verification.repository.js';
import { OtpCodeGenerator } from '../otp/otp-code.generator.js';
import { OtpCodeHasher } from '../otp/otp-code.hasher.js';
import { VerificationService } from '../otp/verification.service.js';
import { CodeDelivery } from '../providers/code-delivery.service.js';
import { LoginMetrics } from './login-metrics.js';
import { LoginService } from './login.service.js';

class StepClock extends Clock {
  ms = Date.UTC(2026, 10, 21, 12, 0, 0);
  nowMs() {
    return this.ms;
  }
}

class SequenceCodes extends OtpCodeGenerator {
  next = 0;
  generate(length: number) {
    this.next += 1;
    return String(this.next).padStart(length, '0');
  }
}

class RecordingProvider extends SmsProvider {
  readonly ownsCodes: boolean = false;
  readonly channels = CHANNELS;
  readonly sent: OtpMessage[] = [];
  failWith?: Error;
  constructor(readonly name = 'recording') {
    super();
  }
  async send(message: OtpMessage): Promise<OtpDispatch> {
    if (this.failWith) throw this.failWith;
    this.sent.push(message);
    return { providerRef: `ref-${this.sent.length}` };
  }
}

/** Plays a provider that makes and checks its own codes (Sinch Verification, StartMessaging). */
class CodeOwningProvider extends RecordingProvider {
  override readonly ownsCodes = true;
  readonly codes = new Map<string, string>();
  override async send(message: OtpMessage): Promise<OtpDispatch> {
    const dispatch = await super.send(message);
    this.codes.set(dispatch.providerRef!, '7777');
    return dispatch;
  }
  override async check(request: ProviderCheck): Promise<ProviderVerdict> {
    return this.codes.get(request.providerRef) === request.code ? 'approved' : 'rejected';
  }
}

const smsRouterOf = (...providers: SmsProvider[]) =>
  new SmsRouter(providers, {
    defaultOrder: providers.map((provider) => provider.name),
    routes: new Map(),
    timeoutMs: 1000,
    retries: 0,
    backoffMs: 1,
    breakerThreshold: 100,
    halfOpenAfterMs: 1000,
  });
/** SMS only, as configured by default. */
const routerOf = (...providers: SmsProvider[]) => new ChannelRouters(new Map([['sms', smsRouterOf(...providers)]]), new Map([['*', ['sms']]]));

const config = {
  codeLength: 6,
  ttlSeconds: 300,
  maxAttempts: 5,
  resendCooldownSeconds: { sms: 30, whatsapp: 30, voice: 60 },
  phoneMaxFailures: 20,
  phoneFailureWindowSeconds: 86400,
  phoneSendLimits: [
    { max: 5, windowSeconds: 3600 },
    { max: 10, windowSeconds: 86400 },
    { max: 2, windowSeconds: 86400, channel: 'voice' as const },
  ],
};
const keys = KeyDerivation.of('unit-secret-unit-secret-unit-secret!');
const app = { port: 3000, nodeEnv: 'test', production: false, publicUrl: 'http://localhost:3000', logLevel: 'error', defaultCountry: 'IN' };
const throttling = {
  allowedCountries: new Set<string>(),
  deniedCountries: new Set<string>(),
  blockedNumberTypes: new Set(['PREMIUM_RATE']),
  countryBudgetsPerHour: new Map<string, number>(),
  prefixBreaker: { windowMs: 3_600_000, minSends: 1000, minConversion: 0.2, blockMs: 43_200_000, renewMinAttempts: 12_000 },
  safeList: new SafeList([]),
  ruleModes: ruleModesOf([]),
};
const providersConfig = { appName: 'Acme', originHost: undefined, testNumbers: new Map([['+15005550006', '123456']]) };

describe(LoginService.name, () => {
  let repository: InMemoryVerificationRepository;
  let provider: RecordingProvider;
  let clock: StepClock;
  let started: string[];
  let sut: ReturnType<typeof serviceWith>;
  let fraud: InMemoryFraudRepository;

  beforeEach(() => {
    const events = new InMemoryEventLog(new SystemClock(), 1000);
    fraud = new InMemoryFraudRepository(events);
    repository = new InMemoryVerificationRepository(events);
    provider = new RecordingProvider();
    clock = new StepClock();
    started = [];
    const sessions = {
      start: async (phone: string) => {
        started.push(phone);
        return { sessionId: 'ses_1' } as TokenPair;
      },
    } as unknown as SessionService;
    sut = serviceWith(routerOf(provider), sessions);
  });

  const serviceWith = (router: ChannelRouters, sessions?: SessionService, codes: OtpCodeGenerator = new SequenceCodes(), otp = config) => {
    const verifications = new VerificationService(repository, codes, new OtpCodeHasher(keys), new PhoneTagger(keys), clock, otp);
    const login = new LoginService(
      verifications,
      new CodeDelivery(router, providersConfig as never, otp),
      new FraudGuard(fraud, clock, throttling as never, new Metrics()),
      sessions ?? ({ start: async (phone: string) => ({ user: { phone } }) as TokenPair } as unknown as SessionService),
      new LoginMetrics(new Metrics()),
      app as never,
    );
    return {
      send: login.send.bind(login),
      verify: login.verify.bind(login),
      status: (id: string) => verifications.status(id),
    };
  };


  it('sends the code in a text that names its lifetime, to the E.164 number', async () => {
    await sut.send({ phone: '98765 43210' });
    expect(provider.sent).toEqual([
      {
        verificationId: expect.any(String),
        channel: 'sms',
        to: '+919876543210',
        code: '000001',
        text: '000001 is your Acme code. It expires in 5 min. Do not share it.',
        locale: undefined,
        ttlSeconds: 300,
        idempotencyKey: expect.stringMatching(/\.1$/),
      },
    ]);
  });

  it('stores only a digest of the code', async () => {
    const { view: { verification } } = await sut.send({ phone: '+919876543210' });
    expect(verification.codeHash).not.toContain('000001');
    expect(verification.codeHash).toHaveLength(43);
  });

  it('sends nothing when the store is unavailable', async () => {
    jest.spyOn(repository, 'start').mockRejectedValue(new DomainError('store_unavailable', 'down'));
    await expect(sut.send({ phone: '+919876543210' })).rejects.toMatchObject({ code: 'store_unavailable' });
    expect(provider.sent).toEqual([]);
  });

  it('turns a provider failure into provider_unavailable without exposing the cause', async () => {
    provider.failWith = new ProviderError('recording', 'HTTP 500 from upstream', { transient: true, status: 500 });
    const failure = sut.send({ phone: '+919876543210' });
    await expect(failure).rejects.toMatchObject({ code: 'provider_unavailable', detail: 'The code could not be sent. Try again shortly.' });
  });

  it('opens a session for the verified phone only on the right code', async () => {
    const { view: { verification } } = await sut.send({ phone: '+919876543210' });
    await expect(sut.verify({ verificationId: verification.id, code: '999999' }, {})).rejects.toMatchObject({
      code: 'invalid_code',
      extensions: { attemptsRemaining: 4 },
    });
    expect(started).toEqual([]);
    await sut.verify({ verificationId: verification.id, code: '000001' }, {});
    expect(started).toEqual(['+919876543210']);
  });

  it('rejects a sixth wrong code', async () => {
    const { view: { verification } } = await sut.send({ phone: '+919876543210' });
    for (let attempt = 0; attempt < 5; attempt += 1) {
      await expect(sut.verify({ verificationId: verification.id, code: '999999' }, {})).rejects.toMatchObject({ code: 'invalid_code' });
    }
    await expect(sut.verify({ verificationId: verification.id, code: '999999' }, {})).rejects.toMatchObject({
      code: 'max_attempts_reached',
    });
  });

  it('binds a code to its phone: the same code sent to two phones opens only the session it was sent for', async () => {
    const sameCode = new (class extends OtpCodeGenerator {
      generate() {
        return '424242';
      }
    })();
    const bound = serviceWith(routerOf(provider), undefined, sameCode);
    const { view: a } = await bound.send({ phone: '+919876543210' });
    const { view: b } = await bound.send({ phone: '+919876543211' });
    expect(a.verification.codeHash).not.toBe(b.verification.codeHash);
    const tokens = await bound.verify({ verificationId: a.verification.id, code: '424242' }, {});
    expect(tokens.user.phone).toBe('+919876543210');
    expect((await bound.status(b.verification.id)).status).toBe('pending');
  });

  it('fails over to the next provider and records which one delivered', async () => {
    const second = new RecordingProvider('second');
    provider.failWith = new ProviderError('recording', 'HTTP 503', { transient: true, status: 503 });
    const failing = serviceWith(routerOf(provider, second));
    const { view: { verification } } = await failing.send({ phone: '+919876543210' });
    expect(second.sent).toHaveLength(1);
    expect(await repository.find(verification.id, clock.ms)).toMatchObject({ provider: 'second', providerRef: 'ref-1' });
  });

  it('lets a provider that owns the code decide, within the service\'s own attempt limits', async () => {
    const owning = new CodeOwningProvider('owning');
    const service = serviceWith(routerOf(owning));
    const { view: { verification } } = await service.send({ phone: '+919876543210' });
    expect((await repository.find(verification.id, clock.ms))?.codeHash).toBe('');
    await expect(service.verify({ verificationId: verification.id, code: '000001' }, {})).rejects.toMatchObject({
      code: 'invalid_code',
      extensions: { attemptsRemaining: 4 },
    });
    const tokens = await service.verify({ verificationId: verification.id, code: '7777' }, {});
    expect(tokens.user.phone).toBe('+919876543210');
    await expect(service.verify({ verificationId: verification.id, code: '7777' }, {})).rejects.toMatchObject({
      code: 'verification_not_found',
    });
  });

  it('never calls a provider for a test number, whose fixed code logs in', async () => {
    const { view: { verification } } = await sut.send({ phone: '+15005550006' });
    expect(provider.sent).toEqual([]);
    await expect(sut.verify({ verificationId: verification.id, code: '123456' }, {})).resolves.toBeDefined();
  });

  it('lets the person ask again at once when the provider failed to deliver', async () => {
    provider.failWith = new ProviderError('recording', 'down', { transient: false });
    await expect(sut.send({ phone: '+919876543210' })).rejects.toMatchObject({ code: 'provider_unavailable' });
    provider.failWith = undefined;
    await sut.send({ phone: '+919876543210' });
    expect(provider.sent).toHaveLength(1);
  });

  it('locks the phone after its failure budget, across verifications, and tells when to retry', async () => {
    const locked = serviceWith(routerOf(provider), undefined, new SequenceCodes(), { ...config, phoneMaxFailures: 6 });
    for (let round = 0; round < 2; round += 1) {
      const { view: { verification } } = await locked.send({ phone: '+919876543210' });
      for (let attempt = 0; attempt < (round === 0 ? 5 : 1); attempt += 1) {
        await locked.verify({ verificationId: verification.id, code: '999999' }, {}).catch(() => undefined);
      }
      clock.ms += 60_000;
    }
    await expect(locked.send({ phone: '+919876543210' })).rejects.toMatchObject({
      code: 'max_attempts_reached',
      extensions: { retryAfterSeconds: 86400 - 120 },
    });
  });

  it('writes nothing for a send refused by a blocked prefix: the pending code still works, no cooldown or send is counted', async () => {
    const { view: { verification } } = await sut.send({ phone: '+919876543210' });
    let blocked = true;
    jest.spyOn(fraud, 'checkPrefix').mockImplementation(async () => ({ blockedForMs: blocked ? 60_000 : 0 }));
    const start = jest.spyOn(repository, 'start');
    for (let attempt = 0; attempt < config.phoneSendLimits[0].max; attempt += 1) {
      clock.ms += config.resendCooldownSeconds.sms * 1000;
      await expect(sut.send({ phone: '+919876543210' })).rejects.toMatchObject({ code: 'rate_limited', extensions: { retryAfterSeconds: 60 } });
    }
    expect(start).not.toHaveBeenCalled();
    expect(provider.sent).toHaveLength(1);
    await expect(sut.verify({ verificationId: verification.id, code: '000001' }, {})).resolves.toBeDefined();
    blocked = false;
    await expect(sut.send({ phone: '+919876543210' })).resolves.toMatchObject({ view: { status: 'pending' } });
  });

  it('answers a blocked prefix before the store\'s own refusal, as if it had been asked first', async () => {
    await sut.send({ phone: '+919876543210' });
    jest.spyOn(fraud, 'checkPrefix').mockResolvedValue({ blockedForMs: 60_000 });
    await expect(sut.send({ phone: '+919876543210' })).rejects.toMatchObject({ code: 'rate_limited', extensions: { retryAfterSeconds: 60 } });
  });

  describe('channels', () => {
    let sms: RecordingProvider;
    let whatsapp: RecordingProvider;
    let voice: RecordingProvider;
    let channels: ReturnType<typeof serviceWith>;

    beforeEach(() => {
      sms = new RecordingProvider('sms-gateway');
      whatsapp = new RecordingProvider('whatsapp-gateway');
      voice = new RecordingProvider('voice-gateway');
      const routers = new Map([
        ['sms', smsRouterOf(sms)],
        ['whatsapp', smsRouterOf(whatsapp)],
        ['voice', smsRouterOf(voice)],
      ] as const);
      // India: WhatsApp first; elsewhere SMS only.
      const order = new Map<string, ('sms' | 'whatsapp' | 'voice')[]>([
        ['IN', ['whatsapp', 'sms', 'voice']],
        ['*', ['sms']],
      ]);
      channels = serviceWith(new ChannelRouters(routers, order));
    });

    it('sends by the channel asked for, with the text written for it, and offers the country\'s channels', async () => {
      const sent = await channels.send({ phone: '+919876543210', channel: 'voice', locale: 'es' });
      expect(voice.sent).toEqual([expect.objectContaining({ channel: 'voice', text: 'Tu código de Acme es 0, 0, 0, 0, 0, 1. Repito: 0, 0, 0, 0, 0, 1.' })]);
      expect(sms.sent).toEqual([]);
      expect(sent.view.verification).toMatchObject({ channel: 'voice', provider: 'voice-gateway' });
      expect(sent.channels).toEqual(['whatsapp', 'sms', 'voice']);
    });

    it('refuses a channel its country is not offered before anything is stored, naming the ones it is', async () => {
      const start = jest.spyOn(repository, 'start');
      await expect(channels.send({ phone: '+14155550123', channel: 'whatsapp' })).rejects.toMatchObject({
        code: 'channel_unavailable',
        extensions: { channels: ['sms'] },
      });
      expect(start).not.toHaveBeenCalled();
      expect(whatsapp.sent).toEqual([]);
    });

    it('auto follows the country\'s order and falls through to the next channel when one channel\'s providers all fail', async () => {
      whatsapp.failWith = new ProviderError('whatsapp-gateway', 'HTTP 400 not a WhatsApp user', { transient: false, status: 400 });
      const sent = await channels.send({ phone: '+919876543210', channel: 'auto' });
      expect(sms.sent).toEqual([expect.objectContaining({ channel: 'sms', text: expect.stringContaining('000001 is your Acme code') })]);
      expect(sent.view.verification).toMatchObject({ channel: 'sms', provider: 'sms-gateway' });
      expect(await repository.find(sent.view.verification.id, clock.ms)).toMatchObject({ channel: 'sms', provider: 'sms-gateway' });
    });

    it('counts a fall-through to a call on the call\'s own cap and cooldown, and skips calls once the cap is used up', async () => {
      const down = (name: string) => new ProviderError(name, 'HTTP 400 not deliverable', { transient: false, status: 400 });
      whatsapp.failWith = down('whatsapp-gateway');
      sms.failWith = down('sms-gateway');
      for (let call = 1; call <= 2; call += 1) {
        const sent = await channels.send({ phone: '+919876543210', channel: 'auto' });
        expect(sent.view.verification).toMatchObject({ channel: 'voice', resendAtMs: clock.ms + 60_000 });
        clock.ms += 60_000;
      }
      // Two calls a day in this configuration: the third auto send may not ring the phone.
      await expect(channels.send({ phone: '+919876543210', channel: 'auto' })).rejects.toMatchObject({ code: 'provider_unavailable' });
      expect(voice.sent).toHaveLength(2);
    });

    it('refuses an explicit channel whose providers fail rather than using another, and leaves no pending code', async () => {
      whatsapp.failWith = new ProviderError('whatsapp-gateway', 'HTTP 503', { transient: true, status: 503 });
      await expect(channels.send({ phone: '+919876543210', channel: 'whatsapp' })).rejects.toMatchObject({ code: 'provider_unavailable' });
      expect(sms.sent).toEqual([]);
      await expect(channels.send({ phone: '+919876543210', channel: 'sms' })).resolves.toMatchObject({ view: { verification: { channel: 'sms' } } });
    });

    it('switches channel on a resend: same verification and attempts, a new code, the old one no longer works', async () => {
      const first = await channels.send({ phone: '+919876543210', channel: 'sms' });
      await expect(channels.verify({ verificationId: first.view.verification.id, code: '999999' }, {})).rejects.toMatchObject({ code: 'invalid_code' });
      clock.ms += 30_000;
      const second = await channels.send({ phone: '+919876543210', channel: 'voice' });
      expect(second.view.verification).toMatchObject({ id: first.view.verification.id, attempts: 1, sends: 2, channel: 'voice' });
      expect(voice.sent.map((message) => message.code)).toEqual(['000002']);
      await expect(channels.verify({ verificationId: first.view.verification.id, code: '000001' }, {})).rejects.toMatchObject({ code: 'invalid_code' });
      await expect(channels.verify({ verificationId: first.view.verification.id, code: '000002' }, {})).resolves.toBeDefined();
    });

    it('waits the voice cooldown after a call, and caps calls per phone and day within the sends of every channel', async () => {
      await channels.send({ phone: '+919876543210', channel: 'voice' });
      clock.ms += 30_000;
      await expect(channels.send({ phone: '+919876543210', channel: 'sms' })).rejects.toMatchObject({
        code: 'resend_too_soon',
        extensions: { retryAfterSeconds: 30 },
      });
      clock.ms += 30_000;
      await channels.send({ phone: '+919876543210', channel: 'voice' });
      clock.ms += 60_000;
      // Two calls a day in this configuration: a third is refused, SMS still goes.
      await expect(channels.send({ phone: '+919876543210', channel: 'voice' })).rejects.toMatchObject({ code: 'rate_limited' });
      await expect(channels.send({ phone: '+919876543210', channel: 'sms' })).resolves.toMatchObject({ view: { verification: { channel: 'sms', sends: 3 } } });
      expect(voice.sent).toHaveLength(2);
    });

    it('reports a code that a call made to the provider by the call\'s own method', async () => {
      class CallingProvider extends CodeOwningProvider {
        readonly checked: string[] = [];
        override async check(request: ProviderCheck): Promise<ProviderVerdict> {
          this.checked.push(request.channel);
          return super.check(request);
        }
      }
      const calling = new CallingProvider('calling');
      const service = serviceWith(new ChannelRouters(new Map([['sms', smsRouterOf(sms)], ['voice', smsRouterOf(calling)]] as const), new Map([['*', ['sms', 'voice']]])));
      const sent = await service.send({ phone: '+919876543210', channel: 'voice' });
      await expect(service.verify({ verificationId: sent.view.verification.id, code: '7777' }, {})).resolves.toBeDefined();
      expect(calling.checked).toEqual(['voice']);
    });
  });
});
