import { defineScript } from '../../redis/redis-script.js';

/** Takes one send from a country's budget for the current clock hour. */
export const TAKE_COUNTRY_BUDGET = defineScript<number>()({
  name: 'phoneAuthFraudTakeBudget',
  keys: ['countryHour'],
  args: ['budget', 'toNextHourMs'],
  lua: `
-- KEYS[1] countryHour  the country's send counter for one clock hour
-- ARGV[1] budget       sends allowed in the hour
-- ARGV[2] toNextHourMs until the next hour starts
-- Replies 0 when the send is counted, else the ms to wait for the next hour.
local countryHour = KEYS[1]
local budget, toNextHourMs = tonumber(ARGV[1]), ARGV[2]
local sends = tonumber(redis.call('GET', countryHour) or '0')
if sends >= budget then return tonumber(toNextHourMs) end
redis.call('INCR', countryHour)
redis.call('PEXPIRE', countryHour, toNextHourMs)
return 0
`,
});
