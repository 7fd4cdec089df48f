import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/**
 * Success bodies, for the OpenAPI document only: the controllers return plain objects of these
 * shapes. Examples are consistent with each other (one login of +919876543210).
 */

export const EXAMPLE_VERIFICATION_ID = 'Hk3q9VdQxJ2mT0aZ8bW1cE5fG7hK4nPpRrSsTt';
export const EXAMPLE_SESSION_ID = 'ses_Q2x8mVb3Kd9LpR4tYw7Zn1';
export const EXAMPLE_USER_ID = 'usr_7NcV2kLm9QpR3sTx5YzA1b';
export const EXAMPLE_ACCESS_TOKEN = 'eyJhbGciOiJFUzI1NiIsImtpZCI6Ik56YkxzWGg4dURDY2QiLCJ0eXAiOiJhdCtqd3QifQ.eyJzdWIiOiJ1c3JfN05jVjJrTG05UXBSM3NUeDVZekExYiJ9.c2lnbmF0dXJl';
export const EXAMPLE_REFRESH_TOKEN = `${EXAMPLE_SESSION_ID}.AAAAAFu2t0RoVuYnnQYKZJKcwaM7RFa_xFza3QwAAgJtoxD2lfp3BSTyT3VG6mGvJ4K2-w`;
const VERIFICATION_STATUSES = ['pending', 'approved', 'canceled', 'expired', 'max_attempts_reached'];

export class SendOtpResponse {
  @ApiProperty({ example: EXAMPLE_VERIFICATION_ID, pattern: '^[A-Za-z0-9_-]{38}$', description: 'Kept by a resend to the same phone.' })
  verificationId!: string;

  @ApiProperty({ enum: VERIFICATION_STATUSES, example: 'pending' })
  status!: string;

  @ApiProperty({ example: '+919876543210', description: 'The number in E.164.' })
  phone!: string;

  @ApiProperty({ enum: ['sms'], example: 'sms' })
  channel!: string;

  @ApiProperty({ format: 'date-time', example: '2026-05-04T10:05:00.000Z' })
  expiresAt!: string;

  @ApiProperty({ format: 'date-time', example: '2026-05-04T10:00:30.000Z', description: 'When a resend will be accepted.' })
  resendAvailableAt!: string;

  @ApiProperty({ type: 'integer', example: 5 })
  attemptsRemaining!: number;
}

export class VerificationResponse {
  @ApiProperty({ example: EXAMPLE_VERIFICATION_ID })
  verificationId!: string;

  @ApiProperty({ enum: VERIFICATION_STATUSES, example: 'pending' })
  status!: string;

  @ApiProperty({ example: '+91******3210', description: 'Masked.' })
  phone!: string;

  @ApiProperty({ enum: ['sms'], example: 'sms' })
  channel!: string;

  @ApiProperty({ format: 'date-time', example: '2026-05-04T10:05:00.000Z' })
  expiresAt!: string;

  @ApiProperty({ type: 'integer', example: 5 })
  attemptsRemaining!: number;
}

export class UserResponse {
  @ApiProperty({ example: EXAMPLE_USER_ID, description: 'Stable for a phone number.' })
  id!: string;

  @ApiProperty({ example: '+919876543210' })
  phone!: string;
}

export class TokenPairResponse {
  @ApiProperty({ enum: ['Bearer'], example: 'Bearer' })
  tokenType!: string;

  @ApiProperty({ example: EXAMPLE_ACCESS_TOKEN, description: 'JWT (`typ: at+jwt`), verifiable against `/.well-known/jwks.json`.' })
  accessToken!: string;

  @ApiProperty({ type: 'integer', example: 600, description: 'Seconds.' })
  expiresIn!: number;

  @ApiProperty({ example: EXAMPLE_REFRESH_TOKEN, description: 'Opaque, single use: `<sessionId>.<secret>`.' })
  refreshToken!: string;

  @ApiProperty({ type: 'integer', example: 2592000, description: 'Seconds.' })
  refreshExpiresIn!: number;

  @ApiProperty({ example: EXAMPLE_SESSION_ID })
  sessionId!: string;

  @ApiProperty({ type: UserResponse })
  user!: UserResponse;
}

export class VerifyOtpResponse extends TokenPairResponse {
  @ApiProperty({ enum: ['approved'], example: 'approved' })
  status!: string;
}

export class SessionResponse {
  @ApiProperty({ example: EXAMPLE_SESSION_ID })
  id!: string;

  @ApiProperty({ format: 'date-time', example: '2026-05-04T10:00:12.000Z' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time', example: '2026-05-04T12:40:00.000Z' })
  lastUsedAt!: string;

  @ApiProperty({ format: 'date-time', example: '2026-06-03T10:00:12.000Z', description: 'The earlier of the absolute and the idle expiry.' })
  expiresAt!: string;

  @ApiProperty({ type: 'string', nullable: true, example: 'Mozilla/5.0 (Android 15; Mobile)' })
  userAgent!: string | null;

  @ApiProperty({ type: 'string', nullable: true, example: '203.0.113.x', description: 'Masked.' })
  ip!: string | null;

  @ApiProperty({ type: 'string', nullable: true, example: null, description: 'The API-key client that logged the user in.' })
  clientId!: string | null;

  @ApiProperty({ example: true, description: 'The session of the access token that asked.' })
  current!: boolean;
}

export class SessionListResponse {
  @ApiProperty({ type: [SessionResponse], description: 'Live sessions, oldest first.' })
  sessions!: SessionResponse[];
}

export class RevokedCountResponse {
  @ApiProperty({ type: 'integer', example: 2, description: 'Sessions ended.' })
  revoked!: number;
}

/** RFC 7662: every member but `active` is present only for a live access token. */
export class IntrospectionResponse {
  @ApiProperty({ example: true })
  active!: boolean;

  @ApiPropertyOptional({ example: 'https://auth.example.com' })
  iss?: string;

  @ApiPropertyOptional({ example: 'https://auth.example.com' })
  aud?: string;

  @ApiPropertyOptional({ example: EXAMPLE_USER_ID })
  sub?: string;

  @ApiPropertyOptional({ example: EXAMPLE_SESSION_ID })
  sid?: string;

  @ApiPropertyOptional({ example: '0f6f3c4e-2f43-4d55-9b5c-3f1f8c0b7a21' })
  jti?: string;

  @ApiPropertyOptional({ type: 'integer', example: 1777888812 })
  iat?: number;

  @ApiPropertyOptional({ type: 'integer', example: 1777889412 })
  exp?: number;

  @ApiPropertyOptional({ type: 'integer', example: 1777888812 })
  auth_time?: number;

  @ApiPropertyOptional({ type: [String], example: ['sms'] })
  amr?: string[];

  @ApiPropertyOptional({ example: '+919876543210' })
  phone_number?: string;

  @ApiPropertyOptional({ example: true })
  phone_number_verified?: boolean;

  @ApiPropertyOptional({ example: 'billing', description: 'When an API-key client logged the user in.' })
  client_id?: string;
}

export class JwkResponse {
  @ApiProperty({ enum: ['EC', 'RSA'], example: 'EC' })
  kty!: string;

  @ApiPropertyOptional({ example: 'P-256', description: 'EC keys.' })
  crv?: string;

  @ApiPropertyOptional({ example: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', description: 'EC keys.' })
  x?: string;

  @ApiPropertyOptional({ example: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0', description: 'EC keys.' })
  y?: string;

  @ApiPropertyOptional({ description: 'RSA keys.' })
  n?: string;

  @ApiPropertyOptional({ example: 'AQAB', description: 'RSA keys.' })
  e?: string;

  @ApiProperty({ example: 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs', description: 'RFC 7638 thumbprint.' })
  kid!: string;

  @ApiProperty({ enum: ['ES256', 'RS256'], example: 'ES256' })
  alg!: string;

  @ApiProperty({ enum: ['sig'], example: 'sig' })
  use!: string;
}

export class JwksResponse {
  @ApiProperty({ type: [JwkResponse], description: 'The signing key, and older keys still published.' })
  keys!: JwkResponse[];
}

export class OpenIdConfigurationResponse {
  @ApiProperty({ example: 'https://auth.example.com' })
  issuer!: string;

  @ApiProperty({ format: 'uri', example: 'https://auth.example.com/.well-known/jwks.json' })
  jwks_uri!: string;

  @ApiProperty({ format: 'uri', example: 'https://auth.example.com/v1/tokens/introspect' })
  introspection_endpoint!: string;

  @ApiProperty({ type: [String], example: ['api_key'] })
  introspection_endpoint_auth_methods_supported!: string[];

  @ApiProperty({ format: 'uri', example: 'https://auth.example.com/v1/sessions/refresh' })
  token_endpoint!: string;

  @ApiProperty({ type: [String], example: ['refresh_token'] })
  grant_types_supported!: string[];

  @ApiProperty({ type: [String], example: ['ES256'] })
  access_token_signing_alg_values_supported!: string[];

  @ApiProperty({ type: [String], example: ['sub', 'sid', 'auth_time', 'amr', 'phone_number', 'phone_number_verified', 'client_id'] })
  claims_supported!: string[];
}

export class OutboxMessageResponse {
  @ApiProperty({ example: '+919876543210' })
  to!: string;

  @ApiProperty({ example: 'Your phone-auth code is 482913. It expires in 5 minutes.\n\n@auth.example.com #482913' })
  text!: string;

  @ApiProperty({ example: EXAMPLE_VERIFICATION_ID })
  verificationId!: string;

  @ApiProperty({ format: 'date-time', example: '2026-05-04T10:00:00.000Z' })
  sentAt!: string;
}

export class OutboxResponse {
  @ApiProperty({ example: '+919876543210' })
  phone!: string;

  @ApiProperty({ type: [OutboxMessageResponse], description: 'Newest first.' })
  messages!: OutboxMessageResponse[];
}
