import { Controller, Delete, Get, Header, HttpCode, Param, Req, UseGuards } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminAudit } from '../clients/admin-audit.js';
import { ApiKeyGuard, type RequestWithClient } from '../clients/api-key.guard.js';
import { RequiresScope } from '../clients/requires-scope.decorator.js';
import { ApiProblems } from '../openapi/problem-details.schema.js';
import { FraudBlocks } from '../throttling/fraud-blocks.service.js';
import { FraudBlocksResponse } from './dto/fraud-blocks.response.js';
import { PrefixParam } from './dto/prefix.param.js';

/**
 * Operators' routes, for API keys with the admin scope; each act is an audit line naming the key's client.
 */
@ApiTags('admin')
@RequiresScope('admin')
@Controller('v1/admin')
@UseGuards(ApiKeyGuard)
export class AdminController {
  constructor(
    private readonly blocks: FraudBlocks,
    private readonly audit: AdminAudit,
  ) {}

  @ApiOperation({
    summary: 'List the blocked number prefixes',
    description: 'Prefixes the breaker blocked (too many codes, too few verified) and that are still blocked, with the numbers that tripped them.',
  })
  @ApiOkResponse({ type: FraudBlocksResponse })
  @ApiProblems(['unauthorized', 'forbidden', 'store_unavailable'])
  @Get('fraud/blocks')
  @Header('Cache-Control', 'no-store')
  async listBlocks(@Req() request: RequestWithClient): Promise<FraudBlocksResponse> {
    const blocks = await this.blocks.list();
    this.audit.record(request.apiClient, 'list_fraud_blocks', `listed ${blocks.length} fraud blocks`);
    return FraudBlocksResponse.of(blocks);
  }

  @ApiOperation({
    summary: 'Lift the block of a prefix',
    description: 'Codes go to the prefix again at once; its breaker counters start from zero, so it does not trip again on the traffic that tripped it.',
  })
  @ApiNoContentResponse({ description: 'Lifted.' })
  @ApiProblems(['validation_failed', 'unauthorized', 'forbidden', 'not_found', 'store_unavailable'])
  @Delete('fraud/blocks/:prefix')
  @HttpCode(204)
  async liftBlock(@Param() params: PrefixParam, @Req() request: RequestWithClient): Promise<void> {
    await this.blocks.lift(params.prefix);
    this.audit.record(request.apiClient, 'lift_fraud_block', `lifted the block of prefix ${params.prefix}xxxx`);
  }
}
