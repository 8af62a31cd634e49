import type { types } from 'mediasoup-client';
import type { StatsReport } from '@hub/contracts';

interface Counters {
  at: number;
  bytesSent: number;
  bytesReceived: number;
  packetsReceived: number;
  packetsLost: number;
}

/**
 * Turns two transports' getStats into the figures the session record keeps: bitrate each way (from the byte
 * counters between two samples), loss (lost / expected inbound packets over the interval), round-trip time and
 * jitter, and the send transport's bandwidth estimate (the browser's view of its uplink).
 */
export class StatsSampler {
  private last: Counters | null = null;

  async sample(send: types.Transport | null, recv: types.Transport | null): Promise<StatsReport & { jitterMs?: number }> {
    const now: Counters = { at: performance.now(), bytesSent: 0, bytesReceived: 0, packetsReceived: 0, packetsLost: 0 };
    let rtt: number | null = null;
    let available: number | null = null;
    let jitter: number | null = null;
    const read = (report: RTCStatsReport | undefined, sending: boolean) => {
      report?.forEach((s) => {
        if (s.type === 'outbound-rtp') now.bytesSent += s.bytesSent ?? 0;
        if (s.type === 'inbound-rtp') {
          now.bytesReceived += s.bytesReceived ?? 0;
          now.packetsReceived += s.packetsReceived ?? 0;
          now.packetsLost += Math.max(0, s.packetsLost ?? 0);
          if (typeof s.jitter === 'number') jitter = Math.max(jitter ?? 0, s.jitter * 1000);
        }
        if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') {
          if (typeof s.currentRoundTripTime === 'number') rtt = Math.max(rtt ?? 0, s.currentRoundTripTime * 1000);
          // the send transport's estimate only: a receive-only connection reports a default that means nothing
          if (sending && typeof s.availableOutgoingBitrate === 'number') available = Math.max(available ?? 0, s.availableOutgoingBitrate);
        }
      });
    };
    read(send && !send.closed ? await send.getStats() : undefined, true);
    read(recv && !recv.closed ? await recv.getStats() : undefined, false);
    const prev = this.last;
    this.last = now;
    const secs = prev ? Math.max(0.001, (now.at - prev.at) / 1000) : 0;
    const kbps = (a: number, b: number) => (prev ? Math.max(0, Math.round(((a - b) * 8) / 1000 / secs)) : 0);
    const received = prev ? now.packetsReceived - prev.packetsReceived : 0;
    const lost = prev ? now.packetsLost - prev.packetsLost : 0;
    const report: StatsReport & { jitterMs?: number } = {
      inboundBitrateKbps: kbps(now.bytesReceived, prev?.bytesReceived ?? 0),
      outboundBitrateKbps: kbps(now.bytesSent, prev?.bytesSent ?? 0),
      packetLoss: received + lost > 0 ? Math.max(0, lost) / (received + lost) : 0,
    };
    if (rtt !== null) report.rttMs = Math.round(rtt);
    if (available !== null) report.availableOutgoingKbps = Math.round(available / 1000);
    if (jitter !== null) report.jitterMs = Math.round(jitter);
    return report;
  }
}
