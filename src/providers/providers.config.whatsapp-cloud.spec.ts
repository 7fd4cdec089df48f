import { environmentProblems } from '../../test/support/environment-problems.js';
import { validateEnvironment } from '../config/environment.js';
import { providersConfig } from './providers.config.js';

// The whatsapp-cloud settings only; the rest of the environment is covered in src/config.
const problemsOf = environmentProblems;

const CONFIGURED = {
  WHATSAPP_ACCESS_TOKEN: 'EAAtoken',
  WHATSAPP_PHONE_NUMBER_ID: '106540352242922',
  WHATSAPP_TEMPLATE_NAME: 'verification_code',
};

describe('providersConfig (whatsapp-cloud)', () => {
  it('derives the adapter options with Meta defaults', () => {
    expect(providersConfig(validateEnvironment(CONFIGURED)).whatsappCloud).toEqual({
      accessToken: 'EAAtoken',
      phoneNumberId: '106540352242922',
      templateName: 'verification_code',
      defaultLanguage: 'en_US',
      apiVersion: 'v25.0',
      baseUrl: 'https://graph.facebook.com',
    });
  });

  it('names the three settings the provider needs when it is configured', () => {
    expect(problemsOf({ SMS_PROVIDERS: 'whatsapp-cloud' })).toEqual(
      expect.arrayContaining([
        'SMS_PROVIDERS names whatsapp-cloud, which needs WHATSAPP_ACCESS_TOKEN',
        'SMS_PROVIDERS names whatsapp-cloud, which needs WHATSAPP_PHONE_NUMBER_ID',
        'SMS_PROVIDERS names whatsapp-cloud, which needs WHATSAPP_TEMPLATE_NAME',
      ]),
    );
  });

  it('refuses a phone number instead of its id, a template name Meta would refuse, a locale tag, a bare version and a trailing slash', () => {
    expect(
      problemsOf({
        WHATSAPP_PHONE_NUMBER_ID: '+15551234567',
        WHATSAPP_TEMPLATE_NAME: 'Verification Code',
        WHATSAPP_TEMPLATE_LANGUAGE: 'en-US',
        WHATSAPP_API_VERSION: '25',
        WHATSAPP_BASE_URL: 'https://graph.facebook.com/',
      }),
    ).toEqual([
      expect.stringContaining('WHATSAPP_PHONE_NUMBER_ID must be the phone number id'),
      expect.stringContaining('WHATSAPP_TEMPLATE_NAME must be a template name'),
      expect.stringContaining('WHATSAPP_TEMPLATE_LANGUAGE must be a WhatsApp language code'),
      expect.stringContaining('WHATSAPP_API_VERSION must look like v25.0'),
      expect.stringContaining('WHATSAPP_BASE_URL must not end with "/"'),
    ]);
  });

  it('treats empty settings as unset', () => {
    expect(problemsOf({ WHATSAPP_ACCESS_TOKEN: '', WHATSAPP_PHONE_NUMBER_ID: '', WHATSAPP_TEMPLATE_NAME: '' })).toEqual([]);
  });
});
