/**
 * The hash tags of the 16 event shards. Each lands in a different sixteenth of the 16384 Cluster
 * slots (s0.10 in slot 653, s1.6k in 1584, …), so a Cluster's even slot ranges spread the shards
 * evenly over its masters. Fixed: changing them moves every key of the service.
 */
export const EVENT_SHARD_TAGS: readonly string[] = Object.freeze([
  's0.10', 's1.6k', 's2.k', 's3.h', 's4.8', 's5.1k', 's6.2c', 's7.2h',
  's8.23', 's9.28', 'sa.1k', 'sb.9', 'sc.b', 'sd.j', 'se.0', 'sf.2j',
]);

/** The shard of an entity's tag: FNV-1a of the tag, modulo the shard count (cheap, stable, even). */
export function eventShardTag(tag: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < tag.length; i++) {
    hash ^= tag.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return EVENT_SHARD_TAGS[(hash >>> 0) % EVENT_SHARD_TAGS.length]!;
}
