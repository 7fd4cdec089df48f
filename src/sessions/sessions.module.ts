import { Logger, Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { JwtModule } from '@nestjs/jwt';
import { ClientsModule } from '../clients/clients.module.js';
import { ThrottlingModule } from '../throttling/throttling.module.js';
import { sessionsConfig } from './sessions.config.js';
import { EventLog } from '../events/event-log.js';
import { storeAdapter } from '../redis/store-adapter.js';
import { AccessTokenGuard } from './access-token.guard.js';
import { AccessTokenService } from './access-token.service.js';
import { JwtSigner } from './jwt-signer.js';
import { InMemorySessionRepository } from './in-memory-session.repository.js';
import { InMemoryUserRepository } from './in-memory-user.repository.js';
import { RedisSessionRepository } from './redis-session.repository.js';
import { RedisUserRepository } from './redis-user.repository.js';
import { OAuthTokenController } from './oauth-token.controller.js';
import { RefreshTokens } from './refresh-token.js';
import { SessionRepository } from './session.repository.js';
import { SessionService } from './session.service.js';
import { SessionsController } from './sessions.controller.js';
import { SigningKeys } from './signing-keys.js';
import { StepUpReceiptService } from './step-up-receipt.service.js';
import { TokensController } from './tokens.controller.js';
import { UserRepository } from './user.repository.js';
import { UsersService } from './users.service.js';
import { WellKnownController } from './well-known.controller.js';

@Module({
  imports: [JwtModule.register({}), ClientsModule, ThrottlingModule],
  controllers: [SessionsController, TokensController, OAuthTokenController, WellKnownController],
  providers: [
    {
      provide: SigningKeys,
      inject: [sessionsConfig.KEY],
      useFactory: (config: ConfigType<typeof sessionsConfig>) => {
        const keys = SigningKeys.load({
          algorithm: config.algorithm,
          privateKeyPem: config.privateKeyPem,
          privateKeyFile: config.privateKeyFile,
          publicKeysFile: config.publicKeysFile,
        });
        const logger = new Logger('SigningKeys');
        if (keys.ephemeral) {
          logger.warn('No JWT_PRIVATE_KEY: signing with an ephemeral key; tokens die with this process (development only).');
        }
        logger.log(`signing ${config.algorithm} with kid ${keys.kid}; publishing ${keys.jwks().keys.length} key(s)`);
        return keys;
      },
    },
    storeAdapter<UserRepository, [EventLog]>(UserRepository, {
      inject: [EventLog],
      redis: ({ client, scripts, keys }, events) => new RedisUserRepository(client, scripts, keys, events),
      memory: (events) => new InMemoryUserRepository(events),
    }),
    storeAdapter<SessionRepository, [ConfigType<typeof sessionsConfig>, EventLog]>(SessionRepository, {
      inject: [sessionsConfig.KEY, EventLog],
      redis: ({ client, scripts, keys }, config, events) => new RedisSessionRepository(client, scripts, keys, config.refreshTokenTtlSeconds, events),
      memory: (_config, events) => new InMemorySessionRepository(events),
    }),
    // Its MAC key is derived from OTP_HMAC_SECRET (shared by every instance).
    RefreshTokens,
    JwtSigner,
    AccessTokenService,
    AccessTokenGuard,
    SessionService,
    StepUpReceiptService,
    UsersService,
  ],
  exports: [SessionService, AccessTokenGuard, StepUpReceiptService, UsersService],
})
export class SessionsModule {}
