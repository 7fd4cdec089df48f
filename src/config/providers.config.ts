import { registerAs } from '@nestjs/config';
import { validateEnvironment } from './environment.js';

export const providersConfig = registerAs('providers', () => {
  const env = validateEnvironment(process.env);
  return {
    /** In failover order; the first one is used until routing arrives. */
    smsProviders: env.SMS_PROVIDERS,
  };
});
