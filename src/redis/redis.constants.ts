import { Inject } from '@nestjs/common';

/** The shared ioredis client, or null when the service runs on its in-memory adapters. */
export const REDIS_CLIENT = Symbol('REDIS_CLIENT');
export const InjectRedis = (): ParameterDecorator => Inject(REDIS_CLIENT);
