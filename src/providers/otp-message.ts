import type { Channel } from '../common/channel.js';

export interface OtpTextInput {
  code: string;
  ttlSeconds: number;
  appName: string;
  /** BCP 47; the language part picks the template, English when there is none for it. */
  locale?: string;
  /** Adds the origin-bound last line `@host #code` (WebOTP, iOS and Android autofill). */
  originHost?: string;
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

const languageOf = (locale: string | undefined) => locale?.split('-')[0]?.toLowerCase() ?? 'en';

export function otpText({ code, ttlSeconds, appName, locale, originHost }: OtpTextInput): string {
  const template = TEMPLATES[languageOf(locale)] ?? TEMPLATES.en;
  const minutes = Math.max(1, Math.round(ttlSeconds / 60));
  const text = template(code, appName, minutes);
  return originHost === undefined ? text : `${text}\n\n@${originHost} #${code}`;
}

/** What a call speaks: the code digit by digit, twice, in the person's language. */
export function otpVoiceText({ code, appName, locale }: OtpTextInput): string {
  const template = VOICE_TEMPLATES[languageOf(locale)] ?? VOICE_TEMPLATES.en;
  return template(code.split('').join(', '), appName);
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
