import { ApiProperty } from '@nestjs/swagger';
import { Matches } from 'class-validator';

export class PrefixParam {
  @ApiProperty({ pattern: '^\\+[1-9]\\d{0,13}$', example: '+91987654', description: 'A number prefix as listed: all but the last four digits, with its `+`.' })
  @Matches(/^\+[1-9]\d{0,13}$/, { message: 'prefix must be + and digits' })
  prefix!: string;
}
