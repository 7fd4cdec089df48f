import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import type { ConfigType } from '@nestjs/config';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { DomainError } from '../common/errors/domain.error.js';
import { toE164 } from '../common/phone/phone-number.js';
import { appConfig } from '../config/app.config.js';
import { providersConfig } from './providers.config.js';
import { OutboxResponse } from './dto/outbox.response.js';
import { OutboxRepository } from './outbox.repository.js';
import { ApiProblems } from '../openapi/problem-details.schema.js';
import { ApiPublic } from '../openapi/api-public.decorator.js';

class OutboxQuery {
  @ApiProperty({ maxLength: 32, example: '+919876543210', description: 'E.164, or national format with `country`.' })
  @IsString()
  @MaxLength(32)
  phone!: string;

  @ApiPropertyOptional({ maxLength: 2, example: 'IN' })
  @IsOptional()
  @IsString()
  @MaxLength(2)
  country?: string;
}

/** Development only: what the outbox provider "sent". Absent unless `outbox` is configured. */
@ApiTags('development')
@Controller('v1/dev/outbox')
export class DevOutboxController {
  constructor(
    private readonly outbox: OutboxRepository,
    @Inject(providersConfig.KEY) private readonly providers: ConfigType<typeof providersConfig>,
    @Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>,
  ) {}

  @ApiOperation({
    summary: 'Messages the outbox provider "sent" to a phone',
    description: 'Development only, with `SMS_PROVIDERS=outbox`: newest first. 404 otherwise, and always in production.',
  })
  @ApiOkResponse({ type: OutboxResponse })
  @ApiProblems(['validation_failed', 'invalid_phone', 'not_found', 'store_unavailable'])
  @ApiPublic()
  @Get()
  async list(@Query() query: OutboxQuery): Promise<OutboxResponse> {
    if (this.app.production || !this.providers.smsProviders.includes('outbox')) {
      throw new DomainError('not_found', 'No such resource.');
    }
    const phone = toE164(query.phone, query.country ?? this.app.defaultCountry);
    return OutboxResponse.of(phone, await this.outbox.list(phone));
  }
}
