import { ApiProperty } from '@nestjs/swagger';
import { maskIp } from '../../common/net/mask-ip.js';
import { EXAMPLE_SESSION_ID } from '../../openapi/examples.js';
import type { Session } from '../session.js';

export class SessionResponse {
  @ApiProperty({ example: EXAMPLE_SESSION_ID })
  id!: string;

  @ApiProperty({ format: 'date-time', example: '2026-05-04T10:00:12.000Z' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time', example: '2026-05-04T12:40:00.000Z' })
  lastUsedAt!: string;

  @ApiProperty({ format: 'date-time', example: '2026-06-03T10:00:12.000Z', description: 'The earlier of the absolute and the idle expiry.' })
  expiresAt!: string;

  @ApiProperty({ type: 'string', nullable: true, example: 'Mozilla/5.0 (Android 15; Mobile)' })
  userAgent!: string | null;

  @ApiProperty({ type: 'string', nullable: true, example: '203.0.113.x', description: 'Masked.' })
  ip!: string | null;

  @ApiProperty({ type: 'string', nullable: true, example: null, description: 'The API-key client that logged the user in.' })
  clientId!: string | null;

  @ApiProperty({ example: true, description: 'The session of the access token that asked.' })
  current!: boolean;

  static of(session: Session, currentSessionId: string): SessionResponse {
    return Object.assign(new SessionResponse(), {
      id: session.id,
      createdAt: new Date(session.createdAtMs).toISOString(),
      lastUsedAt: new Date(session.lastUsedAtMs).toISOString(),
      expiresAt: new Date(Math.min(session.expiresAtMs, session.idleExpiresAtMs)).toISOString(),
      userAgent: session.userAgent ?? null,
      ip: maskIp(session.ip) ?? null,
      clientId: session.clientId ?? null,
      current: session.id === currentSessionId,
    } satisfies SessionResponse);
  }
}
