import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { createHash, randomBytes } from 'node:crypto';
import { maskPhone } from '../common/phone/phone-number.js';
import { Clock } from '../common/time/clock.js';
import { sessionsConfig } from '../config/sessions.config.js';
import { AccessTokenService } from './access-token.service.js';
import { SessionRepository } from './session.repository.js';
import { UserRepository } from './user.repository.js';

export interface SessionContext {
  clientId?: string;
  userAgent?: string;
  ip?: string;
}

export interface TokenPair {
  tokenType: 'Bearer';
  accessToken: string;
  expiresIn: number;
  refreshToken: string;
  refreshExpiresIn: number;
  sessionId: string;
  user: { id: string; phone: string };
}

@Injectable()
export class SessionService {
  private readonly logger = new Logger(SessionService.name);

  constructor(
    private readonly users: UserRepository,
    private readonly sessions: SessionRepository,
    private readonly accessTokens: AccessTokenService,
    private readonly clock: Clock,
    @Inject(sessionsConfig.KEY) private readonly config: ConfigType<typeof sessionsConfig>,
  ) {}

  /** Opens a session for a phone that has just proven possession, and issues its first token pair. */
  async start(phone: string, context: SessionContext): Promise<TokenPair> {
    const nowMs = this.clock.nowMs();
    const userId = await this.users.findOrCreate(phone, `usr_${randomBytes(16).toString('base64url')}`);
    const sessionId = `ses_${randomBytes(16).toString('base64url')}`;
    const secret = randomBytes(32).toString('base64url');
    await this.sessions.create({
      id: sessionId,
      userId,
      phone,
      refreshTokenHash: hashRefreshSecret(secret),
      clientId: context.clientId,
      userAgent: context.userAgent?.slice(0, 256),
      ip: context.ip,
      createdAtMs: nowMs,
      lastUsedAtMs: nowMs,
      expiresAtMs: nowMs + this.config.refreshTokenTtlSeconds * 1000,
    });
    const accessToken = await this.accessTokens.sign(
      { userId, sessionId, phone, authTimeSeconds: Math.floor(nowMs / 1000), clientId: context.clientId },
      nowMs,
    );
    this.logger.log(`session started for ${maskPhone(phone)}`);
    return {
      tokenType: 'Bearer',
      accessToken,
      expiresIn: this.accessTokens.ttlSeconds,
      refreshToken: `${sessionId}.${secret}`,
      refreshExpiresIn: this.config.refreshTokenTtlSeconds,
      sessionId,
      user: { id: userId, phone },
    };
  }
}

/** Refresh secrets carry 256 random bits, so a plain SHA-256 is a safe stored form. */
export function hashRefreshSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}
