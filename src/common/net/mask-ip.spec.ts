import { maskIp } from './mask-ip.js';

describe(maskIp.name, () => {
  it.each([
    ['203.0.113.77', '203.0.113.*'],
    ['::ffff:198.51.100.9', '198.51.100.*'],
    ['2001:db8:85a3:8d3:1319:8a2e:370:7348', '2001:db8:85a3::*'],
    ['::1', '::*'],
    ['not an address', '*'],
  ])('masks %s as %s', (ip, masked) => {
    expect(maskIp(ip)).toBe(masked);
  });
});
