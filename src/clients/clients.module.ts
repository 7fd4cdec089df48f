import { Module } from '@nestjs/common';
import { ApiClientsService } from './api-clients.service.js';
import { ApiKeyGuard, OptionalApiKeyGuard } from './api-key.guard.js';

@Module({
  providers: [ApiClientsService, ApiKeyGuard, OptionalApiKeyGuard],
  exports: [ApiClientsService, ApiKeyGuard, OptionalApiKeyGuard],
})
export class ClientsModule {}
