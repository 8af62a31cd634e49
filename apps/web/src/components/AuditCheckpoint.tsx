import { useTranslation } from 'react-i18next';
import { useApi } from './useApi';

interface AuditCheckpointView {
  writtenAt: string | null;
  signature: string | null;
  heads: { chain: string; seq: string; entryId: string; hash: string }[];
  sealing: 'running' | 'halted';
  haltedReason: string | null;
  lastRoundAt: string | null;
}

/**
 * The signed checkpoint of the audit chains (written outside the database): which record each chain is sealed
 * through and its hash. Noting these lets anyone later check that no newest record was removed.
 */
export function AuditCheckpoint() {
  const { t, i18n } = useTranslation();
  const view = useApi<AuditCheckpointView>('/api/audit/checkpoint');
  const missions = useApi<{ id: string; name: string }[]>('/api/missions');
  const missionNames: Record<string, string> = Object.fromEntries((missions.data ?? []).map((m) => [m.id, m.name]));
  const locale = i18n.resolvedLanguage === 'fr' ? 'fr-FR' : 'en-GB';
  const v = view.data;
  if (view.error) return null;
  return (
    <section className="card" aria-label={t('auditCheckpoint.title')}>
      <h2>{t('auditCheckpoint.title')}</h2>
      {!v ? (
        <p>{t('auditCheckpoint.loading')}</p>
      ) : (
        <>
          {v.sealing === 'halted' ? (
            <div role="alert" className="alert">{t('auditCheckpoint.halted', { reason: v.haltedReason ?? '' })}</div>
          ) : (
            <p>
              {t('auditCheckpoint.sealing')}
              {v.lastRoundAt ? ` ${t('auditCheckpoint.lastRound', { time: new Date(v.lastRoundAt).toLocaleTimeString(locale) })}` : ''}
            </p>
          )}
          {v.heads.length === 0 ? (
            <p>{t('auditCheckpoint.none')}</p>
          ) : (
            <table>
              <thead><tr><th>{t('auditCheckpoint.chain')}</th><th>{t('auditCheckpoint.sealedThrough')}</th><th>{t('auditCheckpoint.hash')}</th></tr></thead>
              <tbody>
                {v.heads.map((h) => (
                  <tr key={h.chain}><td>{missionNames[h.chain] ?? h.chain}</td><td>{h.seq}</td><td><code>{h.hash.slice(0, 16)}…</code></td></tr>
                ))}
              </tbody>
            </table>
          )}
          {v.writtenAt && (
            <p>{t('auditCheckpoint.signed', { time: new Date(v.writtenAt).toLocaleString(locale), signature: `${v.signature?.slice(0, 16) ?? ''}…` })}</p>
          )}
        </>
      )}
    </section>
  );
}
