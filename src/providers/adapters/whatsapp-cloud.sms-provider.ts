import { OtpDispatch, OtpMessage, ProviderError, SmsProvider } from '../sms-provider.js';
import { postToProvider } from './provider-http.js';

export interface WhatsAppCloudSmsProviderOptions {
  /** A (system user) access token with the whatsapp_business_messaging permission. */
  accessToken: string;
  /** The id of the business phone number that sends (WhatsApp Manager > Phone numbers), not the number itself. */
  phoneNumberId: string;
  /** An approved AUTHENTICATION template with a copy-code button. */
  templateName: string;
  /** WhatsApp language code for a locale the table does not map, and for the default's own language: `en_US`. */
  defaultLanguage: string;
  /** Graph API version: `v25.0`. */
  apiVersion: string;
  /** `https://graph.facebook.com`; no trailing `/`. */
  baseUrl: string;
  /** Deadline of one call, in milliseconds. */
  timeoutMs: number;
}

/**
 * Meta's WhatsApp Cloud API: our code in an approved AUTHENTICATION template (`{{1}} is your
 * verification code.` and a copy-code button), `POST /{version}/{phone-number-id}/messages`.
 * The template's text is Meta's, in the template's language; OtpMessage.text is not used.
 * A 200 means Meta accepted the message, not that it was delivered.
 */
export class WhatsAppCloudSmsProvider extends SmsProvider {
  readonly name = 'whatsapp-cloud';
  readonly ownsCodes = false;
  readonly channels = ['whatsapp'] as const;
  private readonly url: string;

  constructor(private readonly options: WhatsAppCloudSmsProviderOptions) {
    super();
    this.url = `${options.baseUrl.replace(/\/+$/, '')}/${options.apiVersion}/${encodeURIComponent(options.phoneNumberId)}/messages`;
  }

  async send(message: OtpMessage, signal?: AbortSignal): Promise<OtpDispatch> {
    const { status, json: answer } = await postToProvider({
      provider: this.name,
      operation: 'send',
      url: this.url,
      headers: { Authorization: `Bearer ${this.options.accessToken}`, 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(this.templateMessage(message)),
      timeoutMs: this.options.timeoutMs,
      signal,
    });
    if (status < 200 || status >= 300) throw metaFailure(this.name, status, answer);
    const first = field(answer, 'messages');
    const id = Array.isArray(first) ? field(first[0], 'id') : undefined;
    if (typeof id !== 'string' || id.length === 0) {
      throw new ProviderError(this.name, `send: the answer (HTTP ${status}) has no message id`, { transient: false, status });
    }
    return { providerRef: id };
  }

  // The code goes twice: as the body's {{1}} and as the copy-code button's parameter (Meta's
  // copy-code button is a URL button, index 0, once the template is created).
  private templateMessage(message: OtpMessage) {
    const code = [{ type: 'text', text: message.code }];
    return {
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      // E.164 with its "+": without it Meta prepends the business number's own country code.
      to: message.to,
      type: 'template',
      template: {
        name: this.options.templateName,
        language: { code: whatsAppLanguage(message.locale, this.options.defaultLanguage) },
        components: [
          { type: 'body', parameters: code },
          { type: 'button', sub_type: 'url', index: '0', parameters: code },
        ],
      },
    };
  }
}

// Meta error codes whose class the HTTP status does not tell (several rate limits come as 400,
// a missing permission as 500), with a fixed label: Meta's own message may quote the request.
// Codes not listed are classed by status: 429 and 5xx transient, other 4xx not.
const META_ERRORS = new Map<number, { transient: boolean; label: string }>([
  // Rate limits: the same send may pass a moment later, or through the next provider.
  [4, { transient: true, label: 'app API call rate limit' }],
  [80007, { transient: true, label: 'WhatsApp Business Account rate limit' }],
  [130429, { transient: true, label: 'Cloud API throughput limit' }],
  [131048, { transient: true, label: 'spam rate limit' }],
  [131056, { transient: true, label: 'pair rate limit (same recipient too often)' }],
  // Meta's side, temporarily.
  [2, { transient: true, label: 'service temporarily unavailable' }],
  [131000, { transient: true, label: 'unknown error on Meta side' }],
  [131016, { transient: true, label: 'service unavailable' }],
  [131057, { transient: true, label: 'account in maintenance mode' }],
  [133004, { transient: true, label: 'server temporarily unavailable' }],
  // The recipient: another provider or channel may reach them, WhatsApp will not.
  [131026, { transient: false, label: 'message undeliverable (not a WhatsApp user, or cannot receive it)' }],
  [131021, { transient: false, label: 'recipient is the sending number' }],
  // The template.
  [132000, { transient: false, label: 'template parameter count mismatch' }],
  [132001, { transient: false, label: 'template does not exist in this language or is not approved' }],
  [132005, { transient: false, label: 'template text too long' }],
  [132007, { transient: false, label: 'template format policy violated' }],
  [132012, { transient: false, label: 'template parameter format mismatch' }],
  [132015, { transient: false, label: 'template paused' }],
  [132016, { transient: false, label: 'template disabled' }],
  // The request, the token and the account.
  [100, { transient: false, label: 'invalid parameter' }],
  [131008, { transient: false, label: 'required parameter missing' }],
  [131009, { transient: false, label: 'parameter value not valid' }],
  [0, { transient: false, label: 'authentication failed' }],
  [3, { transient: false, label: 'capability or permission missing' }],
  [10, { transient: false, label: 'permission denied' }],
  [190, { transient: false, label: 'access token expired or invalid' }],
  [368, { transient: false, label: 'account blocked for policy violations' }],
  [131005, { transient: false, label: 'access denied' }],
  [131031, { transient: false, label: 'account locked' }],
  [131042, { transient: false, label: 'payment method problem' }],
  [131045, { transient: false, label: 'phone number registration error' }],
  [133010, { transient: false, label: 'phone number not registered' }],
]);
// Codes 200 to 299.
const API_PERMISSION = { transient: false, label: 'API permission missing' };

// A non-2xx answer: its status, Meta's code, subcode and trace id; never Meta's message text.
function metaFailure(provider: string, status: number, answer: unknown): ProviderError {
  const error = field(answer, 'error');
  const code = integer(field(error, 'code'));
  const subcode = integer(field(error, 'error_subcode'));
  const trace = field(error, 'fbtrace_id');
  const known = code === undefined ? undefined : (META_ERRORS.get(code) ?? (code >= 200 && code <= 299 ? API_PERMISSION : undefined));
  const transient = known?.transient ?? (status === 429 || status >= 500);
  const details = [
    code === undefined ? undefined : `Meta error ${code}${known ? ` (${known.label})` : ''}`,
    subcode === undefined ? undefined : `subcode ${subcode}`,
    typeof trace === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(trace) ? `fbtrace_id ${trace}` : undefined,
  ].filter((part) => part !== undefined);
  return new ProviderError(provider, `send failed with HTTP ${status}${details.length ? `: ${details.join(', ')}` : ''}`, { transient, status });
}

// WhatsApp language codes (Meta's "Supported languages" page) that a BCP 47 tag maps to. Regional
// codes are used only when the tag names that region; every other region gets the bare language.
const BARE_LANGUAGES = new Set(
  ('af sq ar az bn bg ca hr cs da nl en et fil fi fr de el gu ha he hi hu id ga it ja kn kk ko lo lv lt ' +
    'mk ms ml mr nb fa pl pa ro ru sr sk sl es sw sv ta te th tr uk ur uz vi zu').split(' '),
);
const REGIONAL_LANGUAGES = new Set(['en_GB', 'en_US', 'es_AR', 'es_ES', 'es_MX', 'pt_BR', 'pt_PT', 'zh_CN', 'zh_HK', 'zh_TW']);
// Languages WhatsApp has only regionally (by script, or a default region); then old subtags.
const LANGUAGE_FALLBACKS: Record<string, string> = { pt: 'pt_BR', zh: 'zh_CN', 'zh-hant': 'zh_TW', 'zh-hans': 'zh_CN' };
const LANGUAGE_ALIASES: Record<string, string> = { no: 'nb', tl: 'fil', iw: 'he', in: 'id' };

/**
 * The template language for a BCP 47 locale: the configured default for no locale, an unknown
 * one, or one in the default's own language (`en`, `en-GB` → `en_US` when the default is
 * `en_US`); else the region's code if WhatsApp has it (`pt-PT` → `pt_PT`, `es-MX` → `es_MX`),
 * else the language's (`hi-IN` → `hi`, `pt` → `pt_BR`, `zh-Hant` → `zh_TW`).
 */
export function whatsAppLanguage(locale: string | undefined, defaultLanguage: string): string {
  const match = /^([a-z]{2,3})(?:[-_]([a-z]{4}))?(?:[-_]([a-z]{2}|\d{3}))?(?:[-_][a-z0-9]{1,8})*$/i.exec(locale?.trim() ?? '');
  if (!match) return defaultLanguage;
  const subtag = match[1].toLowerCase();
  const language = LANGUAGE_ALIASES[subtag] ?? subtag;
  if (language === defaultLanguage.split('_')[0]) return defaultLanguage;
  const regional = match[3] ? `${language}_${match[3].toUpperCase()}` : undefined;
  if (regional && REGIONAL_LANGUAGES.has(regional)) return regional;
  const scripted = match[2] ? LANGUAGE_FALLBACKS[`${language}-${match[2].toLowerCase()}`] : undefined;
  return scripted ?? LANGUAGE_FALLBACKS[language] ?? (BARE_LANGUAGES.has(language) ? language : defaultLanguage);
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

function integer(value: unknown): number | undefined {
  const number = typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : value;
  return typeof number === 'number' && Number.isSafeInteger(number) ? number : undefined;
}
