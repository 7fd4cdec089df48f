import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO31661Alpha2, ValidateIf } from 'class-validator';

export class ChannelsQuery {
  @ApiPropertyOptional({ example: 'IN', description: 'ISO 3166-1 alpha-2 country of the number; any other country\'s channels when absent.' })
  @ValidateIf((_object: object, value: unknown) => value !== undefined)
  @IsISO31661Alpha2()
  country?: string;
}
