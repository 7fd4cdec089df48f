import { Controller, Get, Inject, Query } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { DomainError } from '../common/errors/domain.error.js';
import { toE164 } from '../common/phone/phone-number.js';
import { appConfig } from '../config/app.config.js';
import { providersConfig } from '../config/providers.config.js';
import { OutboxRepository } from './outbox.repository.js';

class OutboxQuery {
  @IsString()
  @MaxLength(32)
  phone!: string;

  @IsOptional()
  @IsString()
  @MaxLength(2)
  country?: string;
}

/** Development only: what the outbox provider "sent". Absent unless `outbox` is configured. */
@Controller('v1/dev/outbox')
export class DevOutboxController {
  constructor(
    private readonly outbox: OutboxRepository,
    @Inject(providersConfig.KEY) private readonly providers: ConfigType<typeof providersConfig>,
    @Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>,
  ) {}

  @Get()
  async list(@Query() query: OutboxQuery) {
    if (this.app.production || !this.providers.smsProviders.includes('outbox')) {
      throw new DomainError('not_found', 'No such resource.');
    }
    const phone = toE164(query.phone, query.country ?? this.app.defaultCountry);
    return { phone, messages: await this.outbox.list(phone) };
  }
}
