import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { createHash } from 'node:crypto';
import { DomainError } from '../common/errors/domain.error.js';
import { ApiClientsService } from './api-clients.service.js';
import type { RequestWithClient } from './api-key.guard.js';
import { ClientCredentialsGuard } from './client-credentials.guard.js';
import { parseApiKeyEntry } from './clients.config.js';
import { RequiresScope } from './requires-scope.decorator.js';

const sha256 = (key: string) => createHash('sha256').update(key).digest('hex');
const clients = new ApiClientsService({ apiKeys: [`billing:${sha256('k-billing')}:introspect`, `ops:${sha256('k-ops')}:admin`].map(parseApiKeyEntry) });

class Introspection {
  @RequiresScope('introspect')
  introspect(): void {}
}

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

function run(headers: Record<string, string>, body: unknown = {}): { code?: string; request: RequestWithClient } {
  const request = { headers, body } as unknown as RequestWithClient;
  const context = {
    getClass: () => Introspection,
    getHandler: () => Introspection.prototype.introspect,
    switchToHttp: () => ({ getRequest: () => request }),
  } as unknown as ExecutionContext;
  try {
    new ClientCredentialsGuard(clients, new Reflector()).canActivate(context);
    return { request };
  } catch (error) {
    return { code: error instanceof DomainError ? error.code : String(error), request };
  }
}

describe(ClientCredentialsGuard.name, () => {
  it('authenticates client_secret_basic, client_secret_post and X-API-Key as the same client', () => {
    for (const attempt of [
      run({ authorization: basic('billing', 'k-billing') }),
      run({}, { client_id: 'billing', client_secret: 'k-billing' }),
      run({ 'x-api-key': 'k-billing' }),
      run({ 'x-api-key': 'k-billing' }, { client_id: 'billing' }),
    ]) {
      expect(attempt).toEqual({ request: expect.objectContaining({ apiClient: { name: 'billing', scopes: ['introspect'] } }) });
    }
  });

  it('refuses a valid key under another client\'s name, and a wrong key, as unauthorized', () => {
    expect(run({ authorization: basic('ops', 'k-billing') }).code).toBe('unauthorized');
    expect(run({}, { client_id: 'ops', client_secret: 'k-billing' }).code).toBe('unauthorized');
    expect(run({ authorization: basic('billing', 'k-wrong') }).code).toBe('unauthorized');
    expect(run({ 'x-api-key': 'k-billing' }, { client_id: 'ops' }).code).toBe('unauthorized');
    expect(run({}).code).toBe('unauthorized');
  });

  it('refuses two methods at once as validation_failed (invalid_request)', () => {
    expect(run({ authorization: basic('billing', 'k-billing'), 'x-api-key': 'k-billing' }).code).toBe('validation_failed');
    expect(run({ authorization: basic('billing', 'k-billing') }, { client_id: 'billing', client_secret: 'k-billing' }).code).toBe('validation_failed');
    expect(run({ 'x-api-key': 'k-billing' }, { client_id: 'billing', client_secret: 'k-billing' }).code).toBe('validation_failed');
  });

  it('requires the route\'s scope whichever method authenticated', () => {
    expect(run({ authorization: basic('ops', 'k-ops') }).code).toBe('forbidden');
    expect(run({}, { client_id: 'ops', client_secret: 'k-ops' }).code).toBe('forbidden');
  });

  it('refuses malformed Basic credentials as unauthorized', () => {
    for (const authorization of ['Basic', 'Basic !!!', `Basic ${Buffer.from('no-colon').toString('base64')}`, `Basic ${Buffer.from('billing:').toString('base64')}`, `Basic ${Buffer.from('%zz:x').toString('base64')}`]) {
      expect([authorization, run({ authorization }).code]).toEqual([authorization, 'unauthorized']);
    }
  });
});
