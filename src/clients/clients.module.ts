import { Module } from '@nestjs/common';
import { AdminAudit } from './admin-audit.js';
import { ApiClientsService } from './api-clients.service.js';
import { ApiKeyGuard, OptionalApiKeyGuard } from './api-key.guard.js';

@Module({
  providers: [ApiClientsService, ApiKeyGuard, OptionalApiKeyGuard, AdminAudit],
  exports: [ApiClientsService, ApiKeyGuard, OptionalApiKeyGuard, AdminAudit],
})
export class ClientsModule {}
