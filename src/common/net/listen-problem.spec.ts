import { createServer, Server } from 'node:net';
import { AddressInfo } from 'node:net';
import { describeListenError, listenProblem } from './listen-problem.js';

describe(listenProblem.name, () => {
  let taken: Server;
  beforeAll(() => new Promise<void>((resolve) => (taken = createServer().listen(0, '127.0.0.1', resolve))));
  afterAll(() => new Promise<void>((resolve) => taken.close(() => resolve())));
  const takenPort = () => (taken.address() as AddressInfo).port;

  it('names a port in use, its host and the settings to change, in one line', async () => {
    expect(await listenProblem('127.0.0.1', takenPort())).toBe(
      `port ${takenPort()} on 127.0.0.1 is in use (EADDRINUSE); set PORT or stop the other process`,
    );
  });

  it('finds nothing on a free port, and leaves it free', async () => {
    const free = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => free.once('listening', resolve));
    const port = (free.address() as AddressInfo).port;
    await new Promise((resolve) => free.close(resolve));
    expect(await listenProblem('127.0.0.1', port)).toBeUndefined();
    expect(await listenProblem('127.0.0.1', port)).toBeUndefined();
  });

  it('names a HOST that is not an address of this machine', async () => {
    // TEST-NET-1 (RFC 5737): never assigned to an interface.
    expect(await listenProblem('192.0.2.1', 3000)).toMatch(/^HOST 192\.0\.2\.1 is not an address of this machine \(EADDRNOTAVAIL\)/);
  });

  it('leaves errors that are not about the address to the caller', () => {
    expect(describeListenError(Object.assign(new Error('boom'), { code: 'EMFILE' }), '0.0.0.0', 3000)).toBeUndefined();
  });
});
