import { CANCEL } from '../otp/scripts/cancel.script.js';
import { CHECK_CODE } from '../otp/scripts/check-code.script.js';
import { RECORD_DISPATCH } from '../otp/scripts/record-dispatch.script.js';
import { SETTLE_ATTEMPT } from '../otp/scripts/settle-attempt.script.js';
import { CREATE_SESSION } from '../sessions/scripts/create-session.script.js';
import { FIND_OR_CREATE_USER } from '../sessions/scripts/find-or-create-user.script.js';
import { REVOKE_SESSION } from '../sessions/scripts/revoke-session.script.js';
import { ROTATE_REFRESH_TOKEN } from '../sessions/scripts/rotate-refresh-token.script.js';
import { CHECK_PREFIX_BLOCK } from '../throttling/scripts/check-prefix-block.script.js';
import { RECORD_PREFIX_EVENT } from '../throttling/scripts/record-prefix-event.script.js';
import { draftWith, EVENT_ARGS, eventLua } from './event-script.js';

const EVENT_SCRIPTS = [
  CANCEL, CHECK_CODE, RECORD_DISPATCH, SETTLE_ATTEMPT, CREATE_SESSION, FIND_OR_CREATE_USER,
  REVOKE_SESSION, ROTATE_REFRESH_TOKEN, CHECK_PREFIX_BLOCK, RECORD_PREFIX_EVENT,
];

describe('event scripts', () => {
  it.each(EVENT_SCRIPTS.map((script) => [script.name, script] as const))('%s carries recordEvent verbatim, at its own positions', (_, script) => {
    const keys = script.keys as readonly string[];
    const args = script.args as readonly string[];
    const argIndex = args.indexOf(EVENT_ARGS[0]) + 1;
    expect(args.slice(argIndex - 1, argIndex + 3)).toEqual([...EVENT_ARGS]);
    expect(script.lua).toContain(eventLua(keys.indexOf('events') + 1, argIndex));
  });

  it('adds fields to a draft as recordEvent does, and derives a further event\'s id', () => {
    const draft = { id: 'evt_a', occurredAtMs: 1, data: '{"sessionId":"ses_1"}' };
    expect(draftWith(draft, { userId: 'usr_1' }, 2)).toEqual({ id: 'evt_a.2', occurredAtMs: 1, data: '{"sessionId":"ses_1","userId":"usr_1"}' });
  });
});
