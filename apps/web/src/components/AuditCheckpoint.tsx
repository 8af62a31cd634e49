import { get } from '../api/client';
import { useLoad } from './useLoad';

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
  const view = useLoad(() => get<AuditCheckpointView>('/api/audit/checkpoint'));
  const missions = useLoad(() => get<{ id: string; name: string }[]>('/api/missions'));
  const missionNames: Record<string, string> = Object.fromEntries((missions.data ?? []).map((m) => [m.id, m.name]));
  const v = view.data;
  if (view.error) return null;
  return (
    <section className="card" aria-label="Audit trail checkpoint">
      <h2>Audit trail</h2>
      {!v ? (
        <p>Loading the audit checkpoint…</p>
      ) : (
        <>
          {v.sealing === 'halted' ? (
            <div role="alert" className="alert">Audit sealing has stopped: {v.haltedReason}</div>
          ) : (
            <p>Records are sealed into their mission's chain within a second{v.lastRoundAt ? ` (last round ${new Date(v.lastRoundAt).toLocaleTimeString()})` : ''}.</p>
          )}
          {v.heads.length === 0 ? (
            <p>No checkpoint written yet.</p>
          ) : (
            <table>
              <thead><tr><th>Chain</th><th>Sealed through record</th><th>Hash</th></tr></thead>
              <tbody>
                {v.heads.map((h) => (
                  <tr key={h.chain}><td>{missionNames[h.chain] ?? h.chain}</td><td>{h.seq}</td><td><code>{h.hash.slice(0, 16)}…</code></td></tr>
                ))}
              </tbody>
            </table>
          )}
          {v.writtenAt && <p>Checkpoint signed {new Date(v.writtenAt).toLocaleString()}, signature <code>{v.signature?.slice(0, 16)}…</code></p>}
        </>
      )}
    </section>
  );
}
