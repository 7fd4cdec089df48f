import { Module } from '@nestjs/common';
import { AdminAudit } from './admin-audit.js';
import { ApiClientsService } from './api-clients.service.js';
import { ApiKeyGuard, OptionalApiKeyGuard } from './api-key.guard.js';
import { ClientCredentialsGuard } from './client-credentials.guard.js';

@Module({
  providers: [ApiClientsService, ApiKeyGuard, OptionalApiKeyGuard, ClientCredentialsGuard, AdminAudit],
  exports: [ApiClientsService, ApiKeyGuard, OptionalApiKeyGuard, ClientCredentialsGuard, AdminAudit],
})
export class ClientsModule {}
