import { DomainError } from '../common/errors/domain.error.js';
import { PhoneTagger } from '../common/phone/phone-tagger.js';
import { Clock } from '../common/time/clock.js';
import { OtpDispatch, OtpMessage, ProviderError, SmsProvider } from '../providers/sms-provider.js';
import type { SessionService, TokenPair } from '../sessions/session.service.js';
import { InMemoryVerificationRepository } from './in-memory-verification.repository.js';
import { OtpCodeGenerator } from './otp-code.generator.js';
import { OtpService } from './otp.service.js';

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
  readonly name = 'recording';
  readonly ownsCodes = false;
  readonly sent: OtpMessage[] = [];
  failWith?: Error;
  async send(message: OtpMessage): Promise<OtpDispatch> {
    if (this.failWith) throw this.failWith;
    this.sent.push(message);
    return {};
  }
}

const config = {
  codeLength: 6,
  ttlSeconds: 300,
  maxAttempts: 5,
  resendCooldownSeconds: 30,
  phoneMaxFailures: 20,
  phoneFailureWindowSeconds: 86400,
  hmacSecret: 'unit-secret-unit-secret-unit-secret!',
  hmacSecretEphemeral: false,
};
const app = { port: 3000, nodeEnv: 'test', production: false, publicUrl: 'http://localhost:3000', logLevel: 'error', defaultCountry: 'IN' };

describe(OtpService.name, () => {
  let repository: InMemoryVerificationRepository;
  let provider: RecordingProvider;
  let clock: StepClock;
  let started: string[];
  let sut: OtpService;

  beforeEach(() => {
    repository = new InMemoryVerificationRepository();
    provider = new RecordingProvider();
    clock = new StepClock();
    started = [];
    const sessions = {
      start: async (phone: string) => {
        started.push(phone);
        return { sessionId: 'ses_1' } as TokenPair;
      },
    } as unknown as SessionService;
    sut = new OtpService(repository, provider, sessions, new SequenceCodes(), new PhoneTagger(config.hmacSecret), clock, config, app as never);
  });

  it('sends the code in a text that names its lifetime, to the E.164 number', async () => {
    await sut.send({ phone: '98765 43210' });
    expect(provider.sent).toEqual([
      {
        verificationId: expect.any(String),
        to: '+919876543210',
        code: '000001',
        text: '000001 is your verification code. It expires in 5 minutes. Never share it.',
        locale: undefined,
        ttlSeconds: 300,
      },
    ]);
  });

  it('stores only a digest of the code', async () => {
    const { verification } = await sut.send({ phone: '+919876543210' });
    expect(verification.codeHash).not.toContain('000001');
    expect(verification.codeHash).toHaveLength(43);
  });

  it('sends nothing when the store is unavailable', async () => {
    jest.spyOn(repository, 'start').mockRejectedValue(new DomainError('store_unavailable', 'down'));
    await expect(sut.send({ phone: '+919876543210' })).rejects.toMatchObject({ code: 'store_unavailable' });
    expect(provider.sent).toEqual([]);
  });

  it('turns a provider failure into provider_unavailable without exposing the cause', async () => {
    provider.failWith = new ProviderError('recording', 'HTTP 500 from upstream');
    const failure = sut.send({ phone: '+919876543210' });
    await expect(failure).rejects.toMatchObject({ code: 'provider_unavailable', detail: 'The code could not be sent. Try again shortly.' });
  });

  it('opens a session for the verified phone only on the right code', async () => {
    const { verification } = await sut.send({ phone: '+919876543210' });
    await expect(sut.verify({ verificationId: verification.id, code: '999999' }, {})).rejects.toMatchObject({
      code: 'invalid_code',
      extensions: { attemptsRemaining: 4 },
    });
    expect(started).toEqual([]);
    await sut.verify({ verificationId: verification.id, code: '000001' }, {});
    expect(started).toEqual(['+919876543210']);
  });

  it('rejects a sixth wrong code', async () => {
    const { verification } = await sut.send({ phone: '+919876543210' });
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
    const sessions = { start: async (phone: string) => ({ user: { phone } }) as TokenPair } as unknown as SessionService;
    const bound = new OtpService(repository, provider, sessions, sameCode, new PhoneTagger(config.hmacSecret), clock, config, app as never);
    const a = await bound.send({ phone: '+919876543210' });
    const b = await bound.send({ phone: '+919876543211' });
    expect(a.verification.codeHash).not.toBe(b.verification.codeHash);
    const tokens = await bound.verify({ verificationId: a.verification.id, code: '424242' }, {});
    expect(tokens.user.phone).toBe('+919876543210');
    expect((await bound.status(b.verification.id)).status).toBe('pending');
  });

  it('lets the person ask again at once when the provider failed to deliver', async () => {
    provider.failWith = new ProviderError('recording', 'down');
    await expect(sut.send({ phone: '+919876543210' })).rejects.toMatchObject({ code: 'provider_unavailable' });
    provider.failWith = undefined;
    await sut.send({ phone: '+919876543210' });
    expect(provider.sent).toHaveLength(1);
  });

  it('locks the phone after its failure budget, across verifications, and tells when to retry', async () => {
    const locked = new OtpService(
      repository, provider, { start: async () => ({}) } as never, new SequenceCodes(), new PhoneTagger(config.hmacSecret), clock,
      { ...config, phoneMaxFailures: 6 }, app as never,
    );
    for (let round = 0; round < 2; round += 1) {
      const { verification } = await locked.send({ phone: '+919876543210' });
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
});
