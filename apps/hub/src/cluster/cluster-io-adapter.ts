import { INestApplicationContext, Logger } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter as createPostgresAdapter } from '@socket.io/postgres-adapter';
import { createAdapter as createRedisAdapter } from '@socket.io/redis-adapter';
import Redis from 'ioredis';
import { Pool } from 'pg';

export interface ClusterAdapterOptions {
  /** The hub's database: the PostgreSQL adapter LISTENs and NOTIFYs there (default). */
  databaseUrl: string;
  /** When set, the Redis adapter instead (pub/sub on two connections). */
  redisUrl?: string;
}

/** The database's name, from its URL (names the Redis channels). */
function databaseName(url: string): string {
  try {
    return decodeURIComponent(new URL(url).pathname.slice(1)) || 'hub';
  } catch {
    return 'hub';
  }
}

/**
 * socket.io with a cluster adapter, so that `server.to(room).emit(...)`, `fetchSockets()`, `disconnectSockets()`
 * and `serverSideEmit()` reach the sockets of every hub instance, not only this one's: a notification pushed by
 * instance A reaches the doctor whose socket is on instance B.
 *
 * - Default: `@socket.io/postgres-adapter` on the hub's own database (LISTEN/NOTIFY; payloads over 8000 bytes go
 *   through the `socket_io_attachments` table of migration ClusterMediaNodes). PostgreSQL stays the only dependency,
 *   and a single `npm start` works unchanged (it is simply a cluster of one).
 * - `REDIS_URL` set: `@socket.io/redis-adapter` on ioredis (for many instances or heavy fan-out).
 */
export class ClusterIoAdapter extends IoAdapter {
  protected override readonly logger = new Logger('ClusterIoAdapter');
  private pool?: Pool;
  private redis: Redis[] = [];
  private adapterFactory?: ReturnType<typeof createPostgresAdapter> | ReturnType<typeof createRedisAdapter>;

  constructor(
    app: INestApplicationContext,
    private readonly options: ClusterAdapterOptions,
  ) {
    super(app);
  }

  /** Kind of adapter in use, for the health endpoint and logs. */
  get kind(): 'redis' | 'postgres' {
    return this.options.redisUrl ? 'redis' : 'postgres';
  }

  private factory() {
    if (this.adapterFactory) return this.adapterFactory;
    if (this.options.redisUrl) {
      const pub = new Redis(this.options.redisUrl, { lazyConnect: false, maxRetriesPerRequest: null });
      const sub = pub.duplicate();
      for (const c of [pub, sub]) c.on('error', (e: Error) => this.logger.warn(`redis adapter: ${e.message}`));
      this.redis = [pub, sub];
      // Channels named after the database, so deployments (or test runs) sharing one Redis never hear each other.
      this.adapterFactory = createRedisAdapter(pub, sub, { key: `field-telemed:${databaseName(this.options.databaseUrl)}` });
    } else {
      // Its own small pool: one connection LISTENs for the whole process, the others NOTIFY.
      this.pool = new Pool({ connectionString: this.options.databaseUrl, max: 4, application_name: 'field-telemed-hub socket.io' });
      this.pool.on('error', (e) => this.logger.warn(`postgres adapter pool: ${e.message}`));
      // The adapter keeps one client checked out for LISTEN without an 'error' listener: a database restart would
      // then crash the process (an unhandled 'error' event). Every client of this pool gets one; the adapter sees the
      // client end and reconnects by itself.
      this.pool.on('connect', (client) => client.on('error', (e) => this.logger.warn(`postgres adapter connection: ${e.message}`)));
      this.adapterFactory = createPostgresAdapter(this.pool, {
        channelPrefix: 'socket_io',
        tableName: 'socket_io_attachments',
        // Other instances are known within 2 s and forgotten 6 s after their last heartbeat (fetchSockets answers).
        heartbeatInterval: 2000,
        heartbeatTimeout: 6000,
        errorHandler: (e: Error) => this.logger.warn(`postgres adapter: ${e.message}`),
      });
    }
    return this.adapterFactory;
  }

  // @nestjs/platform-socket.io carries its own copy of socket.io (same 4.8 line): its Server type, not the top-level one.
  override createIOServer(port: number, options?: Parameters<IoAdapter['createIOServer']>[1]): ReturnType<IoAdapter['createIOServer']> {
    const server = super.createIOServer(port, options);
    server.adapter(this.factory() as never);
    this.logger.log(`socket.io adapter: ${this.kind}`);
    return server;
  }

  override async dispose(): Promise<void> {
    await super.dispose();
    // pool.end() waits for every checked-out client: the adapter may hold one it never releases (a LISTEN client it
    // reconnected while the server closed); waiting longer than 2 s would hold up the whole shutdown.
    if (this.pool) await Promise.race([this.pool.end().catch(() => undefined), new Promise((r) => setTimeout(r, 2000).unref())]);
    for (const c of this.redis) c.disconnect();
    this.pool = undefined;
    this.redis = [];
  }
}
