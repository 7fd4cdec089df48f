import { createServer } from 'node:net';

/**
 * One line an operator can act on, for an error of listening on `host`:`port` (EADDRINUSE and
 * the like); undefined for an error that is not about the address.
 */
export function describeListenError(error: unknown, host: string, port: number): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'EADDRINUSE':
      return `port ${port} on ${host} is in use (EADDRINUSE); set PORT or stop the other process`;
    case 'EACCES':
      return `port ${port} on ${host} needs privileges this process lacks (EACCES); set PORT to 1024 or above`;
    case 'EADDRNOTAVAIL':
      return `HOST ${host} is not an address of this machine (EADDRNOTAVAIL); set HOST to one of its addresses, or 0.0.0.0`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `HOST ${host} does not resolve to an address (${code}); set HOST to an IP address, or 0.0.0.0`;
    default:
      return undefined;
  }
}

/**
 * Why the service could not listen on `host`:`port`, found by listening there a moment before
 * the application is built: a port in use is refused before any startup line, not after Nest's
 * "successfully started". Undefined when the address is free.
 */
export function listenProblem(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error) => {
      const problem = describeListenError(error, host, port);
      if (problem === undefined) reject(error);
      else resolve(problem);
    });
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(undefined)));
  });
}
