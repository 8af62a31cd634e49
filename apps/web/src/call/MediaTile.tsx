import { useEffect, useMemo, useRef, useState } from 'react';

/** A <video> bound to a MediaStream (srcObject cannot be set through JSX). */
export function VideoView({ stream, muted = true, mirror = false, label }: { stream: MediaStream | null; muted?: boolean; mirror?: boolean; label: string }) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    const v = ref.current;
    if (!v) return;
    if (v.srcObject !== stream) v.srcObject = stream;
    if (stream) void v.play().catch(() => undefined);
  }, [stream]);
  return <video ref={ref} autoPlay playsInline muted={muted} aria-label={label} className={mirror ? 'mirror' : undefined} />;
}

/** A <video> of one remote track; the stream is made once per track, so re-renders do not restart playback. */
export function TrackView({ track, label }: { track: MediaStreamTrack; label: string }) {
  const stream = useMemo(() => new MediaStream([track]), [track]);
  return <VideoView stream={stream} label={label} />;
}

/** Plays a remote audio track (one element per track; Chromium mixes them). */
export function AudioSink({ track }: { track: MediaStreamTrack }) {
  const ref = useRef<HTMLAudioElement>(null);
  useEffect(() => {
    const a = ref.current;
    if (!a) return;
    a.srcObject = new MediaStream([track]);
    void a.play().catch(() => undefined);
  }, [track]);
  return <audio ref={ref} autoPlay />;
}

/** Microphone level 0..1 of a stream, sampled each animation frame (RMS of the time-domain signal). */
export function useAudioLevel(stream: MediaStream | null): number {
  const [level, setLevel] = useState(0);
  useEffect(() => {
    const track = stream?.getAudioTracks()[0];
    if (!track) return;
    const ctx = new AudioContext();
    const src = ctx.createMediaStreamSource(new MediaStream([track]));
    const analyser = ctx.createAnalyser();
    analyser.fftSize = 512;
    src.connect(analyser);
    const buf = new Float32Array(analyser.fftSize);
    let raf = 0;
    let last = 0;
    const tick = (t: number) => {
      raf = requestAnimationFrame(tick);
      if (t - last < 100) return;
      last = t;
      analyser.getFloatTimeDomainData(buf);
      let sum = 0;
      for (const x of buf) sum += x * x;
      setLevel(Math.min(1, Math.sqrt(sum / buf.length) * 4));
    };
    raf = requestAnimationFrame(tick);
    return () => {
      cancelAnimationFrame(raf);
      src.disconnect();
      void ctx.close();
    };
  }, [stream]);
  return level;
}

export function LevelMeter({ level, label }: { level: number; label: string }) {
  const pct = Math.round(level * 100);
  return (
    <div className="meter" role="meter" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct}>
      <span style={{ width: `${pct}%` }} />
    </div>
  );
}
