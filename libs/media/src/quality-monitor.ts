import { Logger } from '@nestjs/common';
import {
  initialQualityState,
  nextQuality,
  QUALITY_SAMPLE_INTERVAL_MS,
  QualityState,
} from '@hub/contracts';
import type { Peer } from './peer';
import type { Room } from './room';

/**
 * Applies the degradation ladder (@hub/contracts media-policy) to every peer of a room every
 * QUALITY_SAMPLE_INTERVAL_MS, to each direction of its link:
 * - downlink: the peer's receive-transport bandwidth estimate and its consumers' loss -> the peer's level, its
 *   video consumers re-capped or paused, `peerQuality` on a change;
 * - uplink: the loss the SFU sees on the peer's producers and the browser's own send-side estimate -> the level of
 *   what the peer sends; its camera is held back from the others while that level has no video, and `peerUplink`
 *   (level and probing) tells the peer's browser which simulcast encodings to send.
 */
export class QualityMonitor {
  private readonly logger = new Logger('MediaQuality');
  private timer?: NodeJS.Timeout;
  private running = false;
  private readonly states = new Map<string, QualityState>();
  private readonly uplinks = new Map<string, QualityState>();
  /** Per peer, the loss counters of its producer streams at the previous uplink sample (Peer.getUplinkStats). */
  private readonly lossSeen = new Map<string, Map<string, number>>();

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
    this.uplinks.clear();
    this.lossSeen.clear();
  }

  /** One sampling round (public for tests and benches). */
  async tick(): Promise<void> {
    if (this.running || this.room.closed) return;
    this.running = true;
    try {
      for (const id of this.states.keys()) if (!this.room.peers.has(id)) this.states.delete(id);
      for (const id of this.uplinks.keys()) if (!this.room.peers.has(id)) this.uplinks.delete(id);
      for (const id of this.lossSeen.keys()) if (!this.room.peers.has(id)) this.lossSeen.delete(id);
      await Promise.all([...this.room.peers.values()].map((peer) => this.sampleUplink(peer)));
      await Promise.all([...this.room.peers.values()].map(async (peer) => {
        const recv = peer.recvTransport()?.transport;
        if (peer.closed || !recv || peer.consumers.size === 0) return;
        // Only a connected link says anything about its quality (before ICE/DTLS complete, or while ICE is
        // disconnected and the client reconnects, the estimate is meaningless).
        if (recv.dtlsState !== 'connected' || !['connected', 'completed'].includes(recv.iceState)) return;
        const stats = await peer.getStats();
        const before = this.states.get(peer.id) ?? initialQualityState(peer.quality);
        const after = nextQuality(
          before,
          {
            // 0 means "no estimate yet", not "no bandwidth".
            availableBitrate: stats.availableOutgoingBitrate || undefined,
            packetLoss: stats.packetLoss,
          },
          // mediasoup's estimate towards a peer is not trusted downwards on its own: on a steady 150 kbit/s link
          // it wandered 46-165 kbit/s while ~120 kbit/s flowed without loss (docs/media.md); loss steps down. Only
          // when mediasoup itself forwards a video less than the level promises (a lower spatial layer than the
          // level's and the producer's, or none: its estimate fits nothing better) may the estimate step down too.
          // A capped downlink (setMaxOutgoingBitrate) loses nothing: mediasoup just forwards the lowest layer.
          { estimateDown: underserved(peer) },
        );
        this.states.set(peer.id, after);
        if (after.level !== peer.quality && !peer.closed) {
          const previous = peer.quality;
          await peer.setQuality(after.level);
          this.logger.log(`room ${this.room.id} peer ${peer.id}: quality ${previous} -> ${after.level} (${describe(stats.availableOutgoingBitrate, stats.packetLoss)})`);
          this.room.emit('peerQuality', { peerId: peer.id, level: after.level, previous, stats: { ...stats, quality: after.level } });
        }
      }));
    } catch (e) {
      if (!this.room.closed) this.logger.warn(`room ${this.room.id}: quality sample failed: ${(e as Error).message}`);
    } finally {
      this.running = false;
    }
  }

  /** Weighs one peer's uplink at once (its browser reported a collapsed estimate), between the regular samples. */
  async sampleUplinkNow(peer: Peer): Promise<void> {
    if (this.running || this.room.closed || !this.timer) return;
    try {
      await this.sampleUplink(peer);
    } catch (e) {
      if (!this.room.closed) this.logger.warn(`room ${this.room.id}: uplink sample failed: ${(e as Error).message}`);
    }
  }

  private async sampleUplink(peer: Peer): Promise<void> {
    const send = peer.sendTransport()?.transport;
    if (peer.closed || !send || send.dtlsState !== 'connected' || !['connected', 'completed'].includes(send.iceState)) return;
    let seen = this.lossSeen.get(peer.id);
    if (!seen) this.lossSeen.set(peer.id, (seen = new Map()));
    const stats = await peer.getUplinkStats(seen);
    // Audio alone needs no ladder: it is always sent (and at its lowest it fits the worst link).
    if (!stats.sendsVideo) {
      this.uplinks.delete(peer.id);
      return;
    }
    const before = this.uplinks.get(peer.id) ?? initialQualityState(peer.uplink.level);
    // The browser's estimate tracks what it chooses to send: it takes the uplink down only from full or reduced, and
    // only when it leaves no room for video at all; loss does (severe loss at once: the overflowing queue holds the
    // sender's own audio).
    const after = nextQuality(
      before,
      { availableBitrate: stats.availableBitrate, packetLoss: stats.packetLoss },
      { estimateDown: false, severeAtOnce: true, estimateDownFromHigh: true },
    );
    this.uplinks.set(peer.id, after);
    const { level: previous, probing: wasProbing } = peer.uplink;
    if ((after.level !== previous || after.probing !== wasProbing) && !peer.closed) {
      await peer.setUplink(after.level, after.probing);
      if (after.level !== previous) this.logger.log(`room ${this.room.id} peer ${peer.id}: uplink ${previous} -> ${after.level} (${describe(stats.availableBitrate, stats.packetLoss)})`);
      this.room.emit('peerUplink', { peerId: peer.id, level: after.level, previous, probing: after.probing, stats });
    }
  }
}

const describe = (bps: number | undefined, loss: number) =>
  `estimate ${bps === undefined ? 'none' : `${Math.round(bps / 1000)} kbit/s`}, loss ${Math.round(loss * 1000) / 10} %`;

/**
 * A video consumer the peer should receive gets less from mediasoup than the peer's level asks for and the producer
 * sends: no layer at all, a lower spatial layer than both the preferred one (the level's) and the highest the
 * producer sends, or on that spatial layer fewer temporal layers (frames) than preferred and encoded. Only
 * mediasoup's own estimate makes it forward less, so this is the estimate acting on the peer's video, not wandering
 * beside it. (A producer that sends only its lowest layer, as a weak uplink does, leaves a downlink cap visible only
 * in the temporal layers: 60 kbit/s carries 0:1 of an 80 kbit/s lowest layer, never "no layer".)
 */
const underserved = (peer: Peer) =>
  [...peer.consumers.values()].some(({ consumer, clientPaused }) => {
    if (consumer.kind !== 'video' || consumer.type !== 'simulcast' || clientPaused || consumer.paused || consumer.producerPaused) return false;
    const current = consumer.currentLayers;
    if (!current) return true;
    // At `low` the next step down pauses video: fewer frames of the lowest layer are still video (measured on a steady
    // 150 kbit/s link: mediasoup's estimate dipped to 78-84 kbit/s every half minute, forwarding 0:1 without loss, and
    // the level went audio only <-> low each time). Only no layer at all lets the estimate take video away.
    if (peer.quality === 'low') return false;
    const topSent = consumer.score.producerScores.reduce((top, score, i) => (score > 0 ? i : top), -1);
    const spatial = Math.min(consumer.preferredLayers?.spatialLayer ?? topSent, topSent);
    if (current.spatialLayer < spatial) return true;
    const temporalCount = Number(/T(\d)/.exec(consumer.rtpParameters.encodings?.[0]?.scalabilityMode ?? '')?.[1] ?? 1);
    const temporal = Math.min(consumer.preferredLayers?.temporalLayer ?? temporalCount - 1, temporalCount - 1);
    return current.spatialLayer === spatial && (current.temporalLayer ?? temporal) < temporal;
  });
