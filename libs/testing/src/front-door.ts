import { AddressInfo, connect, createServer, Server, Socket } from 'node:net';

/**
 * A load balancer in front of several hub instances, for tests: a TCP proxy on a free port that sends each new
 * connection (HTTP, WebSocket) to the first backend that accepts it, in the order given — so a browser is pinned to
 * its preferred instance and moves to the next one when that instance dies, as HAProxy or nginx with health checks
 * would move it. Connections already open die with their backend (a SIGKILLed hub resets them).
 */
export class FrontDoor {
  private server?: Server;
  private readonly open = new Set<Socket>();
  /** Connections made per backend port (what went where). */
  readonly counts = new Map<number, number>();
  port = 0;

  constructor(private readonly backends: number[]) {}

  get base(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  private accept(client: Socket) {
    client.pause();
    this.open.add(client);
    client.on('close', () => this.open.delete(client));
    client.on('error', () => client.destroy());
    const tryBackend = (i: number) => {
      if (i >= this.backends.length || client.destroyed) return client.destroy();
      const upstream = connect(this.backends[i], '127.0.0.1');
      let connected = false;
      upstream.on('error', () => (connected ? client.destroy() : tryBackend(i + 1)));
      upstream.once('connect', () => {
        connected = true;
        this.counts.set(this.backends[i], (this.counts.get(this.backends[i]) ?? 0) + 1);
        this.open.add(upstream);
        upstream.on('close', () => {
          this.open.delete(upstream);
          client.destroy();
        });
        client.on('close', () => upstream.destroy());
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
    };
    tryBackend(0);
  }

  async close(): Promise<void> {
    for (const s of this.open) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
