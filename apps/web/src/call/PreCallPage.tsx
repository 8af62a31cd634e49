import { useEffect, useState } from 'react';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { useParams, useSearchParams } from 'wouter';
import { useNavigate } from '../routing';
import { usePageTitle } from '../components/usePageTitle';
import { formatNumber } from '../i18n/format';
import { CAMERA_CONSTRAINTS } from './CallClient';
import { LevelMeter, useAudioLevel, VideoView } from './MediaTile';
import { ProbeResult, ProbeStep, runProbe } from './probe';
import { preconnectCall } from './signalling';

/**
 * /consultations/:id/check — before joining: camera preview, microphone level, a short bandwidth / RTT probe
 * against the hub, and advice (video, low video, audio only, or the case thread). Then join with or without video.
 */
export function PreCallPage() {
  const { t } = useTranslation();
  const heading = usePageTitle(t('preCall.title'));
  const { id } = useParams();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const [stream, setStream] = useState<MediaStream | null>(null);
  const [mediaError, setMediaError] = useState<string | null>(null);
  const [probe, setProbe] = useState<ProbeResult | null>(null);
  const [step, setStep] = useState<ProbeStep | null>('starting');
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
      .catch((e: Error) => setMediaError(t('preCall.mediaUnavailable', { detail: e.message })));
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
    setStep('starting');
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
      <h1 ref={heading} tabIndex={-1}>{t('preCall.title')}</h1>
      <div className="split">
        <section className="card">
          <h2>{t('preCall.camera')}</h2>
          {mediaError ? <div role="alert" className="alert">{mediaError}</div> : <div className="preview"><VideoView stream={stream} mirror label={t('preCall.cameraPreview')} /></div>}
          <h2>{t('preCall.microphone')}</h2>
          <LevelMeter level={level} label={t('preCall.microphoneLevel')} />
          <p className="muted hint">{t('preCall.speak')}</p>
        </section>
        <section className="card" aria-label={t('preCall.check')}>
          <h2>{t('preCall.connection')}</h2>
          {step && <p role="status" className="muted">{t(`preCall.step.${step}`)}</p>}
          {probeError && <div role="alert" className="alert">{t('preCall.probeFailed', { detail: probeError })}</div>}
          {probe && (
            <>
              <dl className="probe" data-testid="probe-result" data-level={probe.level}>
                <dt>{t('preCall.roundTrip')}</dt><dd>{t('preCall.ms', { value: probe.rttMs })}</dd>
                <dt>{t('preCall.download')}</dt><dd>{formatKbps(t, probe.downKbps)}</dd>
                <dt>{t('preCall.upload')}</dt><dd>{formatKbps(t, probe.upKbps)}</dd>
              </dl>
              <p className={probe.recommendAudioOnly ? 'notice' : ''} data-testid="probe-advice"><strong>{t(`preCall.advice.${probe.advice}`)}</strong></p>
            </>
          )}
          {!step && <button className="linklike" onClick={() => setRound((r) => r + 1)}>{t('preCall.testAgain')}</button>}
          <div className="buttons">
            <button onClick={() => join(false)} className={probe?.recommendAudioOnly ? 'secondary' : ''}>{t('preCall.joinVideo')}</button>
            <button onClick={() => join(true)} className={probe?.recommendAudioOnly ? '' : 'secondary'}>{t('preCall.joinAudio')}</button>
          </div>
          <button className="linklike" onClick={() => navigate(-1)}>{t('preCall.back')}</button>
        </section>
      </div>
    </main>
  );
}

function formatKbps(t: TFunction, kbps: number) {
  if (kbps >= 10_000) return t('preCall.mbits', { value: formatNumber(Math.round(kbps / 1000)) });
  if (kbps >= 1000) return t('preCall.mbits', { value: formatNumber(kbps / 1000, 1) });
  return t('preCall.kbits', { value: formatNumber(kbps) });
}
