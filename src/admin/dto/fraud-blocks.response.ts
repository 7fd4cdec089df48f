import { ApiProperty } from '@nestjs/swagger';
import type { PrefixBlock } from '../../throttling/fraud.repository.js';

export class FraudBlockResponse {
  @ApiProperty({ example: '+91987654', description: 'The blocked numbers: all starting with it (all but their last four digits).' })
  prefix!: string;

  @ApiProperty({ format: 'date-time', description: 'When the breaker first tripped (a renewal keeps it).' })
  since!: string;

  @ApiProperty({ format: 'date-time', description: 'When the block ends, unless it renews.' })
  until!: string;

  @ApiProperty({ type: 'integer', example: 20, description: 'Sends in the window that tripped it; after a renewal, attempts into the block that renewed it.' })
  sends!: number;

  @ApiProperty({ type: 'integer', example: 1, description: 'Of those, the verified ones.' })
  verified!: number;

  @ApiProperty({ example: 0.05, description: 'verified / sends.' })
  conversion!: number;

  @ApiProperty({ type: 'integer', example: 0, description: 'Times the block renewed itself.' })
  renewals!: number;

  static of(block: PrefixBlock): FraudBlockResponse {
    return Object.assign(new FraudBlockResponse(), {
      prefix: block.prefix,
      since: new Date(block.sinceMs).toISOString(),
      until: new Date(block.untilMs).toISOString(),
      sends: block.sends,
      verified: block.verified,
      conversion: block.sends === 0 ? 0 : Math.round((block.verified / block.sends) * 1000) / 1000,
      renewals: block.renewals,
    } satisfies FraudBlockResponse);
  }
}

export class FraudBlocksResponse {
  @ApiProperty({ type: [FraudBlockResponse], description: 'Blocks in force, soonest end first.' })
  blocks!: FraudBlockResponse[];

  static of(blocks: PrefixBlock[]): FraudBlocksResponse {
    return Object.assign(new FraudBlocksResponse(), { blocks: blocks.map((block) => FraudBlockResponse.of(block)) });
  }
}
