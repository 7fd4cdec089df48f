import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { createHash, timingSafeEqual } from 'node:crypto';
import { DomainError } from '../common/errors/domain.error.js';
import { clientsConfig } from './clients.config.js';
import { ApiClient, ApiScope } from './api-client.js';

/** Recognises internal services by their API key; only SHA-256 hashes of keys are configured. */
@Injectable()
export class ApiClientsService {
  private readonly keys: { name: string; digest: Buffer; scopes: readonly ApiScope[] }[];

  constructor(@Inject(clientsConfig.KEY) config: ConfigType<typeof clientsConfig>) {
    this.keys = config.apiKeys.map(({ name, sha256, scopes }) => ({ name, digest: Buffer.from(sha256, 'hex'), scopes }));
  }

  /** The client whose key this is; throws `unauthorized` for a key that matches none. */
  authenticate(apiKey: string): ApiClient {
    const match = this.find(apiKey);
    if (match === undefined) throw new DomainError('unauthorized', 'The API key is not valid.');
    return match;
  }

  /**
   * RFC 6749 §2.3.1 client credentials: `clientId` is the key's name, `clientSecret` the key
   * itself. A valid key presented under another client's name is refused like a wrong one.
   */
  authenticateAs(clientId: string, clientSecret: string): ApiClient {
    const match = this.find(clientSecret);
    if (match === undefined || match.name !== clientId) throw new DomainError('unauthorized', 'The client credentials are not valid.');
    return match;
  }

  private find(apiKey: string): ApiClient | undefined {
    const digest = createHash('sha256').update(apiKey).digest();
    // Compare against every entry, in constant time each, so timing says nothing about which matched.
    let match: ApiClient | undefined;
    for (const key of this.keys) {
      if (timingSafeEqual(key.digest, digest)) match = { name: key.name, scopes: key.scopes };
    }
    return match;
  }
}
