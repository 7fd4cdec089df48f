import type { FastifyReply, FastifyRequest } from 'fastify';
import { pino } from 'pino';
import { pinoOptions, requestLineHook } from './request-line.js';

describe(requestLineHook.name, () => {
  let written: Record<string, unknown>[];
  const logger = (level: Parameters<typeof pinoOptions>[0]) =>
    pino(pinoOptions(level), { write: (line: string) => void written.push(JSON.parse(line) as Record<string, unknown>) });
  const answer = (log: ReturnType<typeof logger>, url: string, statusCode: number) => {
    const done = jest.fn();
    const request = { id: 'req-1', method: 'POST', url } as FastifyRequest;
    requestLineHook(log)(request, { statusCode, elapsedTime: 12.345 } as FastifyReply, done);
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

  it('skips probes and scrapes, and nothing else', () => {
    const log = logger('log');
    for (const url of ['/health', '/health/live', '/health/ready?x=1', '/metrics']) answer(log, url, 200);
    expect(written).toEqual([]);
    for (const url of ['/healthz', '/metrics-x', '/v1/health']) answer(log, url, 404);
    expect(written.map((line) => (line.req as { path: string }).path)).toEqual(['/healthz', '/metrics-x', '/v1/health']);
  });

  it('redacts secrets one level down in any line of the logger', () => {
    logger('log').info({ nested: { code: '123456', refreshToken: 'r', accessToken: 'a', authorization: 'b', 'x-api-key': 'k', cookie: 'c' } }, 'm');
    expect(written[0]).toMatchObject({
      nested: { code: '[redacted]', refreshToken: '[redacted]', accessToken: '[redacted]', authorization: '[redacted]', 'x-api-key': '[redacted]', cookie: '[redacted]' },
    });
  });
});
