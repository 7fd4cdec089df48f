import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, MaxLength, MinLength, ValidateIf } from 'class-validator';

/** Optional means absent: `null` is validated like any other value, and refused (as @IsOptional() would let it through). */
const present = (_object: object, value: unknown) => value !== undefined;

/** RFC 7662 §2.1, as a form or as JSON. */
export class IntrospectDto {
  @ApiProperty({ maxLength: 4096, example: 'eyJhbGciOiJFUzI1NiIsImtpZCI6Ik56YkxzWGg4dURDY2QiLCJ0eXAiOiJhdCtqd3QifQ.eyJzdWIiOiJ1c3JfN05jVjJrTG05UXBSM3NUeDVZekExYiJ9.c2lnbmF0dXJl', description: 'The token to check; only access tokens can be active.' })
  @IsString()
  @MaxLength(4096)
  token!: string;

  @ApiPropertyOptional({ enum: ['access_token', 'refresh_token'], example: 'access_token' })
  @ValidateIf(present)
  @IsIn(['access_token', 'refresh_token'])
  token_type_hint?: string;

  // Read by ClientCredentialsGuard before validation; declared so the body may carry them.
  @ApiPropertyOptional({ maxLength: 64, example: 'billing', description: 'client_secret_post: the API key\'s name (from API_KEYS), with `client_secret`.' })
  @ValidateIf(present)
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  client_id?: string;

  @ApiPropertyOptional({ maxLength: 256, example: 'pak_2kQ9…', description: 'client_secret_post: the API key itself. Send it in a form body, never in a URL.' })
  @ValidateIf(present)
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  client_secret?: string;
}
