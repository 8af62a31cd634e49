import { Logger } from '@nestjs/common';
import { ChildProcess, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import type { types as ms } from 'mediasoup';
import { MediaError } from './media.errors';
import type { MediaKind, MediaSource } from './media.types';
import type { Room } from './room';

/** One stream in a recording: whose producer it was and what it carries. */
export interface RecordedTrack {
  producerId: string;
  peerId: string;
  kind: MediaKind;
  source: MediaSource;
}

/** What a finished recording produced. */
export interface RecordingResult {
  path: string;
  startedAt: Date;
  stoppedAt: Date;
  durationMs: number;
  bytes: number;
  tracks: RecordedTrack[];
  /** ffmpeg's exit code (0 or 255 after SIGTERM is a finalised file). */
  exitCode: number | null;
}

export interface RecorderOptions {
  /** The WebM file to write (the directory must exist). */
  outputPath: string;
  /** Producers to record (default: every producer of the room now but paused video). */
  producerIds?: string[];
  ffmpegPath?: string;
  /** How long to wait for ffmpeg to listen on its ports before giving up. */
  listenTimeoutMs?: number;
}

interface Leg {
  track: RecordedTrack;
  transport: ms.PlainTransport;
  consumer: ms.Consumer;
  rtpPort: number;
}

/** How long ffmpeg gets to finalise the WebM after SIGTERM before it is killed. */
const STOP_TIMEOUT_MS = 10_000;

/**
 * Server-side recording of a Room (libs/media; never reachable from signalling directly): for each producer one
 * PlainTransport (comedia off, RTCP on its own port) with a consumer created PAUSED, an SDP file describing the
 * streams for ffmpeg (`-protocol_whitelist file,udp,rtp`), and ffmpeg copying VP8 and Opus into WebM without
 * re-encoding. The consumers are resumed only once ffmpeg listens on every port (read from /proc/net/udp), then
 * key frames are requested so the WebM starts on one. `stop()` sends SIGTERM while media still flows (ffmpeg reads
 * on, sees the signal and writes the WebM's index) and waits for it to exit; only then the transports close.
 *
 * The recording covers the producers present at start; a producer closing mid-way just ends its track.
 */
export class RoomRecorder {
  private readonly logger = new Logger('RoomRecorder');
  private ffmpeg?: ChildProcess;
  private exited?: Promise<number | null>;
  private stopping?: Promise<RecordingResult>;
  private readonly stderr: string[] = [];
  private startedAt = new Date();

  private constructor(
    private readonly room: Room,
    private readonly legs: Leg[],
    private readonly options: RecorderOptions,
  ) {}

  /** Starts recording `room`; resolves once ffmpeg receives media. */
  static async start(room: Room, options: RecorderOptions): Promise<RoomRecorder> {
    room.assertOpen();
    const wanted = options.producerIds ? new Set(options.producerIds) : undefined;
    // A paused camera sends nothing: ffmpeg could not learn the size of its video (a muted microphone is fine).
    const producers = room.listProducers().filter((p) => (wanted ? wanted.has(p.producerId) : !(p.paused && p.kind === 'video')));
    if (!producers.length) throw new MediaError('INVALID_PARAMETERS', 'nothing to record: the room has no producer');
    const legs: Leg[] = [];
    try {
      // One consumer per producer, on its own transport towards ffmpeg's port pair (RTP even, RTCP = RTP + 1).
      const caps = room.router.rtpCapabilities;
      for (const p of producers) {
        const rtpPort = await freePortPair(legs.map((l) => l.rtpPort));
        const transport = await room.router.createPlainTransport({ listenIp: { ip: '127.0.0.1' }, rtcpMux: false, comedia: false, enableSctp: false });
        legs.push({ track: { producerId: p.producerId, peerId: p.peerId, kind: p.kind, source: p.source }, transport, consumer: undefined as never, rtpPort });
        await transport.connect({ ip: '127.0.0.1', port: rtpPort, rtcpPort: rtpPort + 1 });
        // ffmpeg knows no RTP header extension: offer none, so the consumer sends plain RTP.
        const consumer = await transport.consume({
          producerId: p.producerId,
          // nor RTX (it never asks for a retransmission)
          rtpCapabilities: { codecs: (caps.codecs ?? []).filter((c) => c.kind === p.kind && !/\/rtx$/i.test(c.mimeType)), headerExtensions: [] },
          paused: true,
        });
        legs[legs.length - 1].consumer = consumer;
      }
      const recorder = new RoomRecorder(room, legs, options);
      try {
        await recorder.launch();
      } catch (e) {
        recorder.abort();
        await rm(recorder.sdpPath(), { force: true });
        throw e;
      }
      return recorder;
    } catch (e) {
      for (const leg of legs) leg.transport.close();
      throw e;
    }
  }

  get tracks(): RecordedTrack[] {
    return this.legs.map((l) => l.track);
  }

  get outputPath(): string {
    return this.options.outputPath;
  }

  /** ffmpeg still runs. */
  get running(): boolean {
    return !!this.ffmpeg && this.ffmpeg.exitCode === null && this.ffmpeg.signalCode === null;
  }

  private sdpPath(): string {
    return `${this.options.outputPath}.sdp`;
  }

  private async launch(): Promise<void> {
    await writeFile(this.sdpPath(), sdpOf(this.legs));
    const args = [
      '-hide_banner', '-loglevel', 'warning', '-nostdin',
      '-protocol_whitelist', 'file,udp,rtp',
      '-fflags', '+genpts',
      '-analyzeduration', '3000000', '-probesize', '5000000',
      '-reorder_queue_size', '500',
      '-i', this.sdpPath(),
      ...this.legs.flatMap((_, i) => ['-map', `0:${i}`]),
      '-c', 'copy',
      // On disk as it comes, in clusters of at most 2 s: if the hub dies mid-call, the file holds the call up to
      // its last seconds (RecordingsService.recoverInterrupted stores it). Left to its defaults, ffmpeg had
      // written nothing of a 12 s recording when killed.
      '-flush_packets', '1', '-cluster_time_limit', '2000',
      '-f', 'webm', '-y', this.options.outputPath,
    ];
    const ffmpeg = spawn(this.options.ffmpegPath ?? 'ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    this.ffmpeg = ffmpeg;
    this.exited = new Promise((resolve) => ffmpeg.once('exit', (code) => resolve(code)));
    ffmpeg.once('error', (e) => this.stderr.push(`spawn: ${e.message}`));
    ffmpeg.stderr!.setEncoding('utf8').on('data', (d: string) => {
      this.stderr.push(d);
      if (this.stderr.length > 50) this.stderr.shift();
    });
    const ports = this.legs.map((l) => l.rtpPort);
    const deadline = Date.now() + (this.options.listenTimeoutMs ?? 30_000);
    while (!(await listening(ports))) {
      if (!this.running) throw new MediaError('RECORDING_FAILED', `ffmpeg stopped before recording: ${this.stderr.join('').slice(-400)}`);
      if (Date.now() > deadline) {
        ffmpeg.kill('SIGKILL');
        throw new MediaError('RECORDING_FAILED', 'ffmpeg did not listen for the recording in time');
      }
      await sleep(50);
    }
    this.startedAt = new Date();
    for (const leg of this.legs) await leg.consumer.resume();
    // The WebM must begin on a key frame; ask again a little later in case the first answer came before ffmpeg read.
    const keyFrames = () => {
      for (const leg of this.legs) if (leg.track.kind === 'video' && !leg.consumer.closed) leg.consumer.requestKeyFrame().catch(() => undefined);
    };
    keyFrames();
    for (const delay of [500, 1500]) setTimeout(() => this.running && keyFrames(), delay).unref();
    ffmpeg.once('exit', (code, signal) => {
      if (!this.stopping) this.logger.warn(`room ${this.room.id}: ffmpeg exited on its own (${code ?? signal}): ${this.stderr.join('').slice(-300)}`);
    });
  }

  /** Stops ffmpeg with SIGTERM (media still flowing) and waits until the WebM is finalised. Safe to call twice. */
  stop(): Promise<RecordingResult> {
    this.stopping ??= this.finish();
    return this.stopping;
  }

  private async finish(): Promise<RecordingResult> {
    const ffmpeg = this.ffmpeg!;
    const stoppedAt = new Date();
    let exitCode: number | null = ffmpeg.exitCode;
    if (this.running) {
      ffmpeg.kill('SIGTERM');
      const timer = setTimeout(() => ffmpeg.kill('SIGKILL'), STOP_TIMEOUT_MS);
      exitCode = await this.exited!;
      clearTimeout(timer);
    }
    for (const leg of this.legs) leg.transport.close();
    await rm(this.sdpPath(), { force: true });
    const bytes = await stat(this.options.outputPath).then((s) => s.size, () => 0);
    if (!bytes) throw new MediaError('RECORDING_FAILED', `the recording produced no file: ${this.stderr.join('').slice(-400)}`);
    return {
      path: this.options.outputPath,
      startedAt: this.startedAt,
      stoppedAt,
      durationMs: stoppedAt.getTime() - this.startedAt.getTime(),
      bytes,
      tracks: this.tracks,
      exitCode,
    };
  }

  /** Kills ffmpeg without waiting (shutdown); the file may be unfinished. */
  abort(): void {
    this.ffmpeg?.kill('SIGKILL');
    for (const leg of this.legs) leg.transport.close();
  }
}

/** The SDP ffmpeg reads: one m-line per consumer, with the payload type and codec the consumer sends. */
function sdpOf(legs: Leg[]): string {
  const lines = ['v=0', 'o=- 0 0 IN IP4 127.0.0.1', 's=hub recording', 'c=IN IP4 127.0.0.1', 't=0 0'];
  for (const leg of legs) {
    const codec = leg.consumer.rtpParameters.codecs[0];
    const [, name] = codec.mimeType.split('/');
    lines.push(`m=${leg.track.kind} ${leg.rtpPort} RTP/AVP ${codec.payloadType}`);
    lines.push(`a=rtpmap:${codec.payloadType} ${name}/${codec.clockRate}${codec.channels ? `/${codec.channels}` : ''}`);
    const fmtp = Object.entries(codec.parameters ?? {}).map(([k, v]) => `${k}=${v}`).join(';');
    if (fmtp) lines.push(`a=fmtp:${codec.payloadType} ${fmtp}`);
    lines.push(`a=rtcp:${leg.rtpPort + 1}`);
    lines.push('a=recvonly');
  }
  return `${lines.join('\r\n')}\r\n`;
}

const sleep = (millis: number) => new Promise((r) => setTimeout(r, millis));

/**
 * An even UDP port whose successor is free too (checked by binding both, then released for ffmpeg), other than the
 * pairs already chosen for this recording (still unbound until ffmpeg starts).
 */
async function freePortPair(chosen: number[]): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20000 + 2 * Math.floor(Math.random() * 10000);
    if (chosen.includes(port)) continue;
    const sockets = [createSocket('udp4'), createSocket('udp4')];
    try {
      await Promise.all(sockets.map((s, i) => new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.bind(port + i, '127.0.0.1', () => resolve());
      })));
      return port;
    } catch {
      // taken: try another pair
    } finally {
      for (const s of sockets) {
        try {
          s.close();
        } catch {
          /* not bound */
        }
      }
    }
  }
  throw new MediaError('LIMIT_REACHED', 'no free UDP port pair for the recording');
}

/** Whether some process has bound every one of these UDP ports (Linux /proc/net/udp; elsewhere: after a pause). */
async function listening(ports: number[]): Promise<boolean> {
  let table: string;
  try {
    table = (await readFile('/proc/net/udp', 'utf8')) + (await readFile('/proc/net/udp6', 'utf8').catch(() => ''));
  } catch {
    await sleep(1000);
    return true;
  }
  const bound = new Set<number>();
  for (const line of table.split('\n').slice(1)) {
    const local = line.trim().split(/\s+/)[1];
    if (local) bound.add(parseInt(local.split(':')[1], 16));
  }
  return ports.every((p) => bound.has(p));
}
