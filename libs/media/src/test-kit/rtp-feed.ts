/**
 * Test and bench helpers: synthetic RTP from Debian's ffmpeg into a server-side PlainTransport producer, and a
 * PlainTransport consumer drained into a UDP socket that counts packets. Not exported from @hub/media and never
 * reachable from signalling.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { createSocket, Socket } from 'node:dgram';
import type { types as ms } from 'mediasoup';
import type { Peer } from '../peer';
import type { Room } from '../room';
import type { MediaSource } from '../media.types';

export interface RtpFeed {
  producer: ms.Producer;
  transport: ms.PlainTransport;
  ffmpeg: ChildProcess;
  stop(): void;
}

const SSRC = { audio: 11111111, video: 22222222 };
const PT = { audio: 100, video: 101 };

/** Starts ffmpeg sending Opus (mic) or VP8 (camera) test signals into a PlainTransport producer owned by `peer`. */
export async function feedPeer(room: Room, peer: Peer, source: MediaSource): Promise<RtpFeed> {
  const kind = source === 'mic' ? 'audio' : 'video';
  const transport = await room.router.createPlainTransport({
    listenIp: { ip: '127.0.0.1' },
    // ffmpeg sends RTCP from another socket than RTP: with comedia, RTCP needs its own port.
    rtcpMux: false,
    comedia: true,
    enableSctp: false,
  });
  const producer = await transport.produce({
    kind,
    rtpParameters:
      kind === 'audio'
        ? {
            codecs: [{ mimeType: 'audio/opus', payloadType: PT.audio, clockRate: 48000, channels: 2 }],
            encodings: [{ ssrc: SSRC.audio }],
          }
        : {
            codecs: [{ mimeType: 'video/VP8', payloadType: PT.video, clockRate: 90000 }],
            encodings: [{ ssrc: SSRC.video }],
          },
    appData: { peerId: peer.id, source },
  });
  peer.attachServerProducer(producer, source);
  const target = `rtp://127.0.0.1:${transport.tuple.localPort}?rtcpport=${transport.rtcpTuple!.localPort}&pkt_size=1200`;
  const args =
    kind === 'audio'
      ? ['-re', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-ac', '2', '-c:a', 'libopus', '-b:a', '32k',
         '-ssrc', String(SSRC.audio), '-payload_type', String(PT.audio), '-f', 'rtp', target]
      : ['-re', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=15', '-pix_fmt', 'yuv420p', '-c:v', 'libvpx',
         '-b:v', '300k', '-deadline', 'realtime', '-cpu-used', '8', '-g', '30', '-ssrc', String(SSRC.video),
         '-payload_type', String(PT.video), '-f', 'rtp', target];
  // -t caps the run: an ffmpeg orphaned by a killed test process stops by itself.
  const ffmpeg = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-t', '300', ...args], {
    stdio: 'ignore',
  });
  return {
    producer,
    transport,
    ffmpeg,
    stop() {
      ffmpeg.kill('SIGKILL');
      transport.close();
    },
  };
}

export interface RtpSink {
  consumer: ms.Consumer;
  transport: ms.PlainTransport;
  socket: Socket;
  /** RTP packets received so far. */
  packets(): number;
  /** Resolves when `count` more packets arrived (rejects after timeoutMs). */
  waitForPackets(count: number, timeoutMs?: number): Promise<void>;
  close(): void;
}

/** Consumes `producerId` on the room's router through a PlainTransport into a local UDP socket. */
export async function sinkProducer(room: Room, producerId: string): Promise<RtpSink> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  let packets = 0;
  socket.on('message', (msg) => {
    // RTP (not RTCP: payload types 200-204 in the second byte)
    const pt = msg[1];
    if (msg.length > 12 && (pt < 200 || pt > 204)) packets++;
  });
  const transport = await room.router.createPlainTransport({ listenIp: { ip: '127.0.0.1' }, rtcpMux: true, comedia: false });
  await transport.connect({ ip: '127.0.0.1', port: socket.address().port });
  const consumer = await transport.consume({ producerId, rtpCapabilities: room.router.rtpCapabilities, paused: false });
  return {
    consumer,
    transport,
    socket,
    packets: () => packets,
    waitForPackets(count, timeoutMs = 15_000) {
      const target = packets + count;
      return new Promise((resolve, reject) => {
        const started = Date.now();
        const check = setInterval(() => {
          if (packets >= target) {
            clearInterval(check);
            resolve();
          } else if (Date.now() - started > timeoutMs) {
            clearInterval(check);
            reject(new Error(`only ${packets - (target - count)} of ${count} RTP packets in ${timeoutMs} ms`));
          }
        }, 50);
      });
    },
    close() {
      transport.close();
      socket.close();
    },
  };
}
