import { registerAs } from '@nestjs/config';
import { validateEnvironment } from './environment.js';

export const clientsConfig = registerAs('clients', () => {
  const env = validateEnvironment(process.env);
  return {
    /** Internal services: name and SHA-256 (hex) of their API key. */
    apiKeys: env.API_KEYS.map((entry) => {
      const [name, sha256] = entry.split(':');
      return { name, sha256 };
    }),
  };
});
