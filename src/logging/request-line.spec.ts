import type { FastifyReply, FastifyRequest } from 'fastify';
import { pino } from 'pino';
import { CLIENT_CLOSED_REQUEST, pinoOptions, requestLineHooks } from './request-line.js';

describe(requestLineHooks.name, () => {
  let written: Record<string, unknown>[];
  const logger = (level: Parameters<typeof pinoOptions>[0]) =>
    pino(pinoOptions(level), { write: (line: string) => void written.push(JSON.parse(line) as Record<string, unknown>) });
  const requestTo = (url: string, route?: string) => ({ id: 'req-1', method: 'POST', url, routeOptions: { url: route } }) as FastifyRequest;
  const answer = (log: ReturnType<typeof logger>, url: string, statusCode: number, route?: string) => {
    const done = jest.fn();
    requestLineHooks(log).onResponse(requestTo(url, route), { statusCode, elapsedTime: 12.345 } as FastifyReply, done);
    expect(done).toHaveBeenCalledTimes(1);
  };
  beforeEach(() => (written = []));

  it('writes the id, method, path without the query, status and time at info', () => {
    answer(logger('log'), '/v1/otp/verify?code=123456', 400);
    expect(written).toEqual([
      expect.objectContaining({
        level: 30,
        req: { id: 'req-1', method: 'POST', path: '/v1/otp/verify' },
        res: { statusCode: 400 },
        responseTime: 12.3,
        msg: 'POST /v1/otp/verify 400',
      }),
    ]);
  });

  it('writes a 5xx at warn, so that it stays when the level is warn', () => {
    const log = logger('warn');
    answer(log, '/v1/otp/send', 202);
    answer(log, '/v1/otp/send', 503);
    expect(written).toEqual([expect.objectContaining({ level: 40, res: { statusCode: 503 }, msg: 'POST /v1/otp/send 503' })]);
  });

  it('skips the probe and scrape routes, and nothing else', () => {
    const log = logger('log');
    answer(log, '/health/live', 200, '/health/live');
    answer(log, '/health/ready?x=1', 200, '/health/ready');
    answer(log, '/metrics', 200, '/metrics');
    expect(written).toEqual([]);
    for (const url of ['/health', '/health/anything', '/healthz', '/metrics-x', '/v1/health']) answer(log, url, 404);
    expect(written.map((line) => (line.req as { path: string }).path)).toEqual(['/health', '/health/anything', '/healthz', '/metrics-x', '/v1/health']);
  });

  it('writes a request whose client hung up first, marked aborted', () => {
    const done = jest.fn();
    requestLineHooks(logger('log')).onRequestAbort(requestTo('/v1/otp/verify?code=1', '/v1/otp/verify'), done);
    expect(done).toHaveBeenCalledTimes(1);
    expect(written).toEqual([
      expect.objectContaining({
        level: 30,
        req: { id: 'req-1', method: 'POST', path: '/v1/otp/verify' },
        res: { statusCode: CLIENT_CLOSED_REQUEST },
        aborted: true,
        msg: 'POST /v1/otp/verify aborted by the client',
      }),
    ]);
  });

  it('redacts secrets one level down in any line of the logger', () => {
    logger('log').info({ nested: { code: '123456', refreshToken: 'r', accessToken: 'a', authorization: 'b', 'x-api-key': 'k', cookie: 'c', refresh_token: 'r', access_token: 'a', client_secret: 's' } }, 'm');
    expect(written[0]).toMatchObject({
      nested: {
        code: '[redacted]',
        refreshToken: '[redacted]',
        accessToken: '[redacted]',
        authorization: '[redacted]',
        'x-api-key': '[redacted]',
        cookie: '[redacted]',
        refresh_token: '[redacted]',
        access_token: '[redacted]',
        client_secret: '[redacted]',
      },
    });
  });
});
