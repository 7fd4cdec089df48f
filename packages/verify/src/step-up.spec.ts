import { MemorySpentReceiptStore } from './step-up.js';

describe(MemorySpentReceiptStore.name, () => {
  it('spends a jti once, and forgets it once expired', () => {
    let nowMs = 1_000_000;
    const store = new MemorySpentReceiptStore(() => nowMs);
    expect(store.spend('r1', 1_300)).toBe(true);
    expect(store.spend('r1', 1_300)).toBe(false);
    expect(store.spend('r2', 1_300)).toBe(true);
    nowMs = 1_301_000;
    // Past its exp the receipt itself is refused as expired; the store need not remember it.
    expect(store.spend('r1', 1_300)).toBe(true);
  });
});
