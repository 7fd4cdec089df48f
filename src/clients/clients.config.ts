import { Transform } from 'class-transformer';
import { IsArray, Matches } from 'class-validator';
import { defineConfig } from '../config/define-config.js';
import { toList } from '../config/env-transforms.js';
import { API_SCOPES, type ApiScope } from './api-client.js';

const SCOPE = `(?:${API_SCOPES.join('|')})`;
const API_KEY_ENTRY = new RegExp(`^[A-Za-z0-9_.-]{1,64}:[0-9a-f]{64}(?::${SCOPE}(?:\\+${SCOPE})*)?$`);

/** Internal services and their API keys. */
export class ClientsEnvironment {
  @Transform(toList)
  @IsArray()
  @Matches(API_KEY_ENTRY, {
    each: true,
    message: `API_KEYS entries must be name:sha256-hex or name:sha256-hex:scope+scope (scopes ${API_SCOPES.join(', ')}; npm run apikey -- NAME [SCOPES] prints one)`,
  })
  API_KEYS: string[] = [];
}

/** An entry without scopes may do everything a key could do before scopes existed: all of them. */
export function parseApiKeyEntry(entry: string): { name: string; sha256: string; scopes: ApiScope[] } {
  const [name, sha256, scopes] = entry.split(':');
  const listed = scopes === undefined ? [...API_SCOPES] : (scopes.split('+') as ApiScope[]);
  return { name, sha256, scopes: API_SCOPES.filter((scope) => listed.includes(scope)) };
}

export const clientsConfig = defineConfig(
  'clients',
  ClientsEnvironment,
  (env) => ({
    /** Internal services: name, SHA-256 (hex) of their API key, and what the key may do. */
    apiKeys: env.API_KEYS.map(parseApiKeyEntry),
  }),
  (env) => {
    const names = (env.API_KEYS ?? []).map((entry) => entry.split(':')[0]);
    return new Set(names).size === names.length ? [] : ['API_KEYS names a client twice'];
  },
);
