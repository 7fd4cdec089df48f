// The API's shapes, named after what a caller does with them. Every one is an alias of a schema
// of phone-auth's OpenAPI document (src/generated/openapi.ts, made from docs/openapi.json at build
// time), so a change of the service's contract is a type error here, not a surprise at run time.
import type { components } from './generated/openapi.js';

type Schemas = components['schemas'];

/** A channel that carries a code. */
export type Channel = Schemas['SendOtpResponse']['channel'];
/** What a send may ask for: a channel, or `auto` (the country's order). */
export type ChannelChoice = NonNullable<Schemas['SendOtpDto']['channel']>;

/** `POST /v1/otp/send` for a login: the phone is required (a step-up is not this client's business). */
export type SendCodeRequest = Omit<Schemas['SendOtpDto'], 'purpose' | 'action' | 'amount' | 'payee' | 'phone'> & { phone: string };
export type SendCodeResponse = Schemas['SendOtpResponse'];

/** `POST /v1/otp/verify` for a login: `verificationId` (or `phone`) and the code. */
export type VerifyCodeRequest = Omit<Schemas['VerifyOtpDto'], 'purpose'>;
export type VerifyCodeResponse = Schemas['VerifyOtpResponse'];

/** A token pair as refresh answers it; what the client keeps in its storage. */
export type Tokens = Schemas['TokenPairResponse'];
/**
 * What a storage must give back: at least the refresh token and its session (a server keeping
 * the tokens in cookies may have no more); the client refreshes before a call when the access
 * token is missing.
 */
export type StoredTokens = Pick<Tokens, 'refreshToken' | 'sessionId'> & Partial<Omit<Tokens, 'refreshToken' | 'sessionId'>>;
export type User = Schemas['UserResponse'];

export type SessionList = Schemas['SessionListResponse'];
export type Session = Schemas['SessionResponse'];
export type ChannelsResponse = Schemas['ChannelsResponse'];
export type VerificationStatus = Schemas['VerificationResponse'];

/** The stable error codes of the service (`code` of every problem+json body). */
export type ErrorCode = Schemas['ErrorCode'];
/**
 * Codes the client itself gives a failure that has no problem+json body: the service could not be
 * reached, it answered something that is not JSON, or a call needs a session there is none of.
 */
export type ClientErrorCode = 'network_error' | 'invalid_response' | 'not_signed_in';

/** An RFC 9457 problem as phone-auth sends it (or the client makes one), with any extension members. */
export type ProblemDetails = Omit<Schemas['ProblemDetails'], 'code'> & { code: ErrorCode | ClientErrorCode } & Record<string, unknown>;
