import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { MediaStatusView } from '@hub/contracts';
import { APP_CONFIG, AppConfig, MediaConfig } from '@hub/config';
import { MediaError } from './media.errors';
import { MEDIA_CODECS, Room } from './room';
import type { RtpCapabilities } from './media.types';
import { findWorkerBinary, mediasoupVersion } from './worker-binary';
import { WorkerPool } from './worker-pool';

/**
 * Entry point of @hub/media: the worker pool and the consultation rooms.
 *
 * Starts the pool at module init. When live media cannot run (MEDIA_ENABLED=false, no worker binary, workers
 * failing to start) the hub still starts: `status()` says why, `available` is false and getOrCreateRoom throws
 * MediaError('MEDIA_UNAVAILABLE') (HTTP 503). Nothing of the store-and-forward workflow depends on this service.
 */
@Injectable()
export class MediaService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('MediaService');
  private readonly config: MediaConfig;
  private pool?: WorkerPool;
  private readonly rooms = new Map<string, Room>();
  private readonly creating = new Map<string, Promise<Room>>();
  private unavailableReason?: string;
  private started?: Promise<void>;
  private capabilities?: RtpCapabilities;

  constructor(@Inject(APP_CONFIG) appConfig: AppConfig) {
    this.config = appConfig.media;
  }

  async onModuleInit(): Promise<void> {
    await this.start();
  }

  async onApplicationShutdown(): Promise<void> {
    this.close();
  }

  /** Starts the worker pool once; never throws (failures are reported by status()). */
  start(): Promise<void> {
    this.started ??= this.startPool();
    return this.started;
  }

  /** Whether rooms can be created now. */
  get available(): boolean {
    return !!this.pool && this.pool.workers().length > 0;
  }

  /** For readiness and the pre-call check. */
  status(): MediaStatusView {
    const workers = this.pool?.workers() ?? [];
    const reason = !this.config.enabled
      ? 'live consultations are disabled (MEDIA_ENABLED=false)'
      : (this.unavailableReason ?? (this.pool && !workers.length ? 'no mediasoup worker is running' : undefined));
    return {
      enabled: this.config.enabled,
      available: this.available,
      ...(reason && !this.available ? { reason } : {}),
      version: mediasoupVersion(),
      workers: workers.map((w) => ({ pid: w.worker.pid, rooms: w.roomIds.size, ports: w.ports })),
    };
  }

  /**
   * The RTP capabilities every router of this hub has (all are built from MEDIA_CODECS, so they are identical):
   * sent to a socket as soon as it connects, so the client loads its Device and joins with its own capabilities,
   * and the server creates its consumers in the join answer. Learnt once from a router made and closed for it;
   * null when media is unavailable.
   */
  async routerRtpCapabilities(): Promise<RtpCapabilities | null> {
    await this.start();
    if (this.capabilities) return this.capabilities;
    const worker = this.pool?.leastLoaded();
    if (!worker) return null;
    const router = await worker.worker.createRouter({ mediaCodecs: MEDIA_CODECS });
    this.capabilities = router.rtpCapabilities;
    router.close();
    return this.capabilities;
  }

  /** The room with this id, created (router on the least-loaded worker) if it does not exist. */
  async getOrCreateRoom(roomId: string): Promise<Room> {
    if (typeof roomId !== 'string' || !roomId) throw new MediaError('INVALID_PARAMETERS', 'roomId is required');
    await this.start();
    const existing = this.rooms.get(roomId);
    if (existing) return existing;
    const pending = this.creating.get(roomId);
    if (pending) return pending;
    const creation = this.createRoom(roomId).finally(() => this.creating.delete(roomId));
    this.creating.set(roomId, creation);
    return creation;
  }

  getRoom(roomId: string): Room | undefined {
    return this.rooms.get(roomId);
  }

  /** Closes a room and everything in it (emits `closed`). Unknown ids are ignored. */
  closeRoom(roomId: string, reason = 'closed'): void {
    this.rooms.get(roomId)?.close(reason);
  }

  /** Open rooms (monitoring, tests). */
  listRooms(): Room[] {
    return [...this.rooms.values()];
  }

  /** pids of the running worker processes (tests, benches, monitoring). */
  workerPids(): number[] {
    return this.pool?.workers().map((w) => w.worker.pid) ?? [];
  }

  /**
   * Figures for /metrics: each worker's CPU time (worker.getResourceUsage: user + system), rooms, peers,
   * producers, consumers and the bitrate in and out of the SFU (sum of the peers' transport stats).
   */
  async metrics(): Promise<MediaMetrics> {
    const workers = await Promise.all(
      (this.pool?.workers() ?? []).map(async (w) => {
        const usage = await w.worker.getResourceUsage().catch(() => null);
        return { pid: w.worker.pid, index: w.index, rooms: w.roomIds.size, cpuSeconds: usage ? (usage.ru_utime + usage.ru_stime) / 1000 : null };
      }),
    );
    const rooms = this.listRooms().filter((r) => !r.closed);
    const peers = rooms.flatMap((r) => [...r.peers.values()]);
    const stats = await Promise.all(peers.map((p) => p.getStats().catch(() => null)));
    return {
      workers,
      rooms: rooms.length,
      peers: peers.length,
      producers: peers.reduce((n, p) => n + p.producers.size, 0),
      consumers: peers.reduce((n, p) => n + p.consumers.size, 0),
      bitrateInBps: stats.reduce((n, s) => n + (s?.sendBitrate ?? 0), 0),
      bitrateOutBps: stats.reduce((n, s) => n + (s?.recvBitrate ?? 0), 0),
    };
  }

  /** Closes every room and worker. */
  close(): void {
    for (const room of [...this.rooms.values()]) room.close('shutdown');
    this.pool?.close();
    this.pool = undefined;
    this.unavailableReason ??= 'shut down';
  }

  private async createRoom(roomId: string): Promise<Room> {
    if (!this.pool) {
      throw new MediaError('MEDIA_UNAVAILABLE', `live consultations are unavailable: ${this.status().reason ?? 'not started'}`);
    }
    let worker;
    try {
      worker = await this.pool.acquire();
    } catch (e) {
      throw new MediaError('MEDIA_UNAVAILABLE', `live consultations are unavailable: ${(e as Error).message}`);
    }
    const room = new Room(roomId, (closed) => {
      if (this.rooms.get(closed.id) === closed) this.rooms.delete(closed.id);
    });
    await room.attach(worker);
    this.rooms.set(roomId, room);
    return room;
  }

  private async startPool(): Promise<void> {
    if (!this.config.enabled) {
      this.logger.log('live consultations disabled (MEDIA_ENABLED=false)');
      return;
    }
    const lookup = findWorkerBinary(this.config.workerBin);
    if (!lookup.path) {
      this.unavailableReason =
        `no mediasoup ${lookup.version} worker binary (looked in ${lookup.tried.join(', ')}); ` +
        'run `bash scripts/mediasoup-worker.sh` (or npm install) and see docs/media.md';
      this.logger.error(`live consultations unavailable: ${this.unavailableReason}`);
      return;
    }
    const pool = new WorkerPool(this.config, lookup.path);
    pool.on('replaced', (dead, replacement) => {
      for (const roomId of dead.roomIds) {
        const room = this.rooms.get(roomId);
        if (!room) continue;
        // Spread rebuilt rooms over the live workers, not all onto the replacement.
        const target = pool.leastLoaded() ?? replacement;
        void room.rebuild(target, `worker pid ${dead.pid} died: ${dead.error.message}`);
      }
    });
    try {
      await pool.start();
      this.pool = pool;
      this.unavailableReason = undefined;
      this.logger.log(`mediasoup ${lookup.version} worker: ${lookup.path}`);
    } catch (e) {
      this.unavailableReason = `mediasoup workers failed to start (${lookup.path}): ${(e as Error).message}`;
      this.logger.error(`live consultations unavailable: ${this.unavailableReason}`);
    }
  }
}

export interface MediaMetrics {
  workers: { pid: number; index: number; rooms: number; cpuSeconds: number | null }[];
  rooms: number;
  peers: number;
  producers: number;
  consumers: number;
  /** Bits per second the SFU receives from all peers / sends to all peers. */
  bitrateInBps: number;
  bitrateOutBps: number;
}
