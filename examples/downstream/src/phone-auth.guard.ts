import {
  CanActivate,
  ExecutionContext,
  Inject,
  Injectable,
  Logger,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';

/** How to validate phone-auth access tokens. */
export interface PhoneAuthOptions {
  /** phone-auth's key set, e.g. `http://localhost:3000/.well-known/jwks.json`. */
  jwksUrl: string;
  /** The `iss` phone-auth puts in its tokens: its PUBLIC_URL. */
  issuer: string;
  /** The `aud` to require: phone-auth's JWT_AUDIENCE, which defaults to its PUBLIC_URL. */
  audience: string | string[];
  /** Signature algorithms to accept. Default `['ES256', 'RS256']`; never add `none` or an HS* one. */
  algorithms?: string[];
  /** Leeway on `exp` and `nbf` for clock skew between the hosts. Default 30. */
  clockToleranceSeconds?: number;
}

// The claims phone-auth puts in an access token (RFC 9068 plus the OpenID Connect phone claims).
export interface PhoneAuthClaims extends JWTPayload {
  sub: string;
  sid: string;
  auth_time: number;
  amr: string[];
  phone_number: string;
  phone_number_verified: boolean;
  client_id?: string;
}

export const PHONE_AUTH_OPTIONS = Symbol('PHONE_AUTH_OPTIONS');
export const PHONE_AUTH_KEY_SET = Symbol('PHONE_AUTH_KEY_SET');

export const DEFAULT_ALGORITHMS = ['ES256', 'RS256'];
export const DEFAULT_CLOCK_TOLERANCE_SECONDS = 30;

// Matches the `Cache-Control: max-age=300` phone-auth serves its JWKS with.
const KEY_SET_CACHE_MAX_AGE_MS = 5 * 60_000;
// An unknown kid refetches the key set (a rotation), at most once per this window, so a flood
// of forged kids cannot turn into a flood of requests to phone-auth.
const KEY_SET_COOLDOWN_MS = 30_000;
const KEY_SET_TIMEOUT_MS = 5_000;
// Far above any real access token; a bigger header is not worth parsing.
const MAX_TOKEN_LENGTH = 8 * 1024;

// One remote key set per app, shared by every guard, so it is fetched and cached once.
export function createPhoneAuthKeySet(options: PhoneAuthOptions): JWTVerifyGetKey {
  return createRemoteJWKSet(new URL(options.jwksUrl), {
    cacheMaxAge: KEY_SET_CACHE_MAX_AGE_MS,
    cooldownDuration: KEY_SET_COOLDOWN_MS,
    timeoutDuration: KEY_SET_TIMEOUT_MS,
  });
}

type RequestWithUser = { headers: Record<string, string | string[] | undefined>; user?: PhoneAuthClaims };

// phone-auth (or the way to it) is down or answering garbage: not the caller's fault.
class KeySetUnavailable extends Error {}
// What the key lookup throws because of the token's own header (kid, alg), not the key set.
const TOKEN_FAULTS = [errors.JWKSNoMatchingKey, errors.JWKSMultipleMatchingKeys, errors.JOSENotSupported, errors.JOSEAlgNotAllowed];

@Injectable()
export class PhoneAuthGuard implements CanActivate {
  private readonly logger = new Logger(PhoneAuthGuard.name);
  private readonly algorithms: string[];
  private readonly clockTolerance: number;
  private readonly getKey: JWTVerifyGetKey;

  constructor(
    @Inject(PHONE_AUTH_OPTIONS) private readonly options: PhoneAuthOptions,
    @Inject(PHONE_AUTH_KEY_SET) keySet: JWTVerifyGetKey,
  ) {
    this.algorithms = options.algorithms ?? DEFAULT_ALGORITHMS;
    this.clockTolerance = options.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS;
    // jose reports a failed fetch the same way as a bad token; tell them apart here.
    this.getKey = async (header, token) => {
      try {
        return await keySet(header, token);
      } catch (error) {
        if (TOKEN_FAULTS.some((fault) => error instanceof fault)) throw error;
        throw new KeySetUnavailable(error instanceof Error ? error.message : String(error));
      }
    };
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<RequestWithUser>();
    const token = bearerToken(request.headers.authorization);
    if (token === undefined) throw refused();
    try {
      const { payload } = await jwtVerify<PhoneAuthClaims>(token, this.getKey, {
        issuer: this.options.issuer,
        audience: this.options.audience,
        algorithms: this.algorithms,
        typ: 'at+jwt',
        clockTolerance: this.clockTolerance,
        requiredClaims: ['exp', 'iat', 'sub'],
      });
      // jose checks nbf and exp; a token issued in the future is as wrong (RFC 8725 3.8).
      if ((payload.iat ?? 0) > Date.now() / 1000 + this.clockTolerance) throw refused();
      request.user = payload;
      return true;
    } catch (error) {
      if (error instanceof KeySetUnavailable) {
        this.logger.warn(`phone-auth key set unavailable: ${error.message}`);
        throw new ServiceUnavailableException('Cannot validate access tokens right now.');
      }
      // Which check failed helps an attacker more than a client: one answer for all.
      throw refused();
    }
  }
}

function bearerToken(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string' || header.length > MAX_TOKEN_LENGTH + 7) return undefined;
  return /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)$/i.exec(header)?.[1];
}

function refused(): UnauthorizedException {
  return new UnauthorizedException('The access token is missing, invalid or expired.');
}
