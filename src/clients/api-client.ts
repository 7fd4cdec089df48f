/** What an API key may do: send and verify for end users, introspect tokens, administer users, sessions and fraud blocks. */
export const API_SCOPES = ['login', 'introspect', 'admin'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

/** An internal service calling with an API key. */
export interface ApiClient {
  name: string;
  scopes: readonly ApiScope[];
}
