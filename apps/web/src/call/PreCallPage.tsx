import { useEffect, useState } from 'react';
import { useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { CAMERA_CONSTRAINTS } from './CallClient';
import { LevelMeter, useAudioLevel, VideoView } from './MediaTile';
import { ProbeResult, runProbe } from './probe';
import { preconnectCall } from './signalling';

/**
 * /consultations/:id/check — before joining: camera preview, microphone level, a short bandwidth / RTT probe
 * against the hub, and advice (video, low video, audio only, or the case thread). Then join with or without video.
 */
export function PreCallPage() {
  const { id } = useParams();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const [stream, setStream] = useState<MediaStream | null>(null);
  const [mediaError, setMediaError] = useState<string | null>(null);
  const [probe, setProbe] = useState<ProbeResult | null>(null);
  const [step, setStep] = useState<string | null>('Starting…');
  const [probeError, setProbeError] = useState<string | null>(null);
  const level = useAudioLevel(stream);

  // Open the call's socket now: on a satellite link its TCP, TLS and socket.io handshakes cost several round trips
  // that Join then does not pay (the call page takes the socket over).
  useEffect(() => void preconnectCall(), []);

  useEffect(() => {
    let s: MediaStream | null = null;
    let gone = false;
    navigator.mediaDevices
      .getUserMedia({ audio: true, video: CAMERA_CONSTRAINTS })
      .then((m) => {
        if (gone) m.getTracks().forEach((t) => t.stop());
        else setStream((s = m));
      })
      .catch((e: Error) => setMediaError(`Camera or microphone unavailable: ${e.message}`));
    return () => {
      gone = true;
      s?.getTracks().forEach((t) => t.stop());
    };
  }, []);

  const [round, setRound] = useState(0);
  useEffect(() => {
    let gone = false;
    setProbe(null);
    setProbeError(null);
    setStep('Starting…');
    runProbe((st) => !gone && setStep(st))
      .then((r) => !gone && setProbe(r))
      .catch((e: Error) => !gone && setProbeError(e.message))
      .finally(() => !gone && setStep(null));
    return () => {
      gone = true;
    };
  }, [round]);

  const join = (audioOnly: boolean) => {
    stream?.getTracks().forEach((t) => t.stop());
    const q = new URLSearchParams();
    if (audioOnly) q.set('audioOnly', '1');
    const invitation = params.get('invitation');
    if (invitation) q.set('invitation', invitation);
    navigate(`/consultations/${id}${q.size ? `?${q}` : ''}`);
  };

  return (
    <main className="page" data-testid="precall-page">
      <h1>Before you join</h1>
      <div className="split">
        <section className="card">
          <h2>Camera</h2>
          {mediaError ? <div role="alert" className="alert">{mediaError}</div> : <div className="preview"><VideoView stream={stream} mirror label="Camera preview" /></div>}
          <h2>Microphone</h2>
          <LevelMeter level={level} label="Microphone level" />
          <p className="muted hint">Speak: the bar should move.</p>
        </section>
        <section className="card" aria-label="Connection check">
          <h2>Connection to the hub</h2>
          {step && <p role="status" className="muted">{step}</p>}
          {probeError && <div role="alert" className="alert">Could not test the connection ({probeError}). You can still join.</div>}
          {probe && (
            <>
              <dl className="probe" data-testid="probe-result" data-level={probe.level}>
                <dt>Round trip</dt><dd>{probe.rttMs} ms</dd>
                <dt>Download</dt><dd>{formatKbps(probe.downKbps)}</dd>
                <dt>Upload</dt><dd>{formatKbps(probe.upKbps)}</dd>
              </dl>
              <p className={probe.recommendAudioOnly ? 'notice' : ''} data-testid="probe-advice"><strong>{probe.advice}</strong></p>
            </>
          )}
          {!step && <button className="linklike" onClick={() => setRound((r) => r + 1)}>Test again</button>}
          <div className="buttons">
            <button onClick={() => join(false)} className={probe?.recommendAudioOnly ? 'secondary' : ''}>Join with video</button>
            <button onClick={() => join(true)} className={probe?.recommendAudioOnly ? '' : 'secondary'}>Join audio only</button>
          </div>
          <button className="linklike" onClick={() => navigate(-1)}>Back</button>
        </section>
      </div>
    </main>
  );
}

function formatKbps(kbps: number) {
  return kbps >= 10_000 ? `${Math.round(kbps / 1000)} Mbit/s` : kbps >= 1000 ? `${(kbps / 1000).toFixed(1)} Mbit/s` : `${kbps} kbit/s`;
}
