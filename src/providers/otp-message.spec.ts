import { OTP_TEXT_LANGUAGES, otpText } from './otp-message.js';

describe(otpText.name, () => {
  const base = { code: '482913', ttlSeconds: 300, appName: 'Acme' };

  it('writes English by default, naming the app and the lifetime', () => {
    expect(otpText(base)).toBe('482913 is your Acme code. It expires in 5 min. Do not share it.');
  });

  it.each([
    ['hi', 'आपका Acme कोड'],
    ['hi-IN', 'आपका Acme कोड'],
    ['es-MX', 'es tu código de Acme'],
    ['pt-BR', 'é o seu código do Acme'],
    ['fr', 'est votre code Acme'],
    ['de', 'is your Acme code'],
  ])('uses the template of %s', (locale, phrase) => {
    const text = otpText({ ...base, locale });
    expect(text.startsWith('482913 ')).toBe(true);
    expect(text).toContain(phrase);
  });

  it('offers at least four languages', () => {
    expect(OTP_TEXT_LANGUAGES).toEqual(expect.arrayContaining(['en', 'hi', 'es', 'pt', 'fr']));
  });

  it('ends with the origin-bound line when the service has a public host', () => {
    expect(otpText({ ...base, originHost: 'auth.example.com' }).split('\n').at(-1)).toBe('@auth.example.com #482913');
    expect(otpText(base)).not.toContain('@');
  });
});
