import { confirmPhrase, OTP_TEXT_LANGUAGES, otpText, otpVoiceText } from './otp-message.js';

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

describe(confirmPhrase.name, () => {
  const base = { code: '123456', ttlSeconds: 300, appName: 'Acme' };
  const payment = { action: 'payment', amount: 'EUR 50.00', payee: 'ACME' };

  it('names the payment in the text: "Code 123456 to pay EUR 50.00 to ACME"', () => {
    expect(otpText({ ...base, confirming: payment })).toBe('Code 123456 to pay EUR 50.00 to ACME (Acme). It expires in 5 min. Do not share it.');
  });

  it.each([
    [{ amount: 'EUR 5.00' }, 'to pay EUR 5.00'],
    [{ action: 'transfer', amount: 'USD 10', payee: 'Bob' }, 'to confirm transfer of USD 10 to Bob'],
    [{ action: 'change_email' }, 'to confirm change_email'],
    [{ payee: 'ACME' }, 'to confirm a request for ACME'],
    [{}, 'to confirm it is you'],
  ])('words %j as "%s"', (confirming, phrase) => {
    expect(confirmPhrase(confirming)).toBe(phrase);
  });

  it.each([
    ['hi', 'EUR 50.00 के भुगतान के लिए'],
    ['es-MX', 'Código 123456 para pagar EUR 50.00 a ACME'],
    ['pt-BR', 'Código 123456 para pagar EUR 50.00 a ACME'],
    ['fr', 'Code 123456 pour payer EUR 50.00 à ACME'],
    ['de', 'Code 123456 to pay EUR 50.00 to ACME'],
  ])('writes the whole step-up text in %s (English as a whole otherwise)', (locale, phrase) => {
    expect(otpText({ ...base, locale, confirming: payment })).toContain(phrase);
  });

  it('speaks it on a call, and keeps the origin line for WebOTP', () => {
    expect(otpVoiceText({ ...base, confirming: payment })).toBe('Your Acme code to pay EUR 50.00 to ACME is 1, 2, 3, 4, 5, 6. Again: 1, 2, 3, 4, 5, 6.');
    expect(otpText({ ...base, confirming: payment, originHost: 'auth.example.com' }).split('\n').at(-1)).toBe('@auth.example.com #123456');
  });
});
