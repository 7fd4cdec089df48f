import { Transform } from 'class-transformer';
import { IsArray, Matches } from 'class-validator';
import { defineConfig } from '../config/define-config.js';
import { toList } from '../config/env-transforms.js';

/** Internal services and their API keys. */
export class ClientsEnvironment {
  @Transform(toList)
  @IsArray()
  @Matches(/^[A-Za-z0-9_.-]{1,64}:[0-9a-f]{64}$/, {
    each: true,
    message: 'API_KEYS entries must be name:sha256-hex (npm run apikey -- NAME prints one)',
  })
  API_KEYS: string[] = [];
}

export const clientsConfig = defineConfig(
  'clients',
  ClientsEnvironment,
  (env) => ({
    /** Internal services: name and SHA-256 (hex) of their API key. */
    apiKeys: env.API_KEYS.map((entry) => {
      const [name, sha256] = entry.split(':');
      return { name, sha256 };
    }),
  }),
  (env) => {
    const names = (env.API_KEYS ?? []).map((entry) => entry.split(':')[0]);
    return new Set(names).size === names.length ? [] : ['API_KEYS names a client twice'];
  },
);
