export { appConfig } from './app.config.js';
export { otpConfig } from './otp.config.js';
export { providersConfig } from './providers.config.js';
export { redisConfig } from './redis.config.js';
export { sessionsConfig } from './sessions.config.js';
export { Environment, EnvironmentError, validateEnvironment } from './environment.js';
export { clientsConfig } from './clients.config.js';
export { throttlingConfig } from './throttling.config.js';
