import { DomainError } from '../common/errors/domain.error.js';

/**
 * Runs one store operation; any Redis failure (refused, timed out, closed) becomes
 * `503 store_unavailable`, so that send, verify and refresh fail closed.
 */
export async function onStore<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (error instanceof DomainError) throw error;
    throw new DomainError(
      'store_unavailable',
      'The verification store is unavailable. Try again shortly.',
      { retryAfterSeconds: 1 },
      { cause: error },
    );
  }
}
