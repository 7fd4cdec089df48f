import { generateKeyPairSync } from 'node:crypto';
import type { LoggerService } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { AppModule } from '../../src/app.module.js';
import { configureApp, fastifyOptions } from '../../src/app.setup.js';
import { Clock } from '../../src/common/time/clock.js';
import { publicUrlOf } from '../../src/config/app.config.js';
import { validateEnvironment } from '../../src/config/environment.js';
import { OtpCodeGenerator } from '../../src/otp/otp-code.generator.js';
import { RecordingCodeGenerator } from './recording-code.generator.js';

export const TEST_HMAC_SECRET = 'test-hmac-secret-of-at-least-32-characters';

export function testSigningKeyPem(): string {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
}

/** Keeps every log line of the app, so suites can assert what must never be logged. */
export class CapturingLogger implements LoggerService {
  readonly lines: string[] = [];
  log(message: unknown, ...rest: unknown[]) { this.lines.push([message, ...rest].map(String).join(' ')); }
  error(message: unknown, ...rest: unknown[]) { this.log(message, ...rest); }
  warn(message: unknown, ...rest: unknown[]) { this.log(message, ...rest); }
  debug(message: unknown, ...rest: unknown[]) { this.log(message, ...rest); }
  verbose(message: unknown, ...rest: unknown[]) { this.log(message, ...rest); }
  fatal(message: unknown, ...rest: unknown[]) { this.log(message, ...rest); }
}

/**
 * Suites share one redis-server and one client address, so the abuse limits are lifted unless
 * a suite sets them: only the throttling suites test those.
 */
export const GENEROUS_LIMITS = {
  // Request lines (pino) stay out of the test output; the app's own lines go to CapturingLogger.
  LOG_LEVEL: 'error',
  RATE_LIMIT_SEND_PER_IP: '100000',
  RATE_LIMIT_VERIFY_PER_IP: '100000',
  RATE_LIMIT_REFRESH_PER_IP: '100000',
  OTP_PHONE_MAX_SENDS_PER_HOUR: '100',
  OTP_PHONE_MAX_SENDS_PER_DAY: '1000',
  PREFIX_BREAKER_MIN_SENDS: '100000',
};

export interface TestApp {
  app: NestFastifyApplication;
  logs: CapturingLogger;
  codes: RecordingCodeGenerator;
  inject(options: InjectOptions): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

/**
 * The app's configuration as a plain object: the environment variables' names and string values
 * (as in .env.example). Tests hand it to startTestApp; nothing comes from the developer's shell.
 */
export type AppSettings = Readonly<Record<string, string>>;

/**
 * Boots the real AppModule on Fastify with exactly `settings` (over NODE_ENV=test and the generous
 * limits) as its configuration, the same setup as main.ts, and the code generator recording what
 * it makes. The only way the e2e suites start the app.
 */
export async function startTestApp(settings: AppSettings, options: { clock?: Clock } = {}): Promise<TestApp> {
  // Validated as main.ts validates process.env; nothing is read from or written to process.env.
  const env = validateEnvironment({ NODE_ENV: 'test', ...GENEROUS_LIMITS, ...settings });
  const codes = new RecordingCodeGenerator();
  const logs = new CapturingLogger();
  let builder = Test.createTestingModule({ imports: [AppModule.forRoot(env)] }).overrideProvider(OtpCodeGenerator).useValue(codes);
  if (options.clock) builder = builder.overrideProvider(Clock).useValue(options.clock);
  const moduleRef = await builder.compile();
  const app = await configureApp(
    moduleRef.createNestApplication<NestFastifyApplication>(
      new FastifyAdapter(fastifyOptions(env.TRUST_PROXY, publicUrlOf(env))),
      { logger: logs },
    ),
  );
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return {
    app,
    codes,
    logs,
    inject: (request) => app.getHttpAdapter().getInstance().inject(request),
    close: () => app.close(),
  };
}

export function json<T = Record<string, any>>(response: LightMyRequestResponse): T {
  return JSON.parse(response.body) as T;
}
