import type { RedisClient } from '../redis/redis.constants.js';
import { onStore } from '../redis/store-unavailable.js';
import { RedisKeys } from '../redis/redis-keys.js';
import { Verification } from './verification.js';
import { phoneTagOfVerificationId } from './verification-id.js';
import {
  CheckCode,
  CheckResult,
  Dispatched,
  SettleAttempt,
  SettleResult,
  StartResult,
  StartVerification,
  VerificationRepository,
} from './verification.repository.js';

// Each script is one atomic step on one hash slot: KEYS[1] is the phone's verification hash,
// KEYS[2] its failure count (a hash: count, resetAt), KEYS[3] (START only) its send counts, all
// tagged with the phone tag. Deadlines
// are compared with the caller's clock, so the adapter behaves as the in-memory one does. ioredis sends them by EVALSHA.
// Lua turns numbers into strings with %.14g: millisecond timestamps (13 digits) stay exact.
// Key lifetimes are relative (PEXPIRE), so they never depend on the Redis server's clock.
const START = `
local now = tonumber(ARGV[6])
local f = redis.call('HMGET', KEYS[2], 'count', 'resetAt')
if f[1] and tonumber(f[2]) > now and tonumber(f[1]) >= tonumber(ARGV[10]) then
  return {'phone_locked', tonumber(f[2]) - now}
end
local cur = redis.call('HMGET', KEYS[1], 'status', 'expiresAt', 'resendAt', 'attempts')
if cur[1] and cur[1] ~= 'approved' and tonumber(cur[3]) > now then
  return {'resend_too_soon', tonumber(cur[3]) - now}
end
-- Send limits: KEYS[3] holds c<i> (count) and r<i> (window end) for each limit i.
local limits = (#ARGV - 10) / 2
local s = redis.call('HGETALL', KEYS[3])
local counts = {}
for i = 1, #s, 2 do counts[s[i]] = tonumber(s[i + 1]) end
local longest = 0
for i = 1, limits do
  local max, window = tonumber(ARGV[9 + 2 * i]), tonumber(ARGV[10 + 2 * i])
  local live = (counts['r' .. i] or 0) > now
  if live and counts['c' .. i] >= max then return {'send_limited', counts['r' .. i] - now} end
  if live then
    redis.call('HINCRBY', KEYS[3], 'c' .. i, 1)
  else
    redis.call('HSET', KEYS[3], 'c' .. i, 1, 'r' .. i, now + window)
  end
  longest = math.max(longest, window)
end
if limits > 0 then redis.call('PEXPIRE', KEYS[3], longest) end
local ttl = tonumber(ARGV[7])
local expiresAt = now + ttl
local resendAt = now + tonumber(ARGV[8])
local outcome = 'created'
if cur[1] == 'pending' and tonumber(cur[2]) > now and tonumber(cur[4]) < tonumber(ARGV[9]) then
  outcome = 'resent'
  redis.call('HSET', KEYS[1], 'codeHash', ARGV[3], 'provider', ARGV[5], 'providerRef', '',
    'expiresAt', expiresAt, 'resendAt', resendAt)
  redis.call('HINCRBY', KEYS[1], 'sends', 1)
else
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[1], 'id', ARGV[1], 'phone', ARGV[2], 'status', 'pending', 'codeHash', ARGV[3],
    'attempts', 0, 'sends', 1, 'channel', ARGV[4], 'provider', ARGV[5], 'providerRef', '',
    'createdAt', now, 'expiresAt', expiresAt, 'resendAt', resendAt)
end
redis.call('PEXPIRE', KEYS[1], 2 * ttl)
local record = redis.call('HGETALL', KEYS[1])
table.insert(record, 1, outcome)
return record
`;

// The right code (or the provider's yes): approved, the phone's failure count cleared, the record returned.
const APPROVE = `redis.call('HSET', KEYS[1], 'status', 'approved')
  redis.call('DEL', KEYS[2])
  local record = redis.call('HGETALL', KEYS[1])
  table.insert(record, 1, 'approved')
  return record`;

// One more failure for the phone; a new window starts at the first failure after the last one ended.
const COUNT_FAILURE = `
if failures == 0 then
  redis.call('HSET', KEYS[2], 'count', 1, 'resetAt', now + tonumber(ARGV[6]))
  redis.call('PEXPIRE', KEYS[2], ARGV[6])
else
  redis.call('HINCRBY', KEYS[2], 'count', 1)
end`;

// The digest comparison below is not constant-time; it compares HMACs under a server secret,
// so its timing tells nothing about the code.
const CHECK = `
local v = redis.call('HMGET', KEYS[1], 'id', 'status', 'codeHash', 'attempts', 'expiresAt', 'resendAt', 'phone')
if not v[1] or (ARGV[1] ~= '' and v[1] ~= ARGV[1]) or v[2] ~= 'pending' then return {'not_found'} end
if tonumber(v[4]) >= tonumber(ARGV[4]) then return {'max_attempts', math.max(0, tonumber(v[6]) - tonumber(ARGV[3]))} end
local now = tonumber(ARGV[3])
local f = redis.call('HMGET', KEYS[2], 'count', 'resetAt')
local failures = 0
if f[1] and tonumber(f[2]) > now then failures = tonumber(f[1]) end
if failures >= tonumber(ARGV[5]) then return {'phone_locked', tonumber(f[2]) - now} end
if now >= tonumber(v[5]) then return {'expired'} end
if v[3] == '' then
  redis.call('HINCRBY', KEYS[1], 'attempts', 1)
  local record = redis.call('HGETALL', KEYS[1])
  table.insert(record, 1, 'reserved')
  return record
end
if v[3] == ARGV[2] then
  ${APPROVE}
end
local attempts = redis.call('HINCRBY', KEYS[1], 'attempts', 1)
${COUNT_FAILURE}
return {'wrong_code', attempts, v[7]}
`;

// The provider's verdict on a reserved attempt. ARGV: id, verdict, nowMs, failureWindowMs.
const SETTLE = `
local v = redis.call('HMGET', KEYS[1], 'id', 'status', 'attempts', 'phone')
if v[1] ~= ARGV[1] then return {'not_found'} end
local now = tonumber(ARGV[3])
if ARGV[2] == 'approved' then
  if v[2] ~= 'pending' then return {'not_found'} end
  ${APPROVE}
end
if ARGV[2] == 'refund' then
  if tonumber(v[3]) > 0 then redis.call('HINCRBY', KEYS[1], 'attempts', -1) end
  return {'refunded'}
end
local f = redis.call('HMGET', KEYS[2], 'count', 'resetAt')
local failures = 0
if f[1] and tonumber(f[2]) > now then failures = tonumber(f[1]) end
${COUNT_FAILURE.replaceAll('ARGV[6]', 'ARGV[4]')}
return {'wrong_code', tonumber(v[3]), v[4]}
`;

const RECORD_DISPATCH = `
local v = redis.call('HMGET', KEYS[1], 'id', 'status')
if v[1] ~= ARGV[1] or v[2] ~= 'pending' then return 0 end
redis.call('HSET', KEYS[1], 'provider', ARGV[2], 'providerRef', ARGV[3])
if ARGV[4] == '1' then redis.call('HSET', KEYS[1], 'codeHash', '') end
return 1
`;

const ABANDON = `
local v = redis.call('HMGET', KEYS[1], 'id', 'status', 'resendAt')
if v[1] ~= ARGV[1] then return 0 end
if v[2] == 'pending' then redis.call('HSET', KEYS[1], 'status', 'canceled') end
if tonumber(v[3]) > tonumber(ARGV[2]) then redis.call('HSET', KEYS[1], 'resendAt', ARGV[2]) end
return 1
`;

// ARGV: sentAtMs, cooldownMs. Only the verification that exact send left behind is touched.
const ABANDON_UNSENT = `
local v = redis.call('HMGET', KEYS[1], 'status', 'resendAt')
if v[1] ~= 'pending' or tonumber(v[2]) ~= tonumber(ARGV[1]) + tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], 'status', 'canceled', 'resendAt', ARGV[1])
return 1
`;

const CANCEL = `
local v = redis.call('HMGET', KEYS[1], 'id', 'status')
if v[1] ~= ARGV[1] then return false end
if v[2] == 'pending' then redis.call('HSET', KEYS[1], 'status', 'canceled') end
return redis.call('HGETALL', KEYS[1])
`;

type Reply = (string | number)[];
interface OtpScripts {
  phoneAuthOtpStart(verification: string, failures: string, sends: string, ...args: (string | number)[]): Promise<Reply>;
  phoneAuthOtpCheck(verification: string, failures: string, ...args: (string | number)[]): Promise<Reply>;
  phoneAuthOtpCancel(verification: string, id: string): Promise<Reply | null>;
  phoneAuthOtpAbandon(verification: string, id: string, nowMs: number): Promise<number>;
  phoneAuthOtpAbandonUnsent(verification: string, sentAtMs: number, cooldownMs: number): Promise<number>;
  phoneAuthOtpSettle(verification: string, failures: string, ...args: (string | number)[]): Promise<Reply>;
  phoneAuthOtpRecordDispatch(verification: string, ...args: string[]): Promise<number>;
}

export class RedisVerificationRepository extends VerificationRepository {
  private readonly scripts: OtpScripts;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {
    super();
    redis.defineCommand('phoneAuthOtpStart', { numberOfKeys: 3, lua: START });
    redis.defineCommand('phoneAuthOtpCheck', { numberOfKeys: 2, lua: CHECK });
    redis.defineCommand('phoneAuthOtpCancel', { numberOfKeys: 1, lua: CANCEL });
    redis.defineCommand('phoneAuthOtpAbandon', { numberOfKeys: 1, lua: ABANDON });
    redis.defineCommand('phoneAuthOtpAbandonUnsent', { numberOfKeys: 1, lua: ABANDON_UNSENT });
    redis.defineCommand('phoneAuthOtpSettle', { numberOfKeys: 2, lua: SETTLE });
    redis.defineCommand('phoneAuthOtpRecordDispatch', { numberOfKeys: 1, lua: RECORD_DISPATCH });
    this.scripts = redis as unknown as OtpScripts;
  }

  async start(request: StartVerification): Promise<StartResult> {
    // The new id starts with the phone's tag: no second HMAC.
    const tag = phoneTagOfVerificationId(request.newId);
    const [outcome, ...rest] = await onStore(() =>
      this.scripts.phoneAuthOtpStart(
        this.keys.otpVerification(tag),
        this.keys.otpFailures(tag),
        this.keys.otpSends(tag),
        request.newId,
        request.phone,
        request.codeHash,
        request.channel,
        request.provider,
        request.nowMs,
        request.ttlSeconds * 1000,
        request.resendCooldownSeconds * 1000,
        request.maxAttempts,
        request.phoneMaxFailures,
        ...request.sendLimits.flatMap((limit) => [limit.max, limit.windowSeconds * 1000]),
      ),
    );
    switch (outcome) {
      case 'created':
      case 'resent':
        return { outcome, verification: fromHash(rest) };
      case 'resend_too_soon':
      case 'send_limited':
      case 'phone_locked':
        return { outcome, retryAfterMs: Number(rest[0]) };
      default:
        throw new Error(`unexpected reply from the start script: ${String(outcome)}`);
    }
  }

  async check(request: CheckCode): Promise<CheckResult> {
    const tag = 'id' in request.target ? phoneTagOfVerificationId(request.target.id) : this.keys.phoneTag(request.target.phone);
    const [outcome, ...rest] = await onStore(() =>
      this.scripts.phoneAuthOtpCheck(
        this.keys.otpVerification(tag),
        this.keys.otpFailures(tag),
        'id' in request.target ? request.target.id : '',
        request.codeHash,
        request.nowMs,
        request.maxAttempts,
        request.phoneMaxFailures,
        request.phoneFailureWindowSeconds * 1000,
      ),
    );
    switch (outcome) {
      case 'approved':
      case 'reserved':
        return { outcome, verification: fromHash(rest) };
      case 'wrong_code':
        return { outcome, attempts: Number(rest[0]), phone: String(rest[1]) };
      case 'phone_locked':
      case 'max_attempts':
        return { outcome, retryAfterMs: Number(rest[0]) };
      case 'not_found':
      case 'expired':
        return { outcome };
      default:
        throw new Error(`unexpected reply from the check script: ${String(outcome)}`);
    }
  }

  async recordDispatch(dispatched: Dispatched): Promise<void> {
    await onStore(() =>
      this.scripts.phoneAuthOtpRecordDispatch(
        this.keys.otpVerification(phoneTagOfVerificationId(dispatched.id)),
        dispatched.id,
        dispatched.provider,
        dispatched.providerRef,
        dispatched.providerOwnsCode ? '1' : '0',
      ),
    );
  }

  async settle(request: SettleAttempt): Promise<SettleResult> {
    const tag = phoneTagOfVerificationId(request.id);
    const [outcome, ...rest] = await onStore(() =>
      this.scripts.phoneAuthOtpSettle(
        this.keys.otpVerification(tag),
        this.keys.otpFailures(tag),
        request.id,
        request.verdict,
        request.nowMs,
        request.phoneFailureWindowSeconds * 1000,
      ),
    );
    switch (outcome) {
      case 'approved':
        return { outcome, verification: fromHash(rest) };
      case 'wrong_code':
        return { outcome, attempts: Number(rest[0]), phone: String(rest[1]) };
      case 'refunded':
      case 'not_found':
        return { outcome };
      default:
        throw new Error(`unexpected reply from the settle script: ${String(outcome)}`);
    }
  }

  async abandonUnsent(phone: string, sentAtMs: number, resendCooldownSeconds: number): Promise<void> {
    const key = this.keys.otpVerification(this.keys.phoneTag(phone));
    await onStore(() => this.scripts.phoneAuthOtpAbandonUnsent(key, sentAtMs, resendCooldownSeconds * 1000));
  }

  async abandon(id: string, nowMs: number): Promise<void> {
    await onStore(() => this.scripts.phoneAuthOtpAbandon(this.keys.otpVerification(phoneTagOfVerificationId(id)), id, nowMs));
  }

  async find(id: string): Promise<Verification | null> {
    const hash = await onStore(() => this.redis.hgetall(this.keys.otpVerification(phoneTagOfVerificationId(id))));
    return hash.id === id ? fromRecord(hash) : null;
  }

  async cancel(id: string): Promise<Verification | null> {
    const reply = await onStore(() =>
      this.scripts.phoneAuthOtpCancel(this.keys.otpVerification(phoneTagOfVerificationId(id)), id),
    );
    return reply ? fromHash(reply) : null;
  }
}

function fromHash(flat: Reply): Verification {
  const record: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) record[String(flat[i])] = String(flat[i + 1]);
  return fromRecord(record);
}

function fromRecord(record: Record<string, string>): Verification {
  return {
    id: record.id,
    phone: record.phone,
    status: record.status as Verification['status'],
    codeHash: record.codeHash,
    attempts: Number(record.attempts),
    sends: Number(record.sends),
    channel: 'sms',
    provider: record.provider,
    providerRef: record.providerRef,
    createdAtMs: Number(record.createdAt),
    expiresAtMs: Number(record.expiresAt),
    resendAtMs: Number(record.resendAt),
  };
}
