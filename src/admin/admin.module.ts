import { Module } from '@nestjs/common';
import { ClientsModule } from '../clients/clients.module.js';
import { ThrottlingModule } from '../throttling/throttling.module.js';
import { AdminController } from './admin.controller.js';

/** Operators' routes under /v1/admin, behind an API key. */
@Module({
  imports: [ThrottlingModule, ClientsModule],
  controllers: [AdminController],
})
export class AdminModule {}
