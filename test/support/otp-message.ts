import type { OtpMessage, ProviderError } from '../../src/providers/sms-provider.js';

/** The number and code the provider adapter specs send. */
export const TEST_PHONE = '+919876543210';
export const TEST_CODE = '482913';

export const otpMessage = (overrides: Partial<OtpMessage> = {}): OtpMessage => ({
  verificationId: 'ver-123',
  channel: 'sms',
  to: TEST_PHONE,
  code: TEST_CODE,
  text: `Your code is ${TEST_CODE}`,
  ttlSeconds: 300,
  idempotencyKey: 'idem-1',
  ...overrides,
});

/** A provider error is logged: it may name the provider's answer, never the number or the code. */
export const expectNoSecrets = (error: ProviderError, ...secrets: string[]) => {
  for (const secret of [TEST_PHONE, TEST_PHONE.slice(3), TEST_CODE, ...secrets]) expect(error.message).not.toContain(secret);
};
