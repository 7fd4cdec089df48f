import { type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { createHash } from 'node:crypto';
import { DomainError } from '../common/errors/domain.error.js';
import { ApiClientsService } from './api-clients.service.js';
import { ApiKeyGuard, OptionalApiKeyGuard, type RequestWithClient } from './api-key.guard.js';
import { parseApiKeyEntry } from './clients.config.js';
import { RequiresScope } from './requires-scope.decorator.js';

const sha256 = (key: string) => createHash('sha256').update(key).digest('hex');
const clients = new ApiClientsService({
  apiKeys: [`billing:${sha256('k-billing')}:login+introspect`, `ops:${sha256('k-ops')}:admin`, `legacy:${sha256('k-legacy')}`].map(parseApiKeyEntry),
});

@RequiresScope('admin')
class AdminRoutes {
  list(): void {}
  @RequiresScope('introspect')
  introspect(): void {}
}

class Unscoped {
  route(): void {}
}

/** The context Nest hands a guard for `handler` of `controller`, with these request headers. */
function contextOf(controller: new () => object, handler: string, headers: Record<string, string>): { context: ExecutionContext; request: RequestWithClient } {
  const request = { headers } as unknown as RequestWithClient;
  const context = {
    getClass: () => controller,
    getHandler: () => (controller.prototype as Record<string, unknown>)[handler],
    switchToHttp: () => ({ getRequest: () => request }),
  } as unknown as ExecutionContext;
  return { context, request };
}

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    return error instanceof DomainError ? error.code : `not a domain error: ${String(error)}`;
  }
}

describe(ApiKeyGuard.name, () => {
  const sut = new ApiKeyGuard(clients, new Reflector());

  it('lets a key with the route\'s scope through and names its client on the request', () => {
    const { context, request } = contextOf(AdminRoutes, 'list', { 'x-api-key': 'k-ops' });
    expect(sut.canActivate(context)).toBe(true);
    expect(request.apiClient).toEqual({ name: 'ops', scopes: ['admin'] });
  });

  it('refuses a valid key without the route\'s scope with forbidden, naming the scope', () => {
    const { context, request } = contextOf(AdminRoutes, 'list', { 'x-api-key': 'k-billing' });
    expect(() => sut.canActivate(context)).toThrow(expect.objectContaining({ code: 'forbidden', extensions: { requiredScope: 'admin' } }));
    expect(request.apiClient).toBeUndefined();
  });

  it('reads the handler\'s scope before the controller\'s', () => {
    expect(codeOf(() => sut.canActivate(contextOf(AdminRoutes, 'introspect', { 'x-api-key': 'k-billing' }).context))).toBeUndefined();
    expect(codeOf(() => sut.canActivate(contextOf(AdminRoutes, 'introspect', { 'x-api-key': 'k-ops' }).context))).toBe('forbidden');
  });

  it('gives a key configured without scopes every scope, as before scopes existed', () => {
    expect(codeOf(() => sut.canActivate(contextOf(AdminRoutes, 'list', { 'x-api-key': 'k-legacy' }).context))).toBeUndefined();
    expect(codeOf(() => sut.canActivate(contextOf(AdminRoutes, 'introspect', { 'x-api-key': 'k-legacy' }).context))).toBeUndefined();
  });

  it('is unauthorized for a missing or unknown key, whatever the scope', () => {
    expect(codeOf(() => sut.canActivate(contextOf(AdminRoutes, 'list', {}).context))).toBe('unauthorized');
    expect(codeOf(() => sut.canActivate(contextOf(AdminRoutes, 'list', { 'x-api-key': 'k-nobody' }).context))).toBe('unauthorized');
  });

  it('refuses a route that declares no scope (a bug, not a client error)', () => {
    expect(() => sut.canActivate(contextOf(Unscoped, 'route', { 'x-api-key': 'k-ops' }).context)).toThrow('without @RequiresScope');
  });
});

describe(OptionalApiKeyGuard.name, () => {
  const sut = new OptionalApiKeyGuard(clients, new Reflector());
  @RequiresScope('login')
  class LoginRoutes {
    send(): void {}
  }

  it('lets anonymous callers through', () => {
    const { context, request } = contextOf(LoginRoutes, 'send', {});
    expect(sut.canActivate(context)).toBe(true);
    expect(request.apiClient).toBeUndefined();
  });

  it('refuses a key presented without the login scope', () => {
    expect(codeOf(() => sut.canActivate(contextOf(LoginRoutes, 'send', { 'x-api-key': 'k-ops' }).context))).toBe('forbidden');
    expect(codeOf(() => sut.canActivate(contextOf(LoginRoutes, 'send', { 'x-api-key': 'k-billing' }).context))).toBeUndefined();
  });
});
