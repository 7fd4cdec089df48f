export { PhoneAuthClient, type CallOptions, type PhoneAuthClientOptions, type SendCodeOptions } from './client.js';
export { PhoneAuthError, retryAfterSeconds } from './errors.js';
export { type LockManagerLike, webLocks, withLocalLock } from './refresh-lock.js';
export { MemoryTokenStorage, webStorageTokens, type KeyValueStore, type TokenStorage } from './token-storage.js';
export type * from './types.js';
/** Every path and schema of phone-auth's OpenAPI document, for calls this client does not wrap. */
export type { components, operations, paths } from './generated/openapi.js';
