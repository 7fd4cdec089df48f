import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, Matches, Max, Min, ValidateIf } from 'class-validator';
import { toInt } from '../../config/env-transforms.js';

export class DeadLettersQuery {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 100, default: 50, description: 'At most this many, newest first.' })
  @Transform(toInt)
  @ValidateIf((_object: object, value: unknown) => value !== undefined)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;

  @ApiPropertyOptional({ example: 's3.h_1764676800000-0', description: 'The next page: those older than this dead letter (the `id` of the last one of the previous page).' })
  @ValidateIf((_object: object, value: unknown) => value !== undefined)
  @Matches(/^[A-Za-z0-9.]{1,16}_\d{1,20}-\d{1,20}$/, { message: 'before is not a dead letter id' })
  before?: string;
}

export class DeadLetterIdParam {
  @ApiProperty({ example: 's3.h_1764676800000-0', description: 'A dead letter\'s `id`.' })
  @Matches(/^[A-Za-z0-9.]{1,16}_\d{1,20}-\d{1,20}$/, { message: 'id is not a dead letter id' })
  id!: string;
}
