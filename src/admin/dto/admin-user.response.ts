import { ApiProperty } from '@nestjs/swagger';
import { EXAMPLE_USER_ID } from '../../openapi/examples.js';
import type { UserView } from '../../sessions/users.service.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export class UserBanResponse {
  @ApiProperty({ format: 'date-time', description: 'When the ban began (its sessions ended then).' })
  since!: string;

  @ApiProperty({ type: 'string', format: 'date-time', nullable: true, description: 'When it lifts itself; null: until an operator lifts it.' })
  until!: string | null;

  @ApiProperty({ example: 'Chargebacks on three cards (ticket OPS-1234)' })
  reason!: string;
}

export class AdminUserResponse {
  @ApiProperty({ example: EXAMPLE_USER_ID, description: 'The `sub` of the user\'s tokens. Stable for the number until the user is erased.' })
  id!: string;

  @ApiProperty({ example: '+919876543210', description: 'E.164.' })
  phone!: string;

  @ApiProperty({
    type: 'string',
    format: 'date-time',
    nullable: true,
    description: 'The first login; null for a user who has not logged in since this service began keeping user records.',
  })
  createdAt!: string | null;

  @ApiProperty({ type: 'string', format: 'date-time', nullable: true, description: 'The last login (a session opened by a code); null as for createdAt.' })
  lastLoginAt!: string | null;

  @ApiProperty({ type: 'integer', example: 2, description: 'Live sessions now.' })
  sessionCount!: number;

  @ApiProperty({ example: false, description: 'A ban is in force.' })
  banned!: boolean;

  @ApiProperty({ type: UserBanResponse, nullable: true, description: 'The ban in force, or null (an expired ban reads as none).' })
  ban!: UserBanResponse | null;

  static of(user: UserView): AdminUserResponse {
    const ban = user.ban === null ? null : { since: new Date(user.ban.sinceMs).toISOString(), until: iso(user.ban.untilMs), reason: user.ban.reason };
    return Object.assign(new AdminUserResponse(), {
      id: user.id,
      phone: user.phone,
      createdAt: iso(user.createdAtMs),
      lastLoginAt: iso(user.lastLoginAtMs),
      sessionCount: user.sessionCount,
      banned: ban !== null,
      ban,
    } satisfies AdminUserResponse);
  }
}
