import { ApiProperty } from '@nestjs/swagger';
import type { Session } from '../session.js';
import { SessionResponse } from './session.response.js';

export class SessionListResponse {
  @ApiProperty({ type: [SessionResponse], description: 'Live sessions, oldest first.' })
  sessions!: SessionResponse[];

  static of(sessions: Session[], currentSessionId: string): SessionListResponse {
    return Object.assign(new SessionListResponse(), {
      sessions: sessions.map((session) => SessionResponse.of(session, currentSessionId)),
    } satisfies SessionListResponse);
  }
}
