import { Injectable, Logger } from '@nestjs/common';
import { Metrics } from '../metrics/metrics.service.js';
import type { ApiClient } from './api-client.js';

export type AdminAction =
  | 'list_fraud_blocks'
  | 'lift_fraud_block'
  | 'end_user_sessions'
  | 'look_up_user'
  | 'ban_user'
  | 'unban_user'
  | 'erase_user'
  | 'list_dead_letters'
  | 'replay_dead_letter';

const READS = new Set<AdminAction>(['list_fraud_blocks', 'look_up_user', 'list_dead_letters']);

/**
 * What operators did: each act of an admin-scoped key is one audit line, `admin <client> <what>`,
 * and one count of `phone_auth_admin_actions_total{action, client}`. A line names users by id and
 * numbers masked, never a full phone number.
 */
@Injectable()
export class AdminAudit {
  private readonly logger = new Logger('AdminAudit');

  constructor(private readonly metrics: Metrics) {}

  record(client: ApiClient | undefined, action: AdminAction, what: string): void {
    const name = client?.name ?? 'unknown';
    this.metrics.adminActions.inc({ action, client: name });
    // Reads at info; changes at warn, so they stay in the log at LOG_LEVEL=warn.
    if (READS.has(action)) this.logger.log(`admin ${name} ${what}`);
    else this.logger.warn(`admin ${name} ${what}`);
  }
}
