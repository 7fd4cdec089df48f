import type { ChainableCommander } from 'ioredis';

/** Runs a MULTI; a queued command's error or an aborted transaction rejects like any Redis failure. */
export async function execOrThrow(transaction: ChainableCommander): Promise<void> {
  const results = await transaction.exec();
  const failed = results?.find(([error]) => error !== null);
  if (results === null || failed) throw failed?.[0] ?? new Error('Redis transaction aborted');
}
