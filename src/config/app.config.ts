import { registerAs } from '@nestjs/config';
import { publicUrlOf, validateEnvironment } from './environment.js';

export const appConfig = registerAs('app', () => {
  const env = validateEnvironment(process.env);
  return {
    port: env.PORT,
    nodeEnv: env.NODE_ENV,
    production: env.NODE_ENV === 'production',
    publicUrl: publicUrlOf(env),
    logLevel: env.LOG_LEVEL,
    defaultCountry: env.DEFAULT_COUNTRY,
    demoPage: env.DEMO_PAGE ?? env.NODE_ENV !== 'production',
    shutdownDrainMs: env.SHUTDOWN_DRAIN_MS,
    corsOrigins: env.CORS_ORIGINS,
  };
});
