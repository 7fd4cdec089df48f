import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** What the receiver does with the next requests: answer 200, answer 500, or keep them hanging (no answer). */
export type ReceiverMode = 'ok' | 'fail' | 'hang';

export interface ReceivedWebhook {
  id: string;
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
}

/** A fresh Standard Webhooks secret: `whsec_` and 32 random bytes. */
export const newWebhookSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

/**
 * A webhook subscriber on 127.0.0.1, as a careful one is written: it verifies each request with
 * the standardwebhooks package (signature and a 5-minute timestamp tolerance) and deduplicates by
 * `webhook-id`. It counts what arrived: accepted (first time), duplicates (an id seen before),
 * refused (bad signature) and failed on purpose (`mode` fail or hang).
 */
export class WebhookReceiver {
  /** The events accepted, once each, by id (first arrival). */
  readonly received = new Map<string, ReceivedWebhook>();
  /** How often each id was accepted, duplicates included. */
  readonly deliveries = new Map<string, number>();
  refused = 0;
  failedOnPurpose = 0;
  mode: ReceiverMode = 'ok';
  private readonly hanging = new Set<ServerResponse>();
  private readonly sockets = new Set<Socket>();
  private readonly waiters = new Set<() => void>();

  private constructor(
    private readonly server: Server,
    readonly secret: string,
  ) {}

  static async start(secret = newWebhookSecret()): Promise<WebhookReceiver> {
    const server = createServer();
    const receiver = new WebhookReceiver(server, secret);
    server.on('request', (request, response) => void receiver.handle(request, response));
    server.on('connection', (socket) => {
      receiver.sockets.add(socket);
      socket.once('close', () => receiver.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/webhooks`;
  }

  /** Requests accepted beyond the first of their id. */
  get duplicates(): number {
    return [...this.deliveries.values()].reduce((sum, count) => sum + count - 1, 0);
  }

  /** Requests held without an answer (mode hang). */
  get hangingCount(): number {
    return this.hanging.size;
  }

  /** A subscriber entry of EVENT_WEBHOOKS for this receiver. */
  subscriber(options: { events?: string; includePhone?: boolean; name?: string } = {}): Record<string, unknown> {
    return { url: this.url, secret: this.secret, events: options.events ?? '*', includePhone: options.includePhone ?? false, ...(options.name ? { name: options.name } : {}) };
  }

  /** Sets the mode; leaving `hang` lets the hanging requests go (closed without an answer). */
  setMode(mode: ReceiverMode): void {
    this.mode = mode;
    if (mode !== 'hang') this.releaseHanging();
  }

  /** Resolves once `ids` have all been accepted; rejects after `timeoutMs`. */
  async waitFor(ids: readonly string[], timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!ids.every((id) => this.received.has(id))) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`received ${ids.filter((id) => this.received.has(id)).length} of ${ids.length} events`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.min(left, 200));
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.waiters.add(done);
      });
    }
  }

  async stop(): Promise<void> {
    this.releaseHanging();
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    if (this.mode === 'hang') {
      this.hanging.add(response);
      return;
    }
    if (this.mode === 'fail') {
      this.failedOnPurpose += 1;
      response.writeHead(500).end();
      return;
    }
    const body = Buffer.concat(chunks).toString('utf8');
    let payload: Omit<ReceivedWebhook, 'id'>;
    try {
      payload = new Webhook(this.secret).verify(body, request.headers as Record<string, string>) as Omit<ReceivedWebhook, 'id'>;
    } catch {
      this.refused += 1;
      response.writeHead(401).end();
      return;
    }
    const id = String(request.headers['webhook-id']);
    this.deliveries.set(id, (this.deliveries.get(id) ?? 0) + 1);
    if (!this.received.has(id)) this.received.set(id, { id, ...payload });
    response.writeHead(204).end();
    for (const waiter of [...this.waiters]) waiter();
    this.waiters.clear();
  }

  private releaseHanging(): void {
    for (const response of this.hanging) response.destroy();
    this.hanging.clear();
  }
}
