import { ApiProperty } from '@nestjs/swagger';
import { IsISO4217CurrencyCode, IsString, Matches } from 'class-validator';

/** A decimal amount in minor-unit-free notation: no sign, no exponent, no thousands separator. */
export const AMOUNT_VALUE_PATTERN = /^(0|[1-9][0-9]{0,14})(\.[0-9]{1,4})?$/;

/** The amount a step-up confirms: shown in the text as `EUR 50.00` and bound into the receipt as sent. */
export class StepUpAmountDto {
  @ApiProperty({ example: 'EUR', pattern: '^[A-Z]{3}$', description: 'ISO 4217 currency code, upper case.' })
  @IsString()
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be an upper-case ISO 4217 code such as EUR' })
  @IsISO4217CurrencyCode({ message: 'currency must be an ISO 4217 currency code' })
  currency!: string;

  @ApiProperty({ example: '50.00', pattern: AMOUNT_VALUE_PATTERN.source, description: 'A decimal string (at most 4 decimals); compared as written, so send it as you will check it.' })
  @IsString()
  @Matches(AMOUNT_VALUE_PATTERN, { message: 'value must be a decimal string such as 50.00' })
  value!: string;
}
