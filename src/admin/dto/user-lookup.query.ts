import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO31661Alpha2, IsString, MaxLength, ValidateIf } from 'class-validator';

export class UserLookupQuery {
  @ApiProperty({ maxLength: 32, example: '+919876543210', description: 'The number, parsed as send parses it: E.164, or national format with `country` (or DEFAULT_COUNTRY).' })
  @IsString()
  @MaxLength(32)
  phone!: string;

  @ApiPropertyOptional({ example: 'IN', description: 'ISO 3166-1 alpha-2 country, for national-format input.' })
  @ValidateIf((_object: object, value: unknown) => value !== undefined)
  @IsISO31661Alpha2()
  country?: string;
}
