import { Logger } from '@nestjs/common';
import {
  initialQualityState,
  nextQuality,
  QUALITY_SAMPLE_INTERVAL_MS,
  QualityState,
} from '@hub/contracts';
import type { Room } from './room';

/**
 * Applies the degradation ladder (@hub/contracts media-policy) to every peer of a room every
 * QUALITY_SAMPLE_INTERVAL_MS: reads the peer's receive-transport bandwidth estimate and its consumers' loss,
 * moves the peer's level, re-caps or pauses its video consumers, and emits `peerQuality` on a change.
 */
export class QualityMonitor {
  private readonly logger = new Logger('MediaQuality');
  private timer?: NodeJS.Timeout;
  private running = false;
  private readonly states = new Map<string, QualityState>();

  constructor(
    private readonly room: Room,
    private readonly intervalMs = QUALITY_SAMPLE_INTERVAL_MS,
  ) {}

  start(): void {
    this.stop();
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.states.clear();
  }

  /** One sampling round (public for tests and benches). */
  async tick(): Promise<void> {
    if (this.running || this.room.closed) return;
    this.running = true;
    try {
      for (const id of this.states.keys()) if (!this.room.peers.has(id)) this.states.delete(id);
      await Promise.all([...this.room.peers.values()].map(async (peer) => {
        const recv = peer.recvTransport()?.transport;
        if (peer.closed || !recv || peer.consumers.size === 0) return;
        // Only a connected link says anything about its quality (before ICE/DTLS complete, or while ICE is
        // disconnected and the client reconnects, the estimate is meaningless).
        if (recv.dtlsState !== 'connected' || !['connected', 'completed'].includes(recv.iceState)) return;
        const stats = await peer.getStats();
        const before = this.states.get(peer.id) ?? initialQualityState(peer.quality);
        const after = nextQuality(before, {
          // 0 means "no estimate yet", not "no bandwidth".
          availableBitrate: stats.availableOutgoingBitrate || undefined,
          packetLoss: stats.packetLoss,
        });
        this.states.set(peer.id, after);
        if (after.level !== peer.quality && !peer.closed) {
          const previous = peer.quality;
          await peer.setQuality(after.level);
          this.logger.log(`room ${this.room.id} peer ${peer.id}: quality ${previous} -> ${after.level}`);
          this.room.emit('peerQuality', { peerId: peer.id, level: after.level, previous, stats: { ...stats, quality: after.level } });
        }
      }));
    } catch (e) {
      if (!this.room.closed) this.logger.warn(`room ${this.room.id}: quality sample failed: ${(e as Error).message}`);
    } finally {
      this.running = false;
    }
  }
}
