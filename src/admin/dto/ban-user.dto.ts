import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsString, Length, ValidateIf } from 'class-validator';

export class BanUserDto {
  @ApiPropertyOptional({
    format: 'date-time',
    example: '2026-12-31T00:00:00Z',
    description: 'When the ban lifts itself (in the future). Absent: until an operator lifts it.',
  })
  @ValidateIf((_object: object, value: unknown) => value !== undefined)
  @IsISO8601({ strict: true }, { message: 'until must be an ISO 8601 date-time' })
  until?: string;

  @ApiProperty({
    minLength: 1,
    maxLength: 500,
    example: 'Chargebacks on three cards (ticket OPS-1234)',
    description: 'Why, for other operators: shown by the lookup routes, never to the user, and not written to the log. Avoid personal data.',
  })
  @IsString()
  @Length(1, 500)
  reason!: string;
}
