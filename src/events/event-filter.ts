import { EVENT_TYPES, type EventType } from './event-types.js';

/**
 * Which events a subscriber receives: `*`, exact types (`user.created`) and families
 * (`session.*`), as a comma list or an array. Every pattern must name at least one event type,
 * so a typo is a boot error rather than a silent subscriber.
 */
export class EventFilter {
  private constructor(private readonly types: ReadonlySet<EventType>) {}

  static parse(patterns: string | readonly string[]): EventFilter {
    const types = new Set<EventType>();
    for (const pattern of split(patterns)) for (const type of matching(pattern)) types.add(type);
    return new EventFilter(types);
  }

  /** What is wrong with a list of patterns: empty, or a pattern that names no event type. */
  static problems(patterns: string | readonly string[]): string[] {
    const list = split(patterns);
    if (list.length === 0) return ['events must name at least one event type, or "*"'];
    return list.filter((pattern) => matching(pattern).length === 0).map((pattern) => `events: "${pattern}" names no event type (${EVENT_TYPES.join(', ')})`);
  }

  matches(type: string): boolean {
    return this.types.has(type as EventType);
  }
}

function split(patterns: string | readonly string[]): string[] {
  const list = typeof patterns === 'string' ? patterns.split(',') : [...patterns];
  return list.map((pattern) => pattern.trim()).filter((pattern) => pattern !== '');
}

function matching(pattern: string): EventType[] {
  if (pattern === '*') return [...EVENT_TYPES];
  if (pattern.endsWith('.*')) {
    const family = pattern.slice(0, -1);
    return EVENT_TYPES.filter((type) => type.startsWith(family));
  }
  return EVENT_TYPES.filter((type) => type === pattern);
}
