import { FormEvent, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams, useSearchParams } from 'wouter';
import { useNavigate } from '../routing';
import type { CreatedInvitation, ParticipantView } from '@hub/contracts';
import { post } from '../api/client';
import { usePageTitle } from '../components/usePageTitle';
import { errorText } from '../i18n/errors';
import { formatNumber, formatTime } from '../i18n/format';
import type { CallClient, CallState, RemoteMedia } from './CallClient';
import { AudioSink, LevelMeter, TrackView, useAudioLevel, VideoView } from './MediaTile';
import { callErrorText } from './errors';
import { describeCall, QUALITY_VIEW } from './quality';
import { RecordingControls } from './RecordingControls';
import { useCall } from './useCall';

/**
 * /consultations/:id — the live consultation: waiting room, then the call (grid, controls, chat). `?audioOnly=1`
 * joins without a camera (chosen on the pre-call check), `?invitation=<token>` for invited guests.
 */
export function CallPage() {
  const { t } = useTranslation();
  const { id } = useParams();
  const [params] = useSearchParams();
  const audioOnly = params.get('audioOnly') === '1';
  const invitationToken = params.get('invitation') ?? undefined;
  const options = useMemo(() => ({ sessionId: id!, audioOnly, invitationToken }), [id, audioOnly, invitationToken]);
  const { client, state } = useCall(options);
  const title = state?.session?.caseReference ? t('call.titleCase', { reference: state.session.caseReference }) : state?.session?.title ?? t('call.live');
  const heading = usePageTitle(title);

  if (!client || !state) return <main className="page muted">{t('call.opening')}</main>;
  const caseLink = state.session?.caseId ? `/cases/${state.session.caseId}` : '/';

  return (
    <main className="page wide call-page" data-testid="call-page" data-phase={state.phase}>
      <h1 ref={heading} tabIndex={-1}>{title}</h1>
      {/* A private (mental-health) session: audio only unless someone turns video on; chat kept only with consent. */}
      {state.session?.audioOnlyDefault && (
        <p className="notice" data-testid="private-session">
          {t('mentalHealth.callNotice')} {state.session.chatInThread ? t('mentalHealth.callChatKept') : t('mentalHealth.callChatNotKept')}
        </p>
      )}
      {state.error && state.phase !== 'error' && <div className="notice">{state.error}</div>}
      {state.isHost && <WaitingList client={client} participants={state.participants} />}
      {state.phase === 'connecting' && <p className="muted" role="status">{t('call.connecting')}</p>}
      {state.phase === 'joining' && <p className="muted" role="status">{t('call.joining')}</p>}
      {state.phase === 'waiting' && <WaitingRoom client={client} state={state} caseLink={caseLink} />}
      {state.phase === 'declined' && (
        <div className="card" role="alert" data-testid="call-declined">
          <h2>{t('call.declinedTitle')}</h2>
          <p>{t('call.declined')}</p>
          <Link to={caseLink}>{t('call.backToCase')}</Link>
        </div>
      )}
      {state.phase === 'error' && (
        <div className="card">
          <div role="alert" className="alert">{state.error}</div>
          <Link to={caseLink}>{t('call.backToCase')}</Link>
        </div>
      )}
      {state.phase === 'ended' && (
        <div className="card" data-testid="call-ended">
          <h2>{t('call.endedTitle')}</h2>
          <p>{state.endedByHost ? t('call.endedByHost') : t('call.left')} {t('call.recordOnCase')}</p>
          <Link to={caseLink}>{t('call.backToCase')}</Link>
        </div>
      )}
      {(state.phase === 'in-call' || (state.phase === 'reconnecting' && state.participantId)) && (
        <CallView client={client} state={state} caseLink={caseLink} />
      )}
    </main>
  );
}

function WaitingRoom({ client, state, caseLink }: { client: CallClient; state: CallState; caseLink: string }) {
  const { t } = useTranslation();
  const level = useAudioLevel(state.localStream);
  const navigate = useNavigate();
  return (
    <section className="card waiting-room" data-testid="waiting-room">
      <h2>{t('call.waitingRoom')}</h2>
      <p role="status">{t('call.waitingForDoctor')}</p>
      {/* Nobody should be stuck in a waiting room: leaving goes back to the case. */}
      <button type="button" className="secondary" onClick={() => void client.leave(false).finally(() => navigate(caseLink))}>
        {t('call.leave')}
      </button>
      <div className="preview">
        {state.localStream?.getVideoTracks().length ? <VideoView stream={state.localStream} mirror label={t('call.yourCamera')} /> : <p className="muted">{t('call.cameraOffAudioOnly')}</p>}
      </div>
      <LevelMeter level={level} label={t('preCall.microphoneLevel')} />
    </section>
  );
}

/** The host's list of people in the waiting room, with admit / decline. */
function WaitingList({ client, participants }: { client: CallClient; participants: ParticipantView[] }) {
  const { t } = useTranslation();
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const waiting = participants.filter((p) => p.state === 'waiting');
  if (!waiting.length) return null;
  const act = async (p: ParticipantView, admit: boolean) => {
    setBusy(p.id);
    setError(null);
    try {
      await (admit ? client.admit(p.id) : client.decline(p.id));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(null);
    }
  };
  return (
    <section className="card waiting-list" aria-label={t('call.waitingRoom')} data-testid="waiting-list">
      <h2>{t('call.waitingToJoin', { count: waiting.length })}</h2>
      {error && <div role="alert" className="alert">{error}</div>}
      <ul>
        {waiting.map((p) => (
          <li key={p.id}>
            <strong>{p.displayName}</strong> <span className="muted">({t(`call.roles.${p.callRole}`)})</span>
            <button className="small" disabled={busy === p.id} onClick={() => void act(p, true)} aria-label={t('call.admitName', { name: p.displayName })}>{t('call.admit')}</button>
            <button className="small secondary" disabled={busy === p.id} onClick={() => void act(p, false)} aria-label={t('call.declineName', { name: p.displayName })}>{t('call.decline')}</button>
          </li>
        ))}
      </ul>
    </section>
  );
}

function CallView({ client, state, caseLink }: { client: CallClient; state: CallState; caseLink: string }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const quality = QUALITY_VIEW[state.quality];
  const indicator = indicatorOf(state);
  const names = new Map(state.participants.map((p) => [p.id, p.displayName]));
  // Everyone admitted and connected, plus anyone we receive media from.
  const others = new Set<string>(state.participants.filter((p) => p.state === 'admitted' && p.connected && p.id !== state.participantId).map((p) => p.id));
  for (const r of state.remote) others.add(r.participantId);
  const media = (pid: string, source: RemoteMedia['source']) => state.remote.find((r) => r.participantId === pid && r.source === source && r.kind === 'video');
  const screens = state.remote.filter((r) => r.source === 'screen');
  // One tile may be enlarged to the whole width (a wound shown to the camera, say); pressing it again shrinks it.
  const [enlarged, setEnlarged] = useState<string | null>(null);
  const tileProps = (key: string, name: string) => ({
    className: enlarged === key ? 'tile-enlarged' : '',
    'data-enlarged': enlarged === key ? 'true' : 'false',
    toggle: (
      <button
        type="button"
        className="small secondary tile-toggle"
        aria-pressed={enlarged === key}
        aria-label={enlarged === key ? t('call.shrinkName', { name }) : t('call.enlargeName', { name })}
        onClick={() => setEnlarged(enlarged === key ? null : key)}
      >
        {enlarged === key ? t('call.shrink') : t('call.enlarge')}
      </button>
    ),
  });
  const local = tileProps('local', t('call.yourCameraLower'));

  return (
    <section aria-label={t('call.call')} className="call">
      {state.phase === 'reconnecting' && (
        <div className="banner reconnecting" role="status" data-testid="call-reconnecting">
          {state.reconnectReason ?? t('call.reconnecting')}
        </div>
      )}
      {indicator.uplinkBanner && (
        <div className={`banner quality-${state.uplink}`} role="status" data-testid="uplink-banner" data-level={state.uplink}>
          {indicator.uplinkBanner}
        </div>
      )}
      {[...others].filter((pid) => !state.audioOnly && state.remoteUplinks[pid] && !QUALITY_VIEW[state.remoteUplinks[pid]!].video).map((pid) => (
        <div key={pid} className="banner quality-audio_only" role="status" data-testid="remote-uplink-banner" data-participant={pid}>
          {t('call.remoteUplink', { name: names.get(pid) ?? t('call.theOther') })}
        </div>
      ))}
      {indicator.banner && (
        <div className={`banner quality-${state.quality}`} role="status" data-testid="quality-banner" data-level={state.quality}>
          {indicator.banner}
          {state.quality === 'text_suggested' && state.session?.caseId && (
            <> <Link to={caseLink}>{t('call.continueInThread')}</Link></>
          )}
        </div>
      )}
      <div className="call-layout">
        <div>
          {screens.map((s) => (
            <figure key={s.consumerId} className="tile screen">
              <TrackView track={s.track} label={t('call.screenOf', { name: names.get(s.participantId) ?? t('call.participant') })} />
              <figcaption>{t('call.sharing', { name: names.get(s.participantId) ?? t('call.participant') })}</figcaption>
            </figure>
          ))}
          <div className="grid" data-testid="video-grid">
            <figure className={`tile local ${state.activeSpeakerId === state.participantId ? 'speaking' : ''} ${local.className}`} data-testid="tile-local" data-enlarged={local['data-enlarged']}>
              {state.cameraOn && !state.audioOnly && state.localStream?.getVideoTracks().length ? (
                <VideoView stream={state.localStream} mirror label={t('call.yourCamera')} />
              ) : (
                <div className="avatar">{t('call.you')}</div>
              )}
              <figcaption>{t('call.you')} {!state.micOn && t('call.muted')} {local.toggle}</figcaption>
            </figure>
            {[...others].map((pid) => {
              const v = media(pid, 'camera');
              const uplinkPaused = !!state.remoteUplinks[pid] && !QUALITY_VIEW[state.remoteUplinks[pid]!].video;
              const show = v && !v.paused && !uplinkPaused && quality.video && !state.audioOnly;
              const big = tileProps(pid, names.get(pid) ?? t('call.participant'));
              return (
                <figure key={pid} className={`tile ${state.activeSpeakerId === pid ? 'speaking' : ''} ${big.className}`} data-testid="tile-remote" data-participant={pid} data-speaking={state.activeSpeakerId === pid ? 'true' : 'false'} data-enlarged={big['data-enlarged']}>
                  {show ? <TrackView track={v.track} label={t('call.cameraOf', { name: names.get(pid) ?? t('call.participant') })} /> : <div className="avatar">{initials(names.get(pid))}</div>}
                  <figcaption>
                    {names.get(pid) ?? t('call.participant')}
                    {v && show && v.spatialLayer !== null && <span className="muted"> {t('call.layer', { layer: v.spatialLayer })}</span>}
                    {v && !state.audioOnly && (uplinkPaused || v.paused) && <span className="muted"> {t('call.videoPaused')}</span>}
                    {big.toggle}
                  </figcaption>
                </figure>
              );
            })}
          </div>
          {state.remote.filter((r) => r.kind === 'audio').map((r) => <AudioSink key={r.consumerId} track={r.track} />)}
          <Controls client={client} state={state} onLeft={() => navigate(caseLink)} />
          <QualityIndicator state={state} />
        </div>
        <div>
          <RecordingControls client={client} state={state} />
          <Chat client={client} state={state} />
          {state.isHost && state.session && <Invite sessionId={state.session.id} />}
        </div>
      </div>
    </section>
  );
}

function initials(name?: string) {
  return (name ?? '?').split(/\s+/).filter(Boolean).slice(0, 2).map((w) => w[0]!.toUpperCase()).join('');
}

function Controls({ client, state, onLeft }: { client: CallClient; state: CallState; onLeft: () => void }) {
  const { t } = useTranslation();
  const [error, setError] = useState<string | null>(null);
  const run = (fn: () => Promise<unknown>) => () => {
    setError(null);
    fn().catch((e: Error) => setError(callErrorText(e)));
  };
  return (
    <div className="controls" role="toolbar" aria-label={t('call.controls')}>
      <button onClick={run(() => client.setMic(!state.micOn))} aria-pressed={!state.micOn}>{state.micOn ? t('call.mute') : t('call.unmute')}</button>
      <button onClick={run(() => client.setCamera(!state.cameraOn))} disabled={state.audioOnly} aria-pressed={!state.cameraOn}>
        {state.cameraOn ? t('call.cameraOff') : t('call.cameraOn')}
      </button>
      {state.screenStream ? (
        <button onClick={run(() => client.stopScreenShare())}>{t('call.stopSharing')}</button>
      ) : (
        <button className="secondary" onClick={run(() => client.startScreenShare())}>{t('call.shareScreen')}</button>
      )}
      <label className="switch">
        <input type="checkbox" checked={state.audioOnly} onChange={(e) => void run(() => client.setAudioOnly(e.target.checked))()} /> {t('call.audioOnly')}
      </label>
      <button className="secondary" onClick={run(async () => { await client.leave(false); onLeft(); })}>{t('call.leave')}</button>
      {state.isHost && (
        <button className="danger" onClick={run(async () => { await client.leave(true); onLeft(); })}>{t('call.endForEveryone')}</button>
      )}
      {error && <div role="alert" className="alert">{error}</div>}
    </div>
  );
}

/** The indicator's words from the whole state: our downlink level, what arrives, our uplink, the call's mode. */
function indicatorOf(state: CallState) {
  return describeCall({
    quality: state.quality,
    audioOnly: state.audioOnly,
    cameraOn: state.cameraOn,
    uplink: state.uplink,
    remoteCameras: state.remote
      .filter((r) => r.kind === 'video' && r.source === 'camera')
      .map((r) => ({ paused: r.paused, spatialLayer: r.spatialLayer, uplink: state.remoteUplinks[r.participantId] })),
  });
}

function QualityIndicator({ state }: { state: CallState }) {
  const { t } = useTranslation();
  const q = indicatorOf(state);
  const s = state.stats;
  // The plain-words quality is for everyone; the technical figures are there for whoever asks.
  const [details, setDetails] = useState(false);
  return (
    <p className="quality" data-testid="quality-indicator" data-level={state.quality} data-uplink={state.uplink}>
      <span className={`bars bars-${q.bars}`} aria-hidden="true"><i /><i /><i /><i /></span> {q.label}{' '}
      {s && (
        <button type="button" className="small secondary" aria-expanded={details} onClick={() => setDetails(!details)} data-testid="quality-details-toggle">
          {details ? t('call.hideDetails') : t('call.details')}
        </button>
      )}
      {s && details && (
        <span className="muted" data-testid="quality-details">
          {' '}· ↓ {t('preCall.kbits', { value: formatNumber(s.inboundBitrateKbps ?? 0) })} · ↑ {t('preCall.kbits', { value: formatNumber(s.outboundBitrateKbps ?? 0) })}
          {s.rttMs !== undefined && <> · {t('call.records.rtt', { value: formatNumber(s.rttMs) })}</>} · {t('call.records.loss', { value: formatNumber((s.packetLoss ?? 0) * 100, 1) })}
        </span>
      )}
    </p>
  );
}

function Chat({ client, state }: { client: CallClient; state: CallState }) {
  const { t } = useTranslation();
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const send = async (e: FormEvent) => {
    e.preventDefault();
    const body = text.trim();
    if (!body) return;
    setError(null);
    try {
      await client.sendChat(body);
      setText('');
    } catch (err) {
      setError(callErrorText(err));
    }
  };
  return (
    <aside className="card chat" aria-label={t('call.chat')}>
      <h2>{t('call.chat')}</h2>
      <p className="muted hint">{state.session?.caseId ? t('call.chatInThread') : t('call.chatInSession')}</p>
      <ol className="chat-log" data-testid="chat-log">
        {state.chat.map((m) => (
          <li key={m.id}>
            <span className="muted">{m.authorName} · {formatTime(m.createdAt)}</span>
            <p>{m.body}</p>
          </li>
        ))}
      </ol>
      <form onSubmit={send}>
        {error && <div role="alert" className="alert">{error}</div>}
        <label htmlFor="chat-input" className="sr-only">{t('call.chatMessage')}</label>
        <textarea id="chat-input" rows={2} value={text} maxLength={4000} onChange={(e) => setText(e.target.value)} />
        <button type="submit" disabled={!text.trim() || state.phase !== 'in-call'}>{t('call.send')}</button>
      </form>
    </aside>
  );
}

/** The host invites a second specialist, an interpreter or a guest: a time-limited link, shown once. */
function Invite({ sessionId }: { sessionId: string }) {
  const { t } = useTranslation();
  const [callRole, setRole] = useState<'specialist' | 'interpreter' | 'guest'>('specialist');
  const [minutes, setMinutes] = useState('60');
  const [link, setLink] = useState<CreatedInvitation | null>(null);
  const [error, setError] = useState<string | null>(null);
  const create = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      setLink(await post<CreatedInvitation>(`/api/consultations/${sessionId}/invitations`, { callRole, expiresInMinutes: Number(minutes) }));
    } catch (err) {
      setError(errorText(t, err));
    }
  };
  return (
    <form className="card invite" aria-label={t('call.invite')} onSubmit={create}>
      <h2>{t('call.inviteSomeone')}</h2>
      {error && <div role="alert" className="alert">{error}</div>}
      <label htmlFor="invite-role">{t('call.inviteRole')}</label>
      <select id="invite-role" value={callRole} onChange={(e) => setRole(e.target.value as typeof callRole)}>
        <option value="specialist">{t('call.secondSpecialist')}</option><option value="interpreter">{t('call.roles.interpreter')}</option><option value="guest">{t('call.roles.guest')}</option>
      </select>
      <label htmlFor="invite-minutes">{t('call.validFor')}</label>
      <input id="invite-minutes" type="number" min={5} max={1440} value={minutes} onChange={(e) => setMinutes(e.target.value)} />
      <button type="submit">{t('call.createLink')}</button>
      {link && (
        <p data-testid="invitation-link">
          {t('call.sendLink', { time: formatTime(link.expiresAt) })}{' '}
          <code className="secret">{`${location.origin}${link.joinPath}`}</code>
        </p>
      )}
    </form>
  );
}
