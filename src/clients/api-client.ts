/** An internal service calling with an API key. */
export interface ApiClient {
  name: string;
}
