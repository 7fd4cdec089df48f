import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO31661Alpha2, IsString, Matches, MaxLength, ValidateIf } from 'class-validator';
import { CHANNEL_CHOICES, type ChannelChoice } from '../../providers/providers.config.js';

const present = (_object: object, value: unknown) => value !== undefined;

/** The new number of a phone change, and how to send its code. */
export class PhoneChangeSendDto {
  @ApiProperty({ maxLength: 32, example: '+919812345678', description: 'The new number: E.164, or national format with `country` (or DEFAULT_COUNTRY).' })
  @IsString()
  @MaxLength(32)
  phone!: string;

  @ApiPropertyOptional({ example: 'IN', description: 'ISO 3166-1 alpha-2 country, for national-format input.' })
  @ValidateIf(present)
  @IsISO31661Alpha2()
  country?: string;

  @ApiPropertyOptional({ enum: CHANNEL_CHOICES, example: 'sms', description: 'As for a login send: `sms` (when absent), `whatsapp`, `voice` or `auto`.' })
  @ValidateIf(present)
  @IsIn(CHANNEL_CHOICES)
  channel?: ChannelChoice;

  @ApiPropertyOptional({ pattern: '^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$', example: 'hi', description: 'BCP 47 language tag of the message.' })
  @ValidateIf(present)
  @IsString()
  @Matches(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$/, { message: 'locale must be a BCP 47 tag such as en or pt-BR' })
  locale?: string;
}
