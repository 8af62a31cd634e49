/**
 * RoomRecorder against a real mediasoup worker and real ffmpeg: synthetic Opus and VP8 from ffmpeg into the SFU
 * (test-kit/rtp-feed.ts), recorded through PlainTransports into WebM, checked with ffprobe.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@hub/config';
import { MediaService, RoomRecorder } from '.';
import { feedPeer, RtpFeed } from './test-kit/rtp-feed';

interface Probe {
  streams: { codec_type: string; codec_name: string; width?: number; duration?: string }[];
  format: { duration: string; format_name: string };
}

function ffprobe(path: string): Probe {
  return JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_streams', '-show_format', '-of', 'json', path], { encoding: 'utf8' })) as Probe;
}

/** Decodes the whole file: a WebM that plays end to end decodes without an error. */
function decodes(path: string): string {
  return execFileSync('ffmpeg', ['-v', 'error', '-nostdin', '-i', path, '-f', 'null', '-'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('RoomRecorder (real mediasoup worker, real ffmpeg)', () => {
  let media: MediaService;
  const feeds: RtpFeed[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'recorder-'));

  beforeAll(async () => {
    media = new MediaService(loadConfig({ NODE_ENV: 'test', HUB_DATA_DIR: dir, MEDIA_WORKERS: '1' }));
    await media.start();
  });
  afterEach(() => {
    for (const f of feeds.splice(0)) f.stop();
  });
  afterAll(() => media.close());

  it('records the audio and video of a room into a WebM of the right length', async () => {
    const room = await media.getOrCreateRoom('rec-room');
    const officer = await room.join('officer', { userId: 'u-officer', displayName: 'Officer' });
    const doctor = await room.join('doctor', { userId: 'u-doctor', displayName: 'Doctor' });
    feeds.push(await feedPeer(room, officer, 'mic'), await feedPeer(room, officer, 'camera'), await feedPeer(room, doctor, 'mic'));

    const out = join(dir, 'call.webm');
    const recorder = await RoomRecorder.start(room, { outputPath: out });
    expect(recorder.running).toBe(true);
    expect(recorder.tracks.map((t) => `${t.peerId}:${t.kind}`).sort()).toEqual(['doctor:audio', 'officer:audio', 'officer:video']);
    await new Promise((r) => setTimeout(r, 4000));
    const result = await recorder.stop();
    expect(recorder.running).toBe(false);
    expect(await recorder.stop()).toBe(result);
    expect(result.bytes).toBeGreaterThan(10_000);
    expect(existsSync(`${out}.sdp`)).toBe(false);

    const probe = ffprobe(out);
    expect(probe.format.format_name).toContain('webm');
    const kinds = probe.streams.map((s) => `${s.codec_type}:${s.codec_name}`).sort();
    expect(kinds).toEqual(['audio:opus', 'audio:opus', 'video:vp8']);
    expect(probe.streams.find((s) => s.codec_type === 'video')!.width).toBe(320);
    const duration = Number(probe.format.duration);
    expect(duration).toBeGreaterThan(2.5);
    expect(duration).toBeLessThan(6.5);
    expect(Math.abs(duration * 1000 - result.durationMs)).toBeLessThan(2000);
    expect(decodes(out)).toBe('');

    // The SFU's legs towards ffmpeg are gone with the recording.
    const dump = (await room.router.dump()) as unknown as { transportIds: string[] };
    expect([...dump.transportIds].sort()).toEqual(feeds.map((f) => f.transport.id).sort());
    media.closeRoom('rec-room');
  });

  it('refuses to record a room with nothing in it', async () => {
    const room = await media.getOrCreateRoom('rec-empty');
    await expect(RoomRecorder.start(room, { outputPath: join(dir, 'empty.webm') })).rejects.toMatchObject({ reason: 'INVALID_PARAMETERS' });
    media.closeRoom('rec-empty');
  });

  it('leaves a WebM that decodes up to where it stops when the hub dies mid-recording (ffmpeg SIGKILLed)', async () => {
    const room = await media.getOrCreateRoom('rec-crash');
    const officer = await room.join('officer', { userId: 'u-officer', displayName: 'Officer' });
    feeds.push(await feedPeer(room, officer, 'mic'), await feedPeer(room, officer, 'camera'));
    const out = join(dir, 'crash.webm');
    const recorder = await RoomRecorder.start(room, { outputPath: out });
    await new Promise((r) => setTimeout(r, 12_000));
    // What a power cut does to the recording: ffmpeg dies without writing the file's end (no cues, no duration).
    (recorder as unknown as { ffmpeg: { kill(signal: string): void } }).ffmpeg.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 500));
    expect(statSync(out).size).toBeGreaterThan(10_000);
    const kinds = ffprobe(out).streams.map((s) => `${s.codec_type}:${s.codec_name}`).sort();
    expect(kinds).toEqual(['audio:opus', 'video:vp8']);
    // Decodes without an error, and carries seconds of the call (RecordingsService.recoverInterrupted stores it).
    expect(decodes(out)).toBe('');
    const frames = Number(execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'v', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', out], { encoding: 'utf8' }).trim());
    // 12 s at 15 fps, less ffmpeg's start (probing the streams) and the last cluster: more than 6 s of video.
    expect(frames).toBeGreaterThan(90);
    await recorder.stop().catch(() => undefined);
    media.closeRoom('rec-crash');
  }, 60_000);
});
