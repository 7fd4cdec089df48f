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

export const OTP_TEXT_LANGUAGES = Object.keys(TEMPLATES);

export function otpText({ code, ttlSeconds, appName, locale, originHost }: OtpTextInput): string {
  const language = locale?.split('-')[0]?.toLowerCase() ?? 'en';
  const template = TEMPLATES[language] ?? TEMPLATES.en;
  const minutes = Math.max(1, Math.round(ttlSeconds / 60));
  const text = template(code, appName, minutes);
  return originHost === undefined ? text : `${text}\n\n@${originHost} #${code}`;
}
