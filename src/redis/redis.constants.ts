import { Inject } from '@nestjs/common';
import type { Cluster, Redis } from 'ioredis';

/** The shared ioredis client: one server or Sentinel-managed master (Redis), or a Redis Cluster. */
export type RedisClient = Redis | Cluster;

/** The shared ioredis client, or null when the service runs on its in-memory adapters. */
export const REDIS_CLIENT = Symbol('REDIS_CLIENT');
export const InjectRedis = (): ParameterDecorator => Inject(REDIS_CLIENT);
