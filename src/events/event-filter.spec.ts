import { EventFilter } from './event-filter.js';
import { EVENT_TYPES } from './event-types.js';

describe(EventFilter.name, () => {
  it('takes families and exact types from a comma list', () => {
    const filter = EventFilter.parse('session.*, user.created');
    expect(EVENT_TYPES.filter((type) => filter.matches(type))).toEqual(['session.created', 'session.revoked', 'session.refresh_reused', 'user.created']);
  });

  it('takes every type for *, and a list as an array', () => {
    expect(EVENT_TYPES.every((type) => EventFilter.parse('*').matches(type))).toBe(true);
    expect(EventFilter.parse(['fraud.blocked']).matches('fraud.blocked')).toBe(true);
    expect(EventFilter.parse(['fraud.blocked']).matches('user.created')).toBe(false);
  });

  it('names each pattern that matches no event type, and refuses an empty list', () => {
    expect(EventFilter.problems('session.*,user.create,sessions.*')).toEqual([
      expect.stringContaining('"user.create" names no event type'),
      expect.stringContaining('"sessions.*" names no event type'),
    ]);
    expect(EventFilter.problems(' , ')).toEqual(['events must name at least one event type, or "*"']);
    expect(EventFilter.problems('verification.*')).toEqual([]);
  });
});
