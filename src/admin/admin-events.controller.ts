import { Controller, Get, Header, HttpCode, Param, Post, Query, Req, UseGuards } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminAudit } from '../clients/admin-audit.js';
import { ApiKeyGuard, type RequestWithClient } from '../clients/api-key.guard.js';
import { RequiresScope } from '../clients/requires-scope.decorator.js';
import { DeadLetters } from '../events/dead-letters.service.js';
import { ApiProblems } from '../openapi/problem-details.schema.js';
import { DeadLetterIdParam, DeadLettersQuery } from './dto/dead-letters.query.js';
import { DeadLettersResponse } from './dto/dead-letters.response.js';

/** Webhook deliveries given up after EVENT_RETRY_HOURS (admin scope): list them, send one again. */
@ApiTags('admin')
@Controller('v1/admin/events/dead-letter')
@UseGuards(ApiKeyGuard)
@RequiresScope('admin')
export class AdminEventsController {
  constructor(
    private readonly deadLetters: DeadLetters,
    private readonly audit: AdminAudit,
  ) {}

  @ApiOperation({
    summary: 'List the dead letters',
    description: 'Webhook deliveries given up after `EVENT_RETRY_HOURS` of retries, newest first, with the last error. Page with `before`.',
  })
  @ApiOkResponse({ type: DeadLettersResponse })
  @ApiProblems(['validation_failed', 'unauthorized', 'forbidden', 'store_unavailable'])
  @Get()
  @Header('Cache-Control', 'no-store')
  async list(@Query() query: DeadLettersQuery, @Req() request: RequestWithClient): Promise<DeadLettersResponse> {
    const limit = query.limit ?? 50;
    const letters = await this.deadLetters.list(limit, query.before);
    this.audit.record(request.apiClient, 'list_dead_letters', `listed ${letters.length} dead letters`);
    return DeadLettersResponse.of(letters, limit);
  }

  @ApiOperation({
    summary: 'Replay a dead letter',
    description: 'Sends the event to its subscriber again, now, with a new retry window (same `webhook-id`: a receiver that saw it already drops it). The dead letter leaves the list.',
  })
  @ApiAcceptedResponse({ description: 'Queued for delivery.' })
  @ApiProblems(['validation_failed', 'unauthorized', 'forbidden', 'not_found', 'store_unavailable'])
  @Post(':id/replay')
  @HttpCode(202)
  async replay(@Param() params: DeadLetterIdParam, @Req() request: RequestWithClient): Promise<void> {
    await this.deadLetters.replay(params.id);
    this.audit.record(request.apiClient, 'replay_dead_letter', `replayed dead letter ${params.id}`);
  }
}
