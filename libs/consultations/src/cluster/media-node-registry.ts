import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '@hub/config';

export interface MediaNodeView {
  id: string;
  rpcUrl: string;
  announcedIp: string | null;
  workers: number;
  load: number;
  heartbeatAt: string;
}

/**
 * The registry of media nodes in PostgreSQL (table `media_nodes`) and the placement of each live consultation's
 * media room on one of them (`consultation_media_placements`).
 *
 * - A hub instance whose mediasoup workers started registers itself: id, internal call address (`rpc_url`),
 *   announced media address, worker count, load (rooms + peers), heartbeat every third of MEDIA_NODE_TTL_SECONDS.
 * - It also keeps one PostgreSQL connection open for its whole life and records that backend's pid: a node is
 *   **live** while its heartbeat is fresh **and** that backend exists. A SIGKILLed instance's connection closes
 *   with the process, so it is seen dead within a second on the same network, without waiting for the TTL (the TTL
 *   still covers a hung process or a cut network, where the connection lingers).
 * - `place(sessionId)` is one SQL statement: the existing placement if its node is live, otherwise the live node
 *   with the lowest load (the longest-running one on a tie, so that ties do not depend on who asks) — concurrent calls for one session agree (row lock of the upsert).
 * - Every second the registry compares the live set with the last one and emits `down(nodeId)` for each node gone,
 *   so that instances re-place the calls their sockets take part in.
 */
@Injectable()
export class MediaNodeRegistry implements OnApplicationShutdown {
  private readonly logger = new Logger('MediaNodeRegistry');
  readonly id = randomUUID();
  private readonly events = new EventEmitter();
  private presence?: Client;
  private timer?: NodeJS.Timeout;
  private registered = false;
  private live = new Set<string>();
  private rpcUrl?: string;
  private loadOf: () => number = () => 0;
  private stopped = false;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  get ttlMs(): number {
    return this.config.cluster.nodeTtlMs;
  }

  /** This instance becomes a media node reachable at `rpcUrl`; `load` is read at each heartbeat. */
  async register(rpcUrl: string, workers: number, load: () => number): Promise<void> {
    this.rpcUrl = rpcUrl;
    this.loadOf = load;
    await this.connectPresence();
    await this.dataSource.query(
      `INSERT INTO media_nodes (id, rpc_url, announced_ip, workers, load, backend_pid) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (id) DO UPDATE SET rpc_url = EXCLUDED.rpc_url, backend_pid = EXCLUDED.backend_pid, heartbeat_at = now()`,
      [this.id, rpcUrl, this.config.media.announcedIp ?? this.config.media.listenIp, workers, load(), this.presencePid ?? null],
    );
    this.registered = true;
    this.logger.log(`media node ${this.id} registered (${rpcUrl}, ${workers} worker(s))`);
  }

  /** Starts the heartbeat and the watch of other nodes (also on instances without media: they host sockets). */
  start(): void {
    if (this.timer || this.stopped) return;
    // Heartbeat and watch every half second at most (a third of the TTL when shorter): a dead node's calls move
    // within about that, plus the time its clients take to rebuild media.
    const period = Math.max(250, Math.min(500, Math.floor(this.ttlMs / 3)));
    this.timer = setInterval(() => void this.tick(), period);
    this.timer.unref();
    void this.tick();
  }

  /** `down`: a node that was live is not any more (its calls must be placed again). */
  on(event: 'down', listener: (nodeId: string) => void): void {
    this.events.on(event, listener);
  }

  private presencePid?: number;

  private async connectPresence(): Promise<void> {
    const url = String((this.dataSource.options as { url?: string }).url);
    const client = new Client({ connectionString: url, application_name: `field-telemed-hub media-node ${this.id}` });
    client.on('error', (e) => this.logger.warn(`presence connection: ${e.message}`));
    client.on('end', () => {
      if (this.presence === client) this.presence = undefined;
      if (!this.stopped) setTimeout(() => void this.reconnectPresence(), 500).unref();
    });
    await client.connect();
    const [{ pid }] = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows;
    this.presence = client;
    this.presencePid = pid;
  }

  private async reconnectPresence(): Promise<void> {
    if (this.stopped || this.presence) return;
    try {
      await this.connectPresence();
      await this.dataSource.query(`UPDATE media_nodes SET backend_pid = $2, heartbeat_at = now() WHERE id = $1`, [this.id, this.presencePid]);
    } catch (e) {
      this.logger.warn(`presence reconnect failed: ${(e as Error).message}`);
      setTimeout(() => void this.reconnectPresence(), 1000).unref();
    }
  }

  /**
   * Looks at the live set now rather than at the next tick: a node did not answer a call, or a call was placed away
   * from its node. Coalesced: at most one look at a time, one more queued.
   */
  checkNow(): void {
    if (this.ticking) {
      this.tickAgain = true;
      return;
    }
    void this.tick();
  }

  private ticking = false;
  private tickAgain = false;

  private async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      await this.beat();
    } finally {
      this.ticking = false;
      if (this.tickAgain && !this.stopped) {
        this.tickAgain = false;
        void this.tick();
      }
    }
  }

  private async beat(): Promise<void> {
    try {
      if (this.registered) {
        await this.dataSource.query(`UPDATE media_nodes SET heartbeat_at = now(), load = $2 WHERE id = $1`, [this.id, this.loadOf()]);
      }
      const now = new Set(await this.liveIds());
      for (const id of this.live) if (!now.has(id)) this.events.emit('down', id);
      this.live = now;
    } catch (e) {
      if (!this.stopped) this.logger.warn(`media node heartbeat failed: ${(e as Error).message}`);
    }
  }

  private static readonly LIVE = `SELECT n.id, n.rpc_url, n.announced_ip, n.workers, n.load, n.started_at, n.heartbeat_at FROM media_nodes n
    WHERE n.heartbeat_at > now() - make_interval(secs => $1::double precision / 1000)
      AND EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = n.backend_pid)`;

  private async liveIds(): Promise<string[]> {
    const rows: { id: string }[] = await this.dataSource.query(MediaNodeRegistry.LIVE, [this.ttlMs]);
    return rows.map((r) => r.id);
  }

  /** The live media nodes (monitoring, tests). */
  async liveNodes(): Promise<MediaNodeView[]> {
    const rows: { id: string; rpc_url: string; announced_ip: string | null; workers: number; load: number; heartbeat_at: Date }[] = await this.dataSource.query(
      `${MediaNodeRegistry.LIVE} ORDER BY n.started_at`,
      [this.ttlMs],
    );
    return rows.map((r) => ({ id: r.id, rpcUrl: r.rpc_url, announcedIp: r.announced_ip, workers: r.workers, load: r.load, heartbeatAt: new Date(r.heartbeat_at).toISOString() }));
  }

  /** Whether a node is live now (asked of PostgreSQL, not of the last tick). */
  async isLive(nodeId: string): Promise<boolean> {
    return (await this.liveIds()).includes(nodeId);
  }

  /** The internal call address of a node (live or not; null when unknown). */
  async rpcUrlOf(nodeId: string): Promise<string | null> {
    if (nodeId === this.id) return this.rpcUrl ?? null;
    const rows: { rpc_url: string }[] = await this.dataSource.query(`SELECT rpc_url FROM media_nodes WHERE id = $1`, [nodeId]);
    return rows[0]?.rpc_url ?? null;
  }

  /**
   * The node holding this session's media room: the current placement if its node is live, otherwise the live node
   * with the lowest load (the longest-running on a tie), recorded. Null when no media node is live.
   */
  async place(sessionId: string): Promise<string | null> {
    const rows: { node_id: string }[] = await this.dataSource.query(
      `WITH live AS (${MediaNodeRegistry.LIVE}),
            choice AS (SELECT id FROM live ORDER BY load, started_at, id LIMIT 1),
            placed AS (
              INSERT INTO consultation_media_placements (session_id, node_id) SELECT $2, id FROM choice
              ON CONFLICT (session_id) DO UPDATE SET node_id = EXCLUDED.node_id, placed_at = now()
                WHERE consultation_media_placements.node_id NOT IN (SELECT id FROM live)
              RETURNING node_id)
       SELECT node_id FROM placed
       UNION ALL
       SELECT p.node_id FROM consultation_media_placements p WHERE p.session_id = $2 AND p.node_id IN (SELECT id FROM live)
       LIMIT 1`,
      [this.ttlMs, sessionId],
    );
    if (rows[0]) {
      // Placed away from a node this instance still believed live: look at the live set at once (calls to move).
      this.checkNowIfMoved(sessionId, rows[0].node_id);
      return rows[0].node_id;
    }
    // A concurrent placement committed between the statement's snapshot and its conflict check: read it.
    const again: { node_id: string }[] = await this.dataSource.query(
      `SELECT p.node_id FROM consultation_media_placements p WHERE p.session_id = $2 AND p.node_id IN (SELECT id FROM (${MediaNodeRegistry.LIVE}) live)`,
      [this.ttlMs, sessionId],
    );
    return again[0]?.node_id ?? null;
  }

  private readonly lastPlacement = new Map<string, string>();

  private checkNowIfMoved(sessionId: string, nodeId: string) {
    const before = this.lastPlacement.get(sessionId);
    this.lastPlacement.set(sessionId, nodeId);
    if (this.lastPlacement.size > 10_000) this.lastPlacement.clear();
    if (before && before !== nodeId) this.checkNow();
  }

  /** Where the session's room is placed now (no placement made). */
  async placementOf(sessionId: string): Promise<string | null> {
    const rows: { node_id: string }[] = await this.dataSource.query(`SELECT node_id FROM consultation_media_placements WHERE session_id = $1`, [sessionId]);
    return rows[0]?.node_id ?? null;
  }

  /** The session ended: its placement goes. */
  async unplace(sessionId: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM consultation_media_placements WHERE session_id = $1`, [sessionId]);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.registered) {
      await this.dataSource.query(`DELETE FROM media_nodes WHERE id = $1`, [this.id]).catch(() => undefined);
    }
    await this.presence?.end().catch(() => undefined);
  }
}
