import { ApiProperty } from '@nestjs/swagger';

export class RevokedCountResponse {
  @ApiProperty({ type: 'integer', example: 2, description: 'Sessions ended.' })
  revoked!: number;

  static of(revoked: number): RevokedCountResponse {
    return Object.assign(new RevokedCountResponse(), { revoked } satisfies RevokedCountResponse);
  }
}
