import { Logger, Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { JwtModule } from '@nestjs/jwt';
import type { Redis } from 'ioredis';
import { sessionsConfig } from '../config/sessions.config.js';
import { REDIS_CLIENT } from '../redis/redis.constants.js';
import { RedisKeys } from '../redis/redis-keys.js';
import { AccessTokenService } from './access-token.service.js';
import { JwksController } from './jwks.controller.js';
import { InMemorySessionRepository, RedisSessionRepository, SessionRepository } from './session.repository.js';
import { SessionService } from './session.service.js';
import { SigningKey, loadSigningKey } from './signing-keys.js';
import { InMemoryUserRepository, RedisUserRepository, UserRepository } from './user.repository.js';

@Module({
  imports: [JwtModule.register({})],
  controllers: [JwksController],
  providers: [
    {
      provide: SigningKey,
      inject: [sessionsConfig.KEY],
      useFactory: (config: ConfigType<typeof sessionsConfig>): SigningKey => {
        const key = loadSigningKey(config);
        if (key.ephemeral) {
          new Logger('SigningKey').warn(
            'No JWT_PRIVATE_KEY: signing with an ephemeral key; tokens die with this process (development only).',
          );
        }
        return key;
      },
    },
    {
      provide: UserRepository,
      inject: [REDIS_CLIENT, RedisKeys],
      useFactory: (redis: Redis | null, keys: RedisKeys) =>
        redis ? new RedisUserRepository(redis, keys) : new InMemoryUserRepository(),
    },
    {
      provide: SessionRepository,
      inject: [REDIS_CLIENT, RedisKeys],
      useFactory: (redis: Redis | null, keys: RedisKeys) =>
        redis ? new RedisSessionRepository(redis, keys) : new InMemorySessionRepository(),
    },
    AccessTokenService,
    SessionService,
  ],
  exports: [SessionService, SessionRepository, UserRepository],
})
export class SessionsModule {}
