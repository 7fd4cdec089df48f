import {
  type CanActivate,
  createParamDecorator,
  type DynamicModule,
  type ExecutionContext,
  ForbiddenException,
  Inject,
  Injectable,
  Logger,
  Module,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import { StepUpError, TokenError, VerifierUnavailableError } from './errors.js';
import { challengeFor, INVALID_TOKEN_MESSAGE, UNAVAILABLE_MESSAGE } from './http.js';
import { createStepUpVerifier, type ExpectedStepUp, type SpentReceiptStore, type StepUpReceiptClaims, type StepUpVerifier } from './step-up.js';
import { type AccessTokenClaims, createVerifier, type Verifier, type VerifierOptions } from './verifier.js';

export interface PhoneAuthModuleOptions extends VerifierOptions {
  /** Where PhoneAuthStepUp remembers spent receipts. Default in memory (one instance only). */
  spentReceipts?: SpentReceiptStore;
}

export interface PhoneAuthModuleAsyncOptions {
  imports?: DynamicModule['imports'];
  inject?: unknown[];
  useFactory: (...args: any[]) => PhoneAuthModuleOptions | Promise<PhoneAuthModuleOptions>;
}

export const PHONE_AUTH_OPTIONS = Symbol('PHONE_AUTH_OPTIONS');
/** The module's Verifier (one key-set cache for the app): inject it to verify tokens by hand. */
export const PHONE_AUTH_VERIFIER = Symbol('PHONE_AUTH_VERIFIER');
export const PHONE_AUTH_STEP_UP_VERIFIER = Symbol('PHONE_AUTH_STEP_UP_VERIFIER');

type HttpRequest = { headers: Record<string, string | string[] | undefined>; user?: AccessTokenClaims };
type HttpResponse = { header?: (name: string, value: string) => unknown; setHeader?: (name: string, value: string) => unknown };

/**
 * Guards a route with a phone-auth access token: the claims go to `request.user` (read them with
 * `@CurrentUser()`). A refused token is 401 with `WWW-Authenticate: Bearer error="invalid_token"`
 * and one generic message; phone-auth out of reach is 503. Works on Express and Fastify.
 */
@Injectable()
export class PhoneAuthGuard implements CanActivate {
  private readonly logger = new Logger('PhoneAuthGuard');

  constructor(@Inject(PHONE_AUTH_VERIFIER) private readonly verifier: Verifier) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<HttpRequest>();
    try {
      request.user = await this.verifier.verifyAuthorization(request.headers.authorization);
      return true;
    } catch (error) {
      if (error instanceof TokenError) {
        setHeader(http.getResponse<HttpResponse>(), 'WWW-Authenticate', challengeFor(error));
        throw new UnauthorizedException(INVALID_TOKEN_MESSAGE, { cause: error });
      }
      if (error instanceof VerifierUnavailableError) {
        this.logger.warn(error.message);
        throw new ServiceUnavailableException(UNAVAILABLE_MESSAGE, { cause: error });
      }
      throw error;
    }
  }
}

/** The verified access token's claims (`request.user`), in a route guarded by PhoneAuthGuard. */
export const CurrentUser = createParamDecorator(
  (claim: keyof AccessTokenClaims | undefined, context: ExecutionContext) => {
    const user = context.switchToHttp().getRequest<HttpRequest>().user;
    return claim === undefined ? user : user?.[claim];
  },
);

/**
 * Checks step-up receipts (see createStepUpVerifier) with the module's issuer, audience and key
 * set, as Nest exceptions: 403 with the reason in the message, 503 when phone-auth is out of reach.
 */
@Injectable()
export class PhoneAuthStepUp {
  constructor(@Inject(PHONE_AUTH_STEP_UP_VERIFIER) private readonly receipts: StepUpVerifier) {}

  async verify(receipt: string | undefined, expected: ExpectedStepUp): Promise<StepUpReceiptClaims> {
    try {
      return await this.receipts.verify(receipt, expected);
    } catch (error) {
      if (error instanceof StepUpError) throw new ForbiddenException(error.message, { cause: error });
      if (error instanceof VerifierUnavailableError) throw new ServiceUnavailableException('Cannot check step-up receipts right now.', { cause: error });
      throw error;
    }
  }
}

const PROVIDERS = [
  { provide: PHONE_AUTH_VERIFIER, inject: [PHONE_AUTH_OPTIONS], useFactory: (options: PhoneAuthModuleOptions) => createVerifier(options) },
  {
    provide: PHONE_AUTH_STEP_UP_VERIFIER,
    inject: [PHONE_AUTH_OPTIONS, PHONE_AUTH_VERIFIER],
    useFactory: (options: PhoneAuthModuleOptions, verifier: Verifier) =>
      createStepUpVerifier({ ...verifier, store: options.spentReceipts, now: options.now }),
  },
  PhoneAuthGuard,
  PhoneAuthStepUp,
];
const EXPORTS = [PHONE_AUTH_VERIFIER, PHONE_AUTH_STEP_UP_VERIFIER, PhoneAuthGuard, PhoneAuthStepUp];

/** Register once: global, so `@UseGuards(PhoneAuthGuard)` works in every module, on one key-set cache. */
@Module({})
export class PhoneAuthModule {
  static forRoot(options: PhoneAuthModuleOptions): DynamicModule {
    return { module: PhoneAuthModule, global: true, providers: [{ provide: PHONE_AUTH_OPTIONS, useValue: options }, ...PROVIDERS], exports: EXPORTS };
  }

  /** Options from other providers, e.g. `{ inject: [ConfigService], useFactory: (config) => ({ ... }) }`. */
  static forRootAsync(options: PhoneAuthModuleAsyncOptions): DynamicModule {
    return {
      module: PhoneAuthModule,
      global: true,
      imports: options.imports ?? [],
      providers: [{ provide: PHONE_AUTH_OPTIONS, inject: (options.inject ?? []) as never[], useFactory: options.useFactory }, ...PROVIDERS],
      exports: EXPORTS,
    };
  }
}

function setHeader(response: HttpResponse, name: string, value: string): void {
  // Fastify's reply and Express's response both have header(); a bare Node response has setHeader().
  if (typeof response.header === 'function') response.header(name, value);
  else response.setHeader?.(name, value);
}

