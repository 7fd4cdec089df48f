import calculateSlot from 'cluster-key-slot';
import { randomBytes } from 'node:crypto';
import { EVENT_SHARD_TAGS, eventShardTag } from './event-shards.js';

describe('event shards', () => {
  it('puts each shard tag in its own sixteenth of the slot space', () => {
    const sixteenths = EVENT_SHARD_TAGS.map((tag) => Math.floor(calculateSlot(tag) / 1024));
    expect(sixteenths).toEqual([...Array(16).keys()]);
  });

  it('spreads random entity tags evenly over the shards', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 16_000; i++) {
      const shard = eventShardTag(randomBytes(12).toString('base64url'));
      counts.set(shard, (counts.get(shard) ?? 0) + 1);
    }
    expect(counts.size).toBe(16);
    for (const count of counts.values()) expect(Math.abs(count - 1000)).toBeLessThan(150);
  });

  it('gives one tag one shard', () => {
    expect(eventShardTag('usr_7NcV2kLm9QpR3sTx5YzA1b')).toBe(eventShardTag('usr_7NcV2kLm9QpR3sTx5YzA1b'));
  });
});
