import type { StoredTokens, Tokens } from './types.js';

/**
 * Where the client keeps the session's tokens. Each call may be synchronous or return a promise.
 * Tabs (or processes) that should share one session share one storage: the client re-reads it
 * before every refresh, so a refresh done elsewhere is found instead of repeated.
 */
export interface TokenStorage {
  get(): StoredTokens | null | undefined | Promise<StoredTokens | null | undefined>;
  /** `null`: the session is over (logout, or its refresh token refused). */
  set(tokens: Tokens | null): void | Promise<void>;
}

/** The default: this client's memory only (gone on reload; nothing readable by other scripts' storage access). */
export class MemoryTokenStorage implements TokenStorage {
  private tokens: Tokens | null = null;

  get(): Tokens | null {
    return this.tokens;
  }

  set(tokens: Tokens | null): void {
    this.tokens = tokens;
  }
}

/** What webStorageTokens needs of `localStorage` (or `sessionStorage`, or a stand-in). */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/**
 * Tokens in Web Storage under one key: `localStorage` shares the session across a browser's tabs
 * (and the refresh lock keeps them from spending one refresh token twice). Anything that runs
 * script on the page can read it: weigh that against keeping the tokens in memory.
 */
export function webStorageTokens(store: KeyValueStore, key = 'phone-auth.tokens'): TokenStorage {
  return {
    get() {
      const text = store.getItem(key);
      if (text === null) return null;
      try {
        return JSON.parse(text) as Tokens;
      } catch {
        return null;
      }
    },
    set(tokens) {
      if (tokens === null) store.removeItem(key);
      else store.setItem(key, JSON.stringify(tokens));
    },
  };
}
