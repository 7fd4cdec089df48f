import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';

/** RFC 7662 §2.1, as a form or as JSON. */
export class IntrospectDto {
  @IsString()
  @MaxLength(4096)
  token!: string;

  @IsOptional()
  @IsIn(['access_token', 'refresh_token'])
  token_type_hint?: string;
}
