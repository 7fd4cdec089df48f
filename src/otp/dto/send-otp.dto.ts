import { IsIn, IsISO31661Alpha2, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

export class SendOtpDto {
  /** E.164, or national format with `country` (or DEFAULT_COUNTRY). */
  @IsString()
  @MaxLength(32)
  phone!: string;

  @IsOptional()
  @IsISO31661Alpha2()
  country?: string;

  @IsOptional()
  @IsIn(['sms'])
  channel?: 'sms';

  /** BCP 47 language tag, passed to providers that localise their text. */
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$/, { message: 'locale must be a BCP 47 tag such as en or pt-BR' })
  locale?: string;
}
