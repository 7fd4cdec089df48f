import type { ErrorCode } from './domain.error.js';

/** What a code means and what the caller should do: the text of the page its `type` URL serves. */
export interface ProblemGuide {
  meaning: string;
  action: string;
}

/** One entry per stable code (the type requires every one), read by the problem pages. */
export const PROBLEM_GUIDES: { readonly [code in ErrorCode]: ProblemGuide } = {
  validation_failed: {
    meaning: 'The request is malformed: invalid JSON, a field of the wrong type, an unknown field or a missing one. `errors` lists each field at fault.',
    action: 'Fix the request as `errors` says; sending it again unchanged gets the same answer.',
  },
  invalid_phone: {
    meaning: 'The phone number is not a valid number, or it is in national format and no country was given.',
    action: 'Send the number in international format (+919876543210), or pass its country (`country`).',
  },
  invalid_code: {
    meaning: 'The code is not the one sent. `attemptsRemaining` says how many tries this verification has left.',
    action: 'Ask the person to check the code and type it again, or to ask for a new one.',
  },
  verification_not_found: {
    meaning: 'No open verification matches the id or phone: it never existed, or it was already approved or canceled.',
    action: 'Ask for a new code (send again).',
  },
  verification_expired: {
    meaning: 'The code was right too late: its lifetime has passed.',
    action: 'Ask for a new code (send again).',
  },
  max_attempts_reached: {
    meaning: 'Too many wrong codes: for this verification, or for this phone within the failure window.',
    action: 'Wait `Retry-After` seconds, then ask for a new code.',
  },
  resend_too_soon: {
    meaning: 'A code was sent to this phone less than the resend cooldown ago.',
    action: 'Wait `Retry-After` seconds before asking for another code; the one sent is still valid.',
  },
  rate_limited: {
    meaning: 'A send, verify or refresh limit was reached: per address, per phone, per client, per country, or the prefix breaker.',
    action: 'Wait `Retry-After` seconds before trying again.',
  },
  country_not_allowed: {
    meaning: 'Codes are not sent to numbers of this country (`ALLOWED_COUNTRIES`, `DENIED_COUNTRIES`). `country` names it.',
    action: 'Use a number of a country this service serves.',
  },
  number_type_not_allowed: {
    meaning: 'Codes are not sent to this kind of number: premium-rate, toll-free, pager and the like. `numberType` names it.',
    action: 'Use a mobile number.',
  },
  channel_unavailable: {
    meaning: 'The channel asked for (SMS, WhatsApp, voice) is not offered for this number\'s country. `channels` lists those that are.',
    action: 'Ask again with one of `channels`, or with `auto`.',
  },
  provider_unavailable: {
    meaning: 'No provider could send the code, or the provider that owns it could not check it.',
    action: 'Try again after `Retry-After` seconds. Operators: see the provider circuits in /health/ready and the service log.',
  },
  store_unavailable: {
    meaning: 'The service\'s store (Redis) is unreachable or too slow; nothing was changed.',
    action: 'Try again after `Retry-After` seconds. Operators: /health/ready says which store, since when, and why.',
  },
  invalid_refresh_token: {
    meaning: 'The refresh token is unknown, malformed, expired, or was just rotated.',
    action: 'Sign in again (send and verify a code).',
  },
  refresh_token_reused: {
    meaning: 'A refresh token that was already spent came back: it may have been stolen, so the session has been ended.',
    action: 'Sign in again. Keep only the latest refresh token each refresh returns.',
  },
  unsupported_grant_type: {
    meaning: 'The token endpoint (`POST /oauth/token`) was asked for a grant other than `refresh_token`, the only one it serves. (OAuth clients read it as `{"error": "unsupported_grant_type"}`.)',
    action: 'Log in with a code (`/v1/otp/send`, `/v1/otp/verify`); use `grant_type=refresh_token` to renew tokens.',
  },
  unauthorized: {
    meaning: 'The access token is missing, invalid or expired, its session has ended, or the API key is missing or wrong.',
    action: 'Refresh the access token, or sign in again; for internal services, check `X-API-Key`.',
  },
  forbidden: {
    meaning: 'The API key is valid but lacks the scope this route needs (`login`, `introspect` or `admin`); `requiredScope` names it.',
    action: 'Use a key that holds that scope, or ask the operator to add it to the key\'s `API_KEYS` entry.',
  },
  user_banned: {
    meaning: 'An operator has barred the account of this number: sends, verifies and refreshes are refused until the ban ends.',
    action: 'Nothing the client can change; the person should contact the operator of the service.',
  },
  phone_in_use: {
    meaning: 'The new number of a phone change belongs to another account; nothing was changed.',
    action: 'Keep the current number, or sign in with the other account and move or erase it first.',
  },
  idempotency_conflict: {
    meaning: 'This `Idempotency-Key` was used before with a different request body.',
    action: 'Use a new key for a new request; reuse a key only to retry the very same request.',
  },
  idempotency_in_flight: {
    meaning: 'The first request with this `Idempotency-Key` is still running.',
    action: 'Wait `Retry-After` seconds and retry with the same key: you then get that request\'s answer.',
  },
  not_found: {
    meaning: 'There is no such route, or no such resource.',
    action: 'Check the method and path against the API document at /docs.',
  },
  method_not_allowed: {
    meaning: 'The route exists, but not with this method.',
    action: 'Check the method against the API document at /docs.',
  },
  payload_too_large: {
    meaning: 'The request body is larger than 16 KiB; no request of the API needs that much.',
    action: 'Send only the fields the route takes.',
  },
  unsupported_media_type: {
    meaning: 'The request body is not JSON.',
    action: 'Send the body as `application/json`.',
  },
  internal_error: {
    meaning: 'An unexpected error: a bug. Details are in the service log only, under the answer\'s `X-Request-Id`.',
    action: 'Retry once; if it persists, report it with the `X-Request-Id`.',
  },
  captcha_required: {
    meaning: 'This request needs a bot check (CAPTCHA) token and came without one.',
    action: 'Complete the CAPTCHA and send its token as `captchaToken` or `X-Captcha-Token`.',
  },
  captcha_failed: {
    meaning: 'The bot check did not pass: the provider refused the token (or its score, action or hostname), or the token was used before.',
    action: 'Complete the CAPTCHA again; each token is good for one request.',
  },
  captcha_unavailable: {
    meaning: 'The CAPTCHA provider did not answer, so the bot check could not be made.',
    action: 'Complete the CAPTCHA again after `Retry-After` seconds.',
  },
};
