import { Module } from '@nestjs/common';
import { ClientsModule } from '../clients/clients.module.js';
import { OtpModule } from '../otp/otp.module.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { ThrottlingModule } from '../throttling/throttling.module.js';
import { AdminEventsController } from './admin-events.controller.js';
import { AdminUsersController } from './admin-users.controller.js';
import { AdminController } from './admin.controller.js';
import { UserAdministration } from './user-administration.service.js';

/** Operators' routes under /v1/admin, behind an admin-scoped API key. */
@Module({
  imports: [ThrottlingModule, ClientsModule, SessionsModule, OtpModule],
  controllers: [AdminController, AdminUsersController, AdminEventsController],
  providers: [UserAdministration],
})
export class AdminModule {}
