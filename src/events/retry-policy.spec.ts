import { FakeClock } from '../../test/support/fake-clock.js';
import { RetryPolicy } from './retry-policy.js';

describe(RetryPolicy.name, () => {
  const clock = new FakeClock();
  const at = (random: number) => new RetryPolicy(clock, () => random, 1000, 60_000);

  it('doubles the ceiling of the delay with each failure (full jitter: the random draw times the ceiling)', () => {
    const highest = at(0.999_999);
    expect([1, 2, 3, 4, 5].map((attempts) => highest.delayMs(attempts))).toEqual([999, 1999, 3999, 7999, 15_999]);
    expect(at(0.5).delayMs(3)).toBe(2000);
    expect(at(0).delayMs(10)).toBe(0);
  });

  it('caps the ceiling however many failures', () => {
    expect(at(0.999_999).delayMs(40)).toBe(59_999);
    expect(at(0.5).delayMs(1000)).toBe(30_000);
  });

  it('spreads delays over the whole ceiling with a uniform source', () => {
    let seed = 1;
    const uniform = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    const policy = new RetryPolicy(clock, uniform, 1000, 60_000);
    const delays = Array.from({ length: 2000 }, () => policy.delayMs(4));
    expect(Math.min(...delays)).toBeLessThan(400);
    expect(Math.max(...delays)).toBeGreaterThan(7600);
    expect(delays.reduce((sum, delay) => sum + delay, 0) / delays.length).toBeGreaterThan(3600);
  });

  it('schedules no attempt after the deadline, and the last one at it', () => {
    const policy = at(0.999_999);
    const deadline = clock.nowMs() + 500;
    expect(policy.nextDueMs(3, deadline)).toBe(deadline);
    expect(policy.nextDueMs(1, clock.nowMs() + 10_000)).toBe(clock.nowMs() + 999);
    expect(policy.nextDueMs(1, clock.nowMs())).toBeUndefined();
  });
});
