import type { Channel } from '../common/channel.js';

export interface OtpTextInput {
  code: string;
  ttlSeconds: number;
  appName: string;
  /** BCP 47; the language part picks the template, English when there is none for it. */
  locale?: string;
  /** Adds the origin-bound last line `@host #code` (WebOTP, iOS and Android autofill). */
  originHost?: string;
  /** A step-up: what the code confirms, shown in the text (PSD2 dynamic linking); absent for a login. */
  confirming?: Confirmation;
}

/** What a step-up code confirms; each part already validated (a short identifier, `EUR 50.00`, a plain name). */
export interface Confirmation {
  action?: string;
  /** `<ISO 4217 code> <decimal>`, shown as it is in every language. */
  amount?: string;
  payee?: string;
}

/** The phrase naming what a step-up confirms, per language: a payment, another action, or only "it is you". */
interface ConfirmPhrases {
  pay: (amount: string, payee?: string) => string;
  actionOf: (action: string, amount: string, payee?: string) => string;
  action: (action: string | undefined, payee?: string) => string;
  plain: string;
}

const CONFIRM_PHRASES: Record<string, ConfirmPhrases> = {
  en: {
    pay: (amount, payee) => `to pay ${amount}${payee ? ` to ${payee}` : ''}`,
    actionOf: (action, amount, payee) => `to confirm ${action} of ${amount}${payee ? ` to ${payee}` : ''}`,
    action: (action, payee) => `to confirm ${action ?? 'a request'}${payee ? ` for ${payee}` : ''}`,
    plain: 'to confirm it is you',
  },
  hi: {
    pay: (amount, payee) => `${payee ? `${payee} को ` : ''}${amount} के भुगतान के लिए`,
    actionOf: (action, amount, payee) => `${action} (${amount}${payee ? `, ${payee}` : ''}) की पुष्टि के लिए`,
    action: (action, payee) => `${action ?? 'अनुरोध'}${payee ? ` (${payee})` : ''} की पुष्टि के लिए`,
    plain: 'अपनी पहचान की पुष्टि के लिए',
  },
  es: {
    pay: (amount, payee) => `para pagar ${amount}${payee ? ` a ${payee}` : ''}`,
    actionOf: (action, amount, payee) => `para confirmar ${action} de ${amount}${payee ? ` a ${payee}` : ''}`,
    action: (action, payee) => `para confirmar ${action ?? 'una solicitud'}${payee ? ` para ${payee}` : ''}`,
    plain: 'para confirmar que eres tú',
  },
  pt: {
    pay: (amount, payee) => `para pagar ${amount}${payee ? ` a ${payee}` : ''}`,
    actionOf: (action, amount, payee) => `para confirmar ${action} de ${amount}${payee ? ` a ${payee}` : ''}`,
    action: (action, payee) => `para confirmar ${action ?? 'um pedido'}${payee ? ` para ${payee}` : ''}`,
    plain: 'para confirmar que é você',
  },
  fr: {
    pay: (amount, payee) => `pour payer ${amount}${payee ? ` à ${payee}` : ''}`,
    actionOf: (action, amount, payee) => `pour confirmer ${action} de ${amount}${payee ? ` à ${payee}` : ''}`,
    action: (action, payee) => `pour confirmer ${action ?? 'une demande'}${payee ? ` pour ${payee}` : ''}`,
    plain: 'pour confirmer votre identité',
  },
};

type ConfirmTemplate = (code: string, app: string, minutes: number, phrase: string) => string;

// "Code 123456 to pay EUR 50.00 to ACME": the code first, then exactly what it approves.
const CONFIRM_TEMPLATES: Record<string, ConfirmTemplate> = {
  en: (code, app, minutes, phrase) => `Code ${code} ${phrase} (${app}). It expires in ${minutes} min. Do not share it.`,
  hi: (code, app, minutes, phrase) => `कोड ${code}: ${phrase} (${app})। यह ${minutes} मिनट में समाप्त हो जाएगा। इसे किसी से साझा न करें।`,
  es: (code, app, minutes, phrase) => `Código ${code} ${phrase} (${app}). Caduca en ${minutes} min. No lo compartas.`,
  pt: (code, app, minutes, phrase) => `Código ${code} ${phrase} (${app}). Expira em ${minutes} min. Não o partilhe.`,
  fr: (code, app, minutes, phrase) => `Code ${code} ${phrase} (${app}). Il expire dans ${minutes} min. Ne le partagez pas.`,
};

type ConfirmVoiceTemplate = (spokenCode: string, app: string, phrase: string) => string;

const CONFIRM_VOICE_TEMPLATES: Record<string, ConfirmVoiceTemplate> = {
  en: (code, app, phrase) => `Your ${app} code ${phrase} is ${code}. Again: ${code}.`,
  hi: (code, app, phrase) => `${phrase} आपका ${app} कोड है ${code}। फिर से: ${code}।`,
  es: (code, app, phrase) => `Tu código de ${app} ${phrase} es ${code}. Repito: ${code}.`,
  pt: (code, app, phrase) => `O seu código do ${app} ${phrase} é ${code}. Repito: ${code}.`,
  fr: (code, app, phrase) => `Votre code ${app} ${phrase} est ${code}. Je répète : ${code}.`,
};

/** "to pay EUR 50.00 to ACME" in the person's language; "pay" only for a payment (or an amount without an action). */
export function confirmPhrase(confirming: Confirmation, locale?: string): string {
  const phrases = CONFIRM_PHRASES[languageOf(locale)] ?? CONFIRM_PHRASES.en;
  const { action, amount, payee } = confirming;
  if (amount !== undefined) {
    return action === undefined || action === 'payment' ? phrases.pay(amount, payee) : phrases.actionOf(action, amount, payee);
  }
  if (action === undefined && payee === undefined) return phrases.plain;
  return phrases.action(action, payee);
}

type Template = (code: string, app: string, minutes: number) => string;

// Code first, short enough for one GSM-7 or UCS-2 segment with the origin line.
const TEMPLATES: Record<string, Template> = {
  en: (code, app, minutes) => `${code} is your ${app} code. It expires in ${minutes} min. Do not share it.`,
  hi: (code, app, minutes) => `${code} आपका ${app} कोड है। यह ${minutes} मिनट में समाप्त हो जाएगा। इसे किसी से साझा न करें।`,
  es: (code, app, minutes) => `${code} es tu código de ${app}. Caduca en ${minutes} min. No lo compartas.`,
  pt: (code, app, minutes) => `${code} é o seu código do ${app}. Expira em ${minutes} min. Não o partilhe.`,
  fr: (code, app, minutes) => `${code} est votre code ${app}. Il expire dans ${minutes} min. Ne le partagez pas.`,
};

type VoiceTemplate = (spokenCode: string, app: string) => string;

// Said twice: a person writes the code down while hearing it.
const VOICE_TEMPLATES: Record<string, VoiceTemplate> = {
  en: (code, app) => `Your ${app} code is ${code}. Again: ${code}.`,
  hi: (code, app) => `आपका ${app} कोड है ${code}। फिर से: ${code}।`,
  es: (code, app) => `Tu código de ${app} es ${code}. Repito: ${code}.`,
  pt: (code, app) => `O seu código do ${app} é ${code}. Repito: ${code}.`,
  fr: (code, app) => `Votre code ${app} est ${code}. Je répète : ${code}.`,
};

export const OTP_TEXT_LANGUAGES = Object.keys(TEMPLATES);

function languageOf(locale: string | undefined): string {
  return locale?.split('-')[0]?.toLowerCase() ?? 'en';
}

export function otpText({ code, ttlSeconds, appName, locale, originHost, confirming }: OtpTextInput): string {
  const language = languageOf(locale);
  const minutes = Math.max(1, Math.round(ttlSeconds / 60));
  // A language without a step-up text falls back to English as a whole, never half and half.
  const text =
    confirming === undefined
      ? (TEMPLATES[language] ?? TEMPLATES.en)(code, appName, minutes)
      : (CONFIRM_TEMPLATES[language] ?? CONFIRM_TEMPLATES.en)(code, appName, minutes, confirmPhrase(confirming, locale));
  return originHost === undefined ? text : `${text}\n\n@${originHost} #${code}`;
}

/** What a call speaks: the code digit by digit, twice, in the person's language. */
export function otpVoiceText({ code, appName, locale, confirming }: OtpTextInput): string {
  const language = languageOf(locale);
  const spoken = code.split('').join(', ');
  if (confirming === undefined) return (VOICE_TEMPLATES[language] ?? VOICE_TEMPLATES.en)(spoken, appName);
  return (CONFIRM_VOICE_TEMPLATES[language] ?? CONFIRM_VOICE_TEMPLATES.en)(spoken, appName, confirmPhrase(confirming, locale));
}

/** The text for a channel: the SMS text; on WhatsApp the same without the origin line (no WebOTP there); the spoken words of a call. */
export function channelText(channel: Channel, input: OtpTextInput): string {
  switch (channel) {
    case 'sms':
      return otpText(input);
    case 'whatsapp':
      return otpText({ ...input, originHost: undefined });
    case 'voice':
      return otpVoiceText(input);
  }
}
