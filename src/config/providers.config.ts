import { registerAs } from '@nestjs/config';
import { publicUrlOf, SmsProviderName, validateEnvironment } from './environment.js';

export const providersConfig = registerAs('providers', () => {
  const env = validateEnvironment(process.env);
  return {
    /** Failover order for every country without a route of its own. */
    smsProviders: env.SMS_PROVIDERS,
    /** Country (ISO 3166-1 alpha-2) to its own failover order. */
    routes: new Map(
      env.SMS_ROUTES.map((route) => {
        const [country, providers] = route.split(':');
        return [country, providers.split('+') as SmsProviderName[]];
      }),
    ),
    timeoutMs: env.SMS_PROVIDER_TIMEOUT_MS,
    appName: env.APP_NAME,
    /** Host for the origin-bound code line (`@host #123456`); only when PUBLIC_URL is set. */
    originHost: env.PUBLIC_URL === undefined ? undefined : new URL(publicUrlOf(env)).hostname,
    testNumbers: new Map(env.TEST_PHONE_NUMBERS.map((entry) => entry.split(':') as [string, string])),
    sinchVerification: {
      applicationKey: env.SINCH_APPLICATION_KEY ?? '',
      applicationSecret: env.SINCH_APPLICATION_SECRET ?? '',
      baseUrl: env.SINCH_VERIFICATION_BASE_URL,
    },
    sinchSms: {
      projectId: env.SINCH_PROJECT_ID ?? '',
      keyId: env.SINCH_KEY_ID ?? '',
      keySecret: env.SINCH_KEY_SECRET ?? '',
      baseUrl: env.SINCH_SMS_BASE_URL,
      authBaseUrl: env.SINCH_AUTH_BASE_URL,
      from: env.SINCH_SMS_FROM,
    },
    startMessaging: { apiKey: env.STARTMESSAGING_API_KEY ?? '', baseUrl: env.STARTMESSAGING_BASE_URL },
    webhook: { url: env.SMS_WEBHOOK_URL ?? '', secret: env.SMS_WEBHOOK_SECRET ?? '' },
  };
});
