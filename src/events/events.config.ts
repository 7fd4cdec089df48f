import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { defineConfig } from '../config/define-config.js';
import { readSettingFile } from '../config/env-files.js';
import { emptyToUndefined, toInt } from '../config/env-transforms.js';
import type { Environment } from '../config/environment.js';
import { EventFilter } from './event-filter.js';

/** A webhook subscriber as configured: where events go, the signing secret, which events, and whether `phone` is sent. */
export interface WebhookSubscriber {
  /** A stable id (the retry schedule's members name it): `name` if given, else the URL's host and path. */
  readonly id: string;
  readonly url: string;
  /** `whsec_` and the base64 key. */
  readonly secret: string;
  readonly filter: EventFilter;
  readonly includePhone: boolean;
}

const SECRET = /^whsec_([A-Za-z0-9+/]+={0,2})$/;
const MIN_SECRET_BYTES = 24;

/** Events and their webhook delivery. */
export class EventsEnvironment {
  /**
   * The subscribers as a JSON array: `[{"url":"https://…","secret":"whsec_…","events":"session.*,user.created","includePhone":false}]`.
   */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  EVENT_WEBHOOKS?: string = undefined;

  /** The same JSON array in a file (a mounted secret); not together with EVENT_WEBHOOKS. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  EVENT_WEBHOOKS_FILE?: string = undefined;

  /** How long a delivery is retried, from the event's time, before it goes to the dead letters. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(720)
  EVENT_RETRY_HOURS = 24;

  /** The first retry's delay bound; each next one doubles it (full jitter), up to an hour. */
  @Transform(toInt)
  @IsInt()
  @Min(10)
  @Max(600_000)
  EVENT_RETRY_BASE_MS = 5000;

  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(60_000)
  EVENT_DELIVERY_TIMEOUT_MS = 5000;

  /** The cap of each of the 16 shard streams (`XADD … MAXLEN ~`): bounds memory when dispatch stalls. */
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  @Max(10_000_000)
  EVENT_STREAM_MAX_LENGTH = 100_000;

  /** Between polls of an idle shard; a poll that found work polls again at once. */
  @Transform(toInt)
  @IsInt()
  @Min(10)
  @Max(60_000)
  EVENT_POLL_INTERVAL_MS = 1000;

  /** After how long another instance takes over an event a dead or stuck instance left unacknowledged. */
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  @Max(3_600_000)
  EVENT_CLAIM_IDLE_MS = 60_000;
}

interface RawSubscriber {
  name?: unknown;
  url?: unknown;
  secret?: unknown;
  events?: unknown;
  includePhone?: unknown;
}

/** The subscribers of EVENT_WEBHOOKS (or its file), or the problems that keep them from being read. */
export function parseSubscribers(env: Pick<Environment, 'EVENT_WEBHOOKS' | 'EVENT_WEBHOOKS_FILE'>): { subscribers: WebhookSubscriber[]; problems: string[] } {
  if (env.EVENT_WEBHOOKS !== undefined && env.EVENT_WEBHOOKS_FILE !== undefined) {
    return { subscribers: [], problems: ['set EVENT_WEBHOOKS or EVENT_WEBHOOKS_FILE, not both'] };
  }
  let name = 'EVENT_WEBHOOKS';
  let text = env.EVENT_WEBHOOKS;
  if (env.EVENT_WEBHOOKS_FILE !== undefined) {
    name = 'EVENT_WEBHOOKS_FILE';
    const file = readSettingFile(name, env.EVENT_WEBHOOKS_FILE);
    if (file.problem !== undefined) return { subscribers: [], problems: [file.problem] };
    text = file.text;
  }
  if (text === undefined || text.trim() === '') return { subscribers: [], problems: [] };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { subscribers: [], problems: [`${name} must be a JSON array of {"url","secret","events","includePhone"}`] };
  }
  if (!Array.isArray(raw)) return { subscribers: [], problems: [`${name} must be a JSON array of {"url","secret","events","includePhone"}`] };
  const problems: string[] = [];
  const subscribers = raw.flatMap((entry: RawSubscriber, index) => {
    const own = subscriberProblems(entry);
    problems.push(...own.map((problem) => `${name}[${index}]: ${problem}`));
    return own.length > 0 ? [] : [toSubscriber(entry)];
  });
  const ids = subscribers.map((subscriber) => subscriber.id);
  if (new Set(ids).size !== ids.length) problems.push(`${name} names a subscriber twice (give each a distinct "name")`);
  return { subscribers, problems };
}

function subscriberProblems(entry: RawSubscriber): string[] {
  if (typeof entry !== 'object' || entry === null) return ['must be an object'];
  const problems: string[] = [];
  if (typeof entry.url !== 'string' || !isHttpUrl(entry.url)) problems.push('url must be an http or https URL');
  const key = typeof entry.secret === 'string' ? SECRET.exec(entry.secret)?.[1] : undefined;
  if (key === undefined || Buffer.from(key, 'base64').length < MIN_SECRET_BYTES) {
    problems.push(`secret must be whsec_ and the base64 of at least ${MIN_SECRET_BYTES} random bytes (openssl rand -base64 32)`);
  }
  const events = entry.events ?? '*';
  if (typeof events !== 'string' && !(Array.isArray(events) && events.every((item) => typeof item === 'string'))) {
    problems.push('events must be a list such as "session.*,user.created" or "*"');
  } else {
    problems.push(...EventFilter.problems(events));
  }
  if (entry.includePhone !== undefined && typeof entry.includePhone !== 'boolean') problems.push('includePhone must be true or false');
  if (entry.name !== undefined && (typeof entry.name !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(entry.name))) {
    problems.push('name must be 1 to 64 letters, digits, _ . -');
  }
  return problems;
}

function toSubscriber(entry: RawSubscriber): WebhookSubscriber {
  const url = new URL(entry.url as string);
  return {
    id: typeof entry.name === 'string' ? entry.name : `${url.host}${url.pathname}`,
    url: entry.url as string,
    secret: entry.secret as string,
    filter: EventFilter.parse((entry.events as string | string[] | undefined) ?? '*'),
    includePhone: entry.includePhone === true,
  };
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.username === '' && url.password === '';
  } catch {
    return false;
  }
}

export const eventsConfig = defineConfig(
  'events',
  EventsEnvironment,
  (env) => ({
    subscribers: parseSubscribers(env).subscribers,
    retryWindowMs: env.EVENT_RETRY_HOURS * 3_600_000,
    retryBaseMs: env.EVENT_RETRY_BASE_MS,
    /** The longest delay between two attempts. */
    retryCapMs: 3_600_000,
    deliveryTimeoutMs: env.EVENT_DELIVERY_TIMEOUT_MS,
    streamMaxLength: env.EVENT_STREAM_MAX_LENGTH,
    pollIntervalMs: env.EVENT_POLL_INTERVAL_MS,
    claimIdleMs: env.EVENT_CLAIM_IDLE_MS,
    /** Entries read (and retries leased) per shard per poll. */
    batchSize: 32,
  }),
  (env) => {
    const problems = parseSubscribers(env).problems;
    // A live delivery must not be taken over while it still runs: the claim comes after two timeouts.
    if (env.EVENT_CLAIM_IDLE_MS < 2 * env.EVENT_DELIVERY_TIMEOUT_MS + 1000) {
      problems.push('EVENT_CLAIM_IDLE_MS must be at least twice EVENT_DELIVERY_TIMEOUT_MS plus a second');
    }
    return problems;
  },
);

export type EventsConfig = ReturnType<typeof eventsConfig>;
