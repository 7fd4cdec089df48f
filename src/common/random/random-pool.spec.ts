import { fillRandom, randomBase64Url } from './random-pool.js';

describe('random pool', () => {
  it('never hands out the same bytes twice, across many refills of the pool', () => {
    const seen = new Set<string>();
    // 16 bytes each: 2,000 draws use the 8 KiB pool about four times over.
    for (let draw = 0; draw < 2000; draw += 1) seen.add(randomBase64Url(16));
    expect(seen.size).toBe(2000);
    expect([...seen].every((value) => /^[A-Za-z0-9_-]{22}$/.test(value))).toBe(true);
  });

  it('fills only the asked range of a buffer, and requests larger than the pool directly', () => {
    const target = Buffer.alloc(40);
    fillRandom(target, 4, 32);
    expect(target.subarray(0, 4)).toEqual(Buffer.alloc(4));
    expect(target.subarray(36)).toEqual(Buffer.alloc(4));
    expect(target.subarray(4, 36).equals(Buffer.alloc(32))).toBe(false);
    const large = fillRandom(Buffer.alloc(10_000));
    expect(large.subarray(9_000).equals(Buffer.alloc(1_000))).toBe(false);
  });

  it('spreads its bytes evenly (no byte value more than twice as common as another over 64 KiB)', () => {
    const counts = new Array<number>(256).fill(0);
    for (let draw = 0; draw < 2048; draw += 1) for (const byte of fillRandom(Buffer.alloc(32))) counts[byte] += 1;
    expect(Math.max(...counts) / Math.min(...counts)).toBeLessThan(2);
  });
});
