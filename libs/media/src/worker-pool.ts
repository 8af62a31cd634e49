import { Logger } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import type { types as ms } from 'mediasoup';
import type { MediaConfig } from '@hub/config';
import { loadMediasoup } from './worker-binary';

/** One supervised mediasoup worker process with its WebRtcServer (one UDP + one TCP port). */
export interface PoolWorker {
  /** Slot in the pool; a replacement takes the slot (and the port) of the worker it replaces. */
  readonly index: number;
  readonly worker: ms.Worker;
  readonly webRtcServer: ms.WebRtcServer;
  /** Ports of the WebRtcServer: [UDP, TCP] (the same number unless MEDIA_PORT_MIN=0 picked ephemeral ones). */
  readonly ports: number[];
  /** Rooms whose router lives on this worker (maintained by MediaService). */
  readonly roomIds: Set<string>;
  /** Rough load used to place new rooms: rooms + peers on this worker (maintained by MediaService). */
  load: number;
}

export interface WorkerPoolEvents {
  /** A worker died; `replacement` is the worker that took its slot (already running). */
  replaced: [dead: { index: number; pid: number; roomIds: string[]; error: Error }, replacement: PoolWorker];
  /** A worker died and could not be replaced yet (retried with backoff). */
  unavailable: [index: number, error: Error];
}

const RESPAWN_DELAYS_MS = [0, 250, 1000, 5000];

/**
 * A fixed number of mediasoup workers, each an isolated child process supervised here: a worker that dies is
 * replaced in the same slot (same WebRtcServer port), and `replaced` lists the rooms that lost their router.
 */
export class WorkerPool extends EventEmitter<WorkerPoolEvents> {
  private readonly logger = new Logger('MediaWorkerPool');
  private readonly slots: (PoolWorker | undefined)[] = [];
  private closed = false;
  private readonly respawnTimers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly config: MediaConfig,
    private readonly workerBin: string,
  ) {
    super();
  }

  /** Starts every worker; rejects (after closing what started) if any cannot start. */
  async start(): Promise<void> {
    try {
      for (let index = 0; index < this.config.workers; index++) {
        this.slots[index] = await this.spawn(index);
      }
    } catch (e) {
      this.close();
      throw e;
    }
    this.logger.log(
      `${this.config.workers} mediasoup worker(s) running: ${this.workers()
        .map((w) => `pid ${w.worker.pid} ports ${w.ports.join('/')}`)
        .join(', ')}`,
    );
  }

  /** Running workers. */
  workers(): PoolWorker[] {
    return this.slots.filter((w): w is PoolWorker => !!w && !w.worker.closed);
  }

  /** The running worker with the least load; undefined when none runs. */
  leastLoaded(): PoolWorker | undefined {
    return this.workers().sort((a, b) => a.load - b.load || a.index - b.index)[0];
  }

  /** Resolves with a running worker, waiting (up to `timeoutMs`) for a replacement if none runs right now. */
  async acquire(timeoutMs = 10_000): Promise<PoolWorker> {
    const now = this.leastLoaded();
    if (now) return now;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('replaced', onReplaced);
        reject(new Error('no mediasoup worker is running'));
      }, timeoutMs);
      const onReplaced = (_dead: unknown, replacement: PoolWorker) => {
        clearTimeout(timer);
        resolve(replacement);
      };
      this.once('replaced', onReplaced);
    });
  }

  close(): void {
    this.closed = true;
    for (const t of this.respawnTimers) clearTimeout(t);
    this.respawnTimers.clear();
    for (const w of this.slots) w?.worker.close();
    this.slots.length = 0;
  }

  private async spawn(index: number): Promise<PoolWorker> {
    const mediasoup = loadMediasoup(this.workerBin);
    const worker = await mediasoup.createWorker({
      logLevel: 'warn',
      rtcMinPort: this.config.rtcMinPort,
      rtcMaxPort: this.config.rtcMaxPort,
      appData: { index },
    });
    let webRtcServer: ms.WebRtcServer;
    try {
      const port = this.config.portMin === 0 ? undefined : this.config.portMin + index;
      const base = { ip: this.config.listenIp, announcedIp: this.config.announcedIp, port };
      webRtcServer = await worker.createWebRtcServer({
        listenInfos: [
          { ...base, protocol: 'udp' },
          { ...base, protocol: 'tcp' },
        ],
      });
    } catch (e) {
      worker.close();
      throw new Error(`mediasoup worker ${index}: cannot listen: ${(e as Error).message}`);
    }
    const dump = (await webRtcServer.dump()) as unknown as {
      udpSockets?: { port: number }[];
      tcpServers?: { port: number }[];
    };
    const pw: PoolWorker = {
      index,
      worker,
      webRtcServer,
      ports: [...new Set([...(dump.udpSockets ?? []), ...(dump.tcpServers ?? [])].map((s) => s.port))],
      roomIds: new Set(),
      load: 0,
    };
    worker.once('died', (error) => this.onDied(pw, error));
    return pw;
  }

  private onDied(dead: PoolWorker, error: Error): void {
    if (this.closed) return;
    const roomIds = [...dead.roomIds];
    this.logger.error(
      `mediasoup worker ${dead.index} (pid ${dead.worker.pid}) died: ${error.message}; ` +
        `${roomIds.length} room(s) to rebuild; replacing it`,
    );
    this.slots[dead.index] = undefined;
    const attempt = (n: number) => {
      const timer = setTimeout(
        async () => {
          this.respawnTimers.delete(timer);
          if (this.closed) return;
          try {
            const replacement = await this.spawn(dead.index);
            if (this.closed) {
              replacement.worker.close();
              return;
            }
            this.slots[dead.index] = replacement;
            this.logger.warn(
              `mediasoup worker ${dead.index} replaced: pid ${dead.worker.pid} -> ${replacement.worker.pid}`,
            );
            this.emit('replaced', { index: dead.index, pid: dead.worker.pid, roomIds, error }, replacement);
          } catch (e) {
            this.logger.error(`mediasoup worker ${dead.index}: respawn failed: ${(e as Error).message}`);
            this.emit('unavailable', dead.index, e as Error);
            attempt(Math.min(n + 1, RESPAWN_DELAYS_MS.length - 1));
          }
        },
        RESPAWN_DELAYS_MS[n],
      );
      this.respawnTimers.add(timer);
    };
    attempt(0);
  }
}
