import { createSocket, RemoteInfo, Socket as UdpSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { AddressInfo, createServer, Server, Socket } from 'node:net';
import type { BrowserContext, Page } from 'playwright-core';

/**
 * A link emulator for tests and benchmarks, because this machine has no `tc netem`: a relay between a client and a
 * server that shapes each direction like a narrow link — one-way delay, a rate limit with a bounded drop-tail
 * queue, random loss, and a cut on demand — all changeable while traffic flows, with counters per direction.
 *
 * - UDP: one listening port; each client 5-tuple (address:port) gets its own upstream socket, so the server sees
 *   one distinct peer per client tuple (what an ICE-lite SFU needs to keep its tuples apart).
 * - TCP: one listening port; each accepted connection gets its own upstream connection. A TCP link is never lossy
 *   (a lost segment is retransmitted by TCP: it shows up as delay), a full queue pushes back on the sender instead
 *   of dropping, and a cut either holds the bytes until the link comes back or resets every connection.
 *
 * UDP and TCP traffic of one relay share the same two directions (one link carries both). `up` is client → server
 * (the client's uplink), `down` is server → client. Rates count the bytes the relay carries (UDP payload, TCP
 * stream bytes) plus `overheadBytes` per packet (0 by default; 28 adds IPv4 + UDP headers).
 *
 * A browser page's WebRTC media goes through a relay with {@link routePageMediaThrough}: it rewrites the SFU's ICE
 * candidates in the page to the relay's ports, and points the relay at the address the candidates named.
 */

export type Direction = 'up' | 'down';

export interface LinkShape {
  /** One-way delay added to every packet, ms. */
  delayMs: number;
  /** Rate limit in kbit/s; 0 means unlimited. */
  rateKbps: number;
  /** Length of the drop-tail queue in front of the rate limit, in ms at the current rate (default 500). */
  queueMs: number;
  /** Or in bytes; when set (> 0) it takes precedence over queueMs. */
  queueBytes: number;
  /** Probability (0..1) that a UDP packet is lost. */
  loss: number;
  /** Everything is stopped: UDP packets dropped, TCP held or reset (see cutTcp). */
  cut: boolean;
  /** What a cut does to TCP: 'hold' keeps the connections and delivers the bytes after the cut, 'drop' resets them. */
  cutTcp: 'hold' | 'drop';
  /** Bytes counted per packet on top of its payload, for the rate limit (e.g. 28 for IPv4 + UDP). */
  overheadBytes: number;
}

export interface DirectionCounters {
  /** Offered to the link. */
  packets: number;
  bytes: number;
  /** Handed to the other side. */
  deliveredPackets: number;
  deliveredBytes: number;
  /** Dropped, by cause. */
  droppedLoss: number;
  droppedQueue: number;
  droppedCut: number;
  /** Bytes of the packets dropped (all causes). */
  droppedBytes: number;
  /** The largest packet offered, bytes. */
  largestPacket: number;
  /**
   * UDP packets offered, by what they are (read from the clear part of each datagram: SRTP keeps the RTP header in
   * the clear): `rtp pt=<payload type> ssrc=<ssrc>`, `rtcp`, `stun`, `dtls`, `other`; packets, bytes, the largest,
   * and how many were 1,000 bytes or more. Tells media from padding and probes (e.g. mediasoup's probation packets,
   * ssrc 1234 / pt 127) on a narrow link.
   */
  kinds: Record<string, { packets: number; bytes: number; largest: number; large: number }>;
}

export const OPEN_LINK: LinkShape = {
  delayMs: 0,
  rateKbps: 0,
  queueMs: 500,
  queueBytes: 0,
  loss: 0,
  cut: false,
  cutTcp: 'hold',
  overheadBytes: 0,
};

const emptyCounters = (): DirectionCounters => ({
  packets: 0,
  bytes: 0,
  deliveredPackets: 0,
  deliveredBytes: 0,
  droppedLoss: 0,
  droppedQueue: 0,
  droppedCut: 0,
  droppedBytes: 0,
  largestPacket: 0,
  kinds: {},
});

/** What a UDP datagram on a WebRTC 5-tuple is (RFC 7983 demultiplexing, then the RTP/RTCP header). */
export function packetKind(msg: Uint8Array): string {
  const b = msg[0];
  if (b === undefined) return 'other';
  if (b <= 3) return 'stun';
  if (b >= 20 && b <= 63) return 'dtls';
  if (b >= 128 && b <= 191 && msg.length >= 12) {
    const pt = msg[1] & 0x7f;
    if (pt >= 64 && pt <= 95) return 'rtcp'; // 192-223 with the marker bit
    const ssrc = ((msg[8] << 24) | (msg[9] << 16) | (msg[10] << 8) | msg[11]) >>> 0;
    return `rtp pt=${pt} ssrc=${ssrc}`;
  }
  return 'other';
}

interface Queued {
  at: number;
  size: number;
  deliver: () => void;
}

/** The largest TCP segment handed to the shaper at once, so a big write does not block the link as one unit. */
const TCP_SEGMENT = 1400;

/** One direction of the link: rate limiter with a drop-tail queue, then a fixed delay; never reorders. */
export class LinkPipe {
  shape: LinkShape;
  readonly counters: DirectionCounters = emptyCounters();
  /** When the rate limiter has finished sending everything accepted so far (ms, performance.now()). */
  private busyUntil = 0;
  private readonly queue: Queued[] = [];
  private timer: NodeJS.Timeout | null = null;
  private lastAt = 0;
  private held: (() => void)[] = [];
  private closed = false;

  constructor(shape: Partial<LinkShape> = {}, private readonly random: () => number = Math.random) {
    this.shape = { ...OPEN_LINK, ...shape };
  }

  set(change: Partial<LinkShape>): void {
    const wasCut = this.shape.cut;
    this.shape = { ...this.shape, ...change };
    if (wasCut && !this.shape.cut) {
      const held = this.held;
      this.held = [];
      for (const h of held) h();
    }
  }

  /** Bytes waiting in the rate limiter now. */
  queuedBytes(now = performance.now()): number {
    if (!this.shape.rateKbps) return 0;
    return Math.max(0, this.busyUntil - now) * this.shape.rateKbps / 8;
  }

  private queueLimitBytes(): number {
    if (this.shape.queueBytes > 0) return this.shape.queueBytes;
    return (this.shape.queueMs * this.shape.rateKbps) / 8;
  }

  /** A datagram: may be lost, dropped at the tail of a full queue, or dropped by a cut. */
  sendDatagram(size: number, deliver: () => void, kind?: string): void {
    if (this.closed) return;
    if (kind) {
      const k = (this.counters.kinds[kind] ??= { packets: 0, bytes: 0, largest: 0, large: 0 });
      k.packets++;
      k.bytes += size;
      k.largest = Math.max(k.largest, size);
      if (size >= 1000) k.large++;
    }
    this.counters.packets++;
    this.counters.bytes += size;
    this.counters.largestPacket = Math.max(this.counters.largestPacket, size);
    if (this.shape.cut) {
      this.counters.droppedCut++;
      this.counters.droppedBytes += size;
      return;
    }
    if (this.shape.loss > 0 && this.random() < this.shape.loss) {
      this.counters.droppedLoss++;
      this.counters.droppedBytes += size;
      return;
    }
    const now = performance.now();
    const wire = size + this.shape.overheadBytes;
    if (this.shape.rateKbps > 0 && this.queuedBytes(now) + wire > this.queueLimitBytes() && this.busyUntil > now) {
      this.counters.droppedQueue++;
      this.counters.droppedBytes += size;
      return;
    }
    this.enqueue(now, size, wire, deliver);
  }

  /**
   * A stream segment: never lost; while cut it is held ('hold') or refused ('drop', the caller resets).
   * Returns false when the caller should stop reading until `onDrain` runs (the queue is full).
   */
  sendSegment(size: number, deliver: () => void, onDrain: () => void): boolean {
    if (this.closed) return true;
    if (this.shape.cut) {
      this.held.push(() => {
        if (this.sendSegment(size, deliver, onDrain)) onDrain();
      });
      return false;
    }
    this.counters.packets++;
    this.counters.bytes += size;
    const now = performance.now();
    const wire = size + this.shape.overheadBytes;
    const full = this.shape.rateKbps > 0 && this.queuedBytes(now) + wire > this.queueLimitBytes();
    // over the limit: the reader resumes when this segment leaves the rate limiter
    this.enqueue(now, size, wire, deliver, full ? onDrain : undefined);
    return !full;
  }

  private enqueue(now: number, size: number, wire: number, deliver: () => void, onDequeue?: () => void): void {
    let departs = now;
    if (this.shape.rateKbps > 0) {
      this.busyUntil = Math.max(now, this.busyUntil) + (wire * 8) / this.shape.rateKbps;
      departs = this.busyUntil;
    }
    // a link does not reorder: a shorter delay set mid-run waits for what is already in flight
    const at = Math.max(departs + this.shape.delayMs, this.lastAt);
    this.lastAt = at;
    const item: Queued = {
      at,
      size,
      deliver: () => {
        if (this.closed) return;
        this.counters.deliveredPackets++;
        this.counters.deliveredBytes += size;
        deliver();
      },
    };
    this.queue.push(item);
    if (onDequeue) setTimeout(() => !this.closed && onDequeue(), Math.max(0, departs - now)).unref();
    this.arm();
  }

  private arm(): void {
    if (this.timer || !this.queue.length || this.closed) return;
    const wait = Math.max(0, this.queue[0].at - performance.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      const now = performance.now();
      while (this.queue.length && this.queue[0].at <= now + 0.5) this.queue.shift()!.deliver();
      this.arm();
    }, wait);
    this.timer.unref?.();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.queue.length = 0;
    this.held = [];
  }
}

export interface RelayTarget {
  host: string;
  port: number;
}

export interface LinkRelayOptions {
  /** Where UDP goes (may be set later with setTarget, e.g. from the candidates a page receives). */
  udpTarget?: RelayTarget;
  /** Where TCP goes. */
  tcpTarget?: RelayTarget;
  up?: Partial<LinkShape>;
  down?: Partial<LinkShape>;
  /** Address the relay listens on (default 127.0.0.1); ports are always ephemeral. */
  host?: string;
  /** Random source for loss (tests pass a seeded one). */
  random?: () => number;
}

interface UdpMapping {
  upstream: UdpSocket;
  client: RemoteInfo;
  lastSeen: number;
}

/** A UDP + TCP relay with a shaped link, in the calling thread; see the file comment (LinkRelay runs it in a thread). */
export class LinkRelayCore {
  readonly host: string;
  readonly pipes: Record<Direction, LinkPipe>;
  udpTarget?: RelayTarget;
  tcpTarget?: RelayTarget;
  private udp!: UdpSocket;
  private tcp!: Server;
  private readonly mappings = new Map<string, UdpMapping>();
  private readonly connections = new Set<{ client: Socket; upstream: Socket }>();
  private sweeper?: NodeJS.Timeout;

  private constructor(options: LinkRelayOptions) {
    this.host = options.host ?? '127.0.0.1';
    this.udpTarget = options.udpTarget;
    this.tcpTarget = options.tcpTarget;
    this.pipes = { up: new LinkPipe(options.up, options.random), down: new LinkPipe(options.down, options.random) };
  }

  static async start(options: LinkRelayOptions = {}): Promise<LinkRelayCore> {
    const relay = new LinkRelayCore(options);
    await relay.listen();
    return relay;
  }

  get udpPort(): number {
    return (this.udp.address() as AddressInfo).port;
  }

  get tcpPort(): number {
    return (this.tcp.address() as AddressInfo).port;
  }

  /** Changes one direction (or both) while traffic flows. */
  set(direction: Direction | 'both', change: Partial<LinkShape>): void {
    for (const d of direction === 'both' ? (['up', 'down'] as const) : [direction]) this.pipes[d].set(change);
    if (change.cut && (this.pipes.up.shape.cutTcp === 'drop' || this.pipes.down.shape.cutTcp === 'drop')) {
      for (const c of this.connections) {
        c.client.resetAndDestroy();
        c.upstream.resetAndDestroy();
      }
      this.connections.clear();
    }
  }

  /** Cuts the link both ways (UDP dropped; TCP held or reset as `tcp` says), or restores it. */
  cut(on: boolean, tcp: 'hold' | 'drop' = 'hold'): void {
    this.set('both', { cut: on, cutTcp: tcp });
  }

  counters(): Record<Direction, DirectionCounters> {
    const copy = (c: DirectionCounters): DirectionCounters => ({
      ...c,
      kinds: Object.fromEntries(Object.entries(c.kinds).map(([k, v]) => [k, { ...v }])),
    });
    return { up: copy(this.pipes.up.counters), down: copy(this.pipes.down.counters) };
  }

  /** The port numbers and counters (what the thread wrapper mirrors). */
  snapshot() {
    return { udpPort: this.udpPort, tcpPort: this.tcpPort, udpClients: this.udpClients, counters: this.counters() };
  }

  setTarget(protocol: 'udp' | 'tcp', target: RelayTarget): void {
    if (protocol === 'udp') this.udpTarget = target;
    else this.tcpTarget = target;
  }

  /** How many client UDP tuples the relay maps now. */
  get udpClients(): number {
    return this.mappings.size;
  }

  private async listen(): Promise<void> {
    this.udp = createSocket('udp4');
    this.udp.on('message', (msg, rinfo) => this.fromUdpClient(msg, rinfo));
    this.udp.on('error', () => undefined);
    await new Promise<void>((resolve) => this.udp.bind(0, this.host, resolve));
    this.tcp = createServer((client) => this.fromTcpClient(client));
    await new Promise<void>((resolve) => this.tcp.listen(0, this.host, resolve));
    // forget tuples idle for 60 s (a closed PeerConnection never says goodbye over UDP)
    this.sweeper = setInterval(() => {
      const old = Date.now() - 60_000;
      for (const [key, m] of this.mappings) {
        if (m.lastSeen < old) {
          m.upstream.close();
          this.mappings.delete(key);
        }
      }
    }, 10_000);
    this.sweeper.unref();
  }

  private fromUdpClient(msg: Buffer, rinfo: RemoteInfo): void {
    const key = `${rinfo.address}:${rinfo.port}`;
    let m = this.mappings.get(key);
    if (!m) {
      const upstream = createSocket('udp4');
      upstream.on('error', () => undefined);
      const mapping: UdpMapping = { upstream, client: rinfo, lastSeen: Date.now() };
      upstream.on('message', (back) => {
        mapping.lastSeen = Date.now();
        this.pipes.down.sendDatagram(back.length, () => this.udp.send(back, mapping.client.port, mapping.client.address), packetKind(back));
      });
      upstream.bind(0, this.host);
      this.mappings.set(key, mapping);
      m = mapping;
    }
    m.lastSeen = Date.now();
    const upstream = m.upstream;
    this.pipes.up.sendDatagram(
      msg.length,
      () => {
        const t = this.udpTarget;
        if (t) upstream.send(msg, t.port, t.host);
      },
      packetKind(msg),
    );
  }

  private fromTcpClient(client: Socket): void {
    const t = this.tcpTarget;
    if (!t || (this.pipes.up.shape.cut && this.pipes.up.shape.cutTcp === 'drop')) {
      client.resetAndDestroy();
      return;
    }
    client.pause();
    const upstream = new Socket();
    const pair = { client, upstream };
    this.connections.add(pair);
    const end = () => {
      this.connections.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    upstream.connect(t.port, t.host, () => {
      client.resume();
    });
    this.pump(client, upstream, this.pipes.up);
    this.pump(upstream, client, this.pipes.down);
  }

  /** Carries a byte stream through a pipe in segments, pausing the reader while the queue is full. */
  private pump(from: Socket, to: Socket, pipe: LinkPipe): void {
    let pending = 0;
    let ended = false;
    from.on('data', (chunk: Buffer) => {
      for (let off = 0; off < chunk.length; off += TCP_SEGMENT) {
        const seg = chunk.subarray(off, off + TCP_SEGMENT);
        pending++;
        const ok = pipe.sendSegment(
          seg.length,
          () => {
            pending--;
            if (!to.destroyed) to.write(seg);
            if (ended && pending === 0) to.end();
          },
          () => from.resume(),
        );
        if (!ok) from.pause();
      }
    });
    from.on('end', () => {
      ended = true;
      if (pending === 0) to.end();
    });
  }

  async close(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    this.pipes.up.close();
    this.pipes.down.close();
    for (const m of this.mappings.values()) m.upstream.close();
    this.mappings.clear();
    for (const c of this.connections) {
      c.client.destroy();
      c.upstream.destroy();
    }
    this.connections.clear();
    await new Promise<void>((resolve) => this.udp.close(() => resolve()));
    await new Promise<void>((resolve) => this.tcp.close(() => resolve()));
  }
}

type RelayMessage =
  | { type: 'set'; direction: Direction | 'both'; change: Partial<LinkShape> }
  | { type: 'cut'; on: boolean; tcp: 'hold' | 'drop' }
  | { type: 'setTarget'; protocol: 'udp' | 'tcp'; target: RelayTarget }
  | { type: 'snapshot'; id: number }
  | { type: 'close' };
type RelayReply =
  | { type: 'ready'; snapshot: ReturnType<LinkRelayCore['snapshot']> }
  | { type: 'snapshot'; id: number; snapshot: ReturnType<LinkRelayCore['snapshot']> }
  | { type: 'error'; message: string };

/** The code a relay thread runs: this very file (compiled if it is TypeScript), then a message loop. */
function threadSource(): string {
  let code = readFileSync(__filename, 'utf8');
  if (__filename.endsWith('.ts')) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ts = require('typescript') as typeof import('typescript');
    code = ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } }).outputText;
  }
  return `
const { parentPort, workerData } = require('node:worker_threads');
const module = { exports: {} };
(function (exports, require, module, __filename) { ${code}
})(module.exports, require, module, ${JSON.stringify(__filename)});
(async () => {
  const relay = await module.exports.LinkRelayCore.start(workerData);
  parentPort.postMessage({ type: 'ready', snapshot: relay.snapshot() });
  parentPort.on('message', async (m) => {
    if (m.type === 'set') relay.set(m.direction, m.change);
    else if (m.type === 'cut') relay.cut(m.on, m.tcp);
    else if (m.type === 'setTarget') relay.setTarget(m.protocol, m.target);
    else if (m.type === 'snapshot') parentPort.postMessage({ type: 'snapshot', id: m.id, snapshot: relay.snapshot() });
    else if (m.type === 'close') { await relay.close(); parentPort.close(); }
  });
})().catch((e) => parentPort.postMessage({ type: 'error', message: String(e && e.stack || e) }));
`;
}

/**
 * The relay in a worker thread of its own, so a busy main thread (the hub, the test driving Chromium) does not stall
 * it: a stalled relay lets packets pile up and then drops them at the tail of its queue as one burst, which the link
 * it emulates would not. Changes are sent to the thread (applied within a millisecond); `counters()` asks it.
 * The `random` option is not available here (functions do not cross threads): use LinkRelayCore for a seeded loss.
 */
export class LinkRelay {
  readonly host: string;
  private snap!: ReturnType<LinkRelayCore['snapshot']>;
  private readonly pending = new Map<number, (s: ReturnType<LinkRelayCore['snapshot']>) => void>();
  private nextId = 0;

  private constructor(private readonly worker: Worker, host: string) {
    this.host = host;
  }

  static async start(options: Omit<LinkRelayOptions, 'random'> = {}): Promise<LinkRelay> {
    const worker = new Worker(threadSource(), { eval: true, workerData: { ...options } });
    const relay = new LinkRelay(worker, options.host ?? '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      worker.on('message', (m: RelayReply) => {
        if (m.type === 'ready') {
          relay.snap = m.snapshot;
          resolve();
        } else if (m.type === 'snapshot') {
          relay.snap = m.snapshot;
          relay.pending.get(m.id)?.(m.snapshot);
          relay.pending.delete(m.id);
        } else if (m.type === 'error') reject(new Error(`link relay thread: ${m.message}`));
      });
      worker.once('error', reject);
    });
    worker.unref();
    return relay;
  }

  get udpPort(): number {
    return this.snap.udpPort;
  }
  get tcpPort(): number {
    return this.snap.tcpPort;
  }
  /** How many client UDP tuples the relay mapped at the last counters() call. */
  get udpClients(): number {
    return this.snap.udpClients;
  }

  private send(m: RelayMessage): void {
    this.worker.postMessage(m);
  }
  /** Changes one direction (or both) while traffic flows. */
  set(direction: Direction | 'both', change: Partial<LinkShape>): void {
    this.send({ type: 'set', direction, change });
  }
  /** Cuts the link both ways (UDP dropped; TCP held or reset as `tcp` says), or restores it. */
  cut(on: boolean, tcp: 'hold' | 'drop' = 'hold'): void {
    this.send({ type: 'cut', on, tcp });
  }
  setTarget(protocol: 'udp' | 'tcp', target: RelayTarget): void {
    this.send({ type: 'setTarget', protocol, target });
  }
  /** Counters per direction, now (asked from the relay's thread). */
  async counters(): Promise<Record<Direction, DirectionCounters>> {
    const id = this.nextId++;
    const snap = await new Promise<ReturnType<LinkRelayCore['snapshot']>>((resolve) => {
      this.pending.set(id, resolve);
      this.send({ type: 'snapshot', id });
    });
    return snap.counters;
  }
  async close(): Promise<void> {
    const exited = new Promise((resolve) => this.worker.once('exit', resolve));
    this.send({ type: 'close' });
    await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
    await this.worker.terminate();
  }
}

/**
 * Sends a page's WebRTC media through `relay`: before the page applies a remote description, every ICE candidate
 * in it is rewritten to the relay's address (UDP candidates to its UDP port, TCP ones to its TCP port), and the
 * relay is pointed at the address the candidate named (the SFU's WebRtcServer). One relay per page gives each page
 * its own link. Call before the page loads the call (it is an init script); works for a BrowserContext too.
 * Signalling (HTTP, socket.io) is not relayed.
 */
export async function routePageMediaThrough(
  target: Page | BrowserContext,
  relay: Pick<LinkRelay, 'host' | 'udpPort' | 'tcpPort' | 'setTarget'>,
): Promise<void> {
  await target.exposeBinding('__linkRelayTargets', (_source, found: { protocol: 'udp' | 'tcp'; host: string; port: number }[]) => {
    for (const f of found) relay.setTarget(f.protocol, { host: f.host, port: f.port });
    return { host: relay.host, udp: relay.udpPort, tcp: relay.tcpPort };
  });
  await target.addInitScript(() => {
    type Found = { protocol: 'udp' | 'tcp'; host: string; port: number };
    type Relay = { host: string; udp: number; tcp: number };
    const w = globalThis as unknown as {
      __linkRelayTargets: (found: Found[]) => Promise<Relay>;
      RTCPeerConnection: { prototype: { setRemoteDescription: (d?: { type: string; sdp?: string }) => Promise<void> } };
    };
    const proto = w.RTCPeerConnection.prototype;
    const original = proto.setRemoteDescription;
    const line = /^a=candidate:(\S+) (\d+) (udp|tcp) (\d+) (\S+) (\d+) (.*)$/i;
    proto.setRemoteDescription = async function (this: unknown, desc?: { type: string; sdp?: string }) {
      if (!desc?.sdp) return original.call(this, desc);
      const lines = desc.sdp.split('\r\n');
      const found: Found[] = [];
      for (const l of lines) {
        const m = line.exec(l);
        if (m) found.push({ protocol: m[3].toLowerCase() as 'udp' | 'tcp', host: m[5], port: Number(m[6]) });
      }
      if (!found.length) return original.call(this, desc);
      const relay = await w.__linkRelayTargets(found);
      const sdp = lines
        .map((l) => {
          const m = line.exec(l);
          if (!m) return l;
          const protocol = m[3].toLowerCase();
          return `a=candidate:${m[1]} ${m[2]} ${m[3]} ${m[4]} ${relay.host} ${protocol === 'udp' ? relay.udp : relay.tcp} ${m[7]}`;
        })
        .join('\r\n');
      return original.call(this, { type: desc.type, sdp });
    };
  });
}
