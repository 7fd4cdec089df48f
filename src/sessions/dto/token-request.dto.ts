import { createParamDecorator, type ExecutionContext, Injectable, type PipeTransform } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { DomainError } from '../../common/errors/domain.error.js';
import { validationPipe } from '../../common/http/validation-pipe.js';
import { EXAMPLE_REFRESH_TOKEN } from '../../openapi/examples.js';

const present = (_object: object, value: unknown) => value !== undefined;

/** RFC 6749 §6: a refresh grant, form-encoded, from a public client (no client authentication). */
export class RefreshTokenGrantDto {
  @ApiProperty({ enum: ['refresh_token'], example: 'refresh_token', description: 'The only grant served here.' })
  @IsIn(['refresh_token'])
  grant_type!: 'refresh_token';

  @ApiProperty({ maxLength: 200, example: EXAMPLE_REFRESH_TOKEN, description: 'The refresh token of the last answer; it is spent by this call.' })
  @IsString()
  @MaxLength(200)
  refresh_token!: string;

  @ApiPropertyOptional({ maxLength: 64, example: 'web', description: 'A public client may name itself (RFC 6749 §3.2.1); it is not checked: the refresh token is bound to its session.' })
  @ValidateIf(present)
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  client_id?: string;
}

/**
 * Reads a token request in RFC 6749's order: the grant type first (`unsupported_grant_type` for
 * any other than `refresh_token`, whatever parameters that grant carries), then the grant's own
 * parameters through the app's validation (unknown or malformed ones: `invalid_request`).
 */
@Injectable()
export class TokenRequestPipe implements PipeTransform<unknown, Promise<RefreshTokenGrantDto>> {
  private readonly validation = validationPipe();

  async transform(body: unknown): Promise<RefreshTokenGrantDto> {
    const grantType = body !== null && typeof body === 'object' ? (body as Record<string, unknown>).grant_type : undefined;
    if (typeof grantType !== 'string' || grantType === '') {
      throw new DomainError('validation_failed', 'grant_type is required.', { errors: [{ field: 'grant_type', message: 'grant_type is required' }] });
    }
    if (grantType !== 'refresh_token') throw new DomainError('unsupported_grant_type', 'Only grant_type=refresh_token is served here.');
    return (await this.validation.transform(body, { type: 'body', metatype: RefreshTokenGrantDto })) as RefreshTokenGrantDto;
  }
}

const rawBody = createParamDecorator((_data: unknown, context: ExecutionContext): unknown => context.switchToHttp().getRequest<{ body?: unknown }>().body);

/**
 * The token request of a handler, read by TokenRequestPipe. A custom parameter, so the global
 * validation (which would refuse another grant's parameters as unknown fields before the grant
 * type is read) leaves it to the pipe.
 */
export const TokenRequest = () => rawBody(TokenRequestPipe);
