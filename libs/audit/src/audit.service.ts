import { Inject, Injectable, Optional } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditEntry, AuditOutcome } from './audit-entry.entity';
import { ChainHead, readCheckpoint } from './audit-checkpoint';
import { auditHash, AuditEntryRow, GENESIS_HASH } from './audit-hash';
import { AUDIT_OPTIONS, AuditOptions } from './audit-options';

export interface AuditEvent {
  action: string;
  outcome: AuditOutcome;
  actorId?: string | null;
  missionId?: string | null;
  subjectType?: string | null;
  subjectId?: string | null;
  requestId?: string | null;
  ip?: string | null;
  details?: Record<string, unknown>;
}

export interface ChainReport {
  chain: string;
  /** Sealed records verified. */
  records: number;
  ok: boolean;
  /** The first record whose seal, link or content does not verify. */
  firstBrokenId?: string;
  reason?: string;
  /** Records not sealed yet (written since the sealer's last round, or held back by a transaction still open). */
  unsealed: number;
  /** When the oldest of them was written (ISO), if any. */
  oldestUnsealedAt: string | null;
  /** The chain head recorded in the signed checkpoint file, if one exists, which the chain must still reach. */
  checkpointSeq?: string;
}

/** A seal joined with its record (id null: the record the seal names is gone). */
type SealedRow = Omit<AuditEntryRow, 'id'> & { seq: string; prev_hash: string; hash: string; entry_id: string; id: string | null };

type Fields = Omit<AuditEntry, 'id' | 'xid'>;
const COLUMNS = 11;

function valuesOf(f: Fields): unknown[] {
  return [f.chain, f.missionId, f.actorId, f.action, f.subjectType, f.subjectId, f.outcome, f.requestId, f.ip, JSON.stringify(f.details), f.occurredAt];
}

function insertSql(rows: number): string {
  const tuples = Array.from({ length: rows }, (_, r) => `(${Array.from({ length: COLUMNS }, (_, c) => `$${r * COLUMNS + c + 1}`).join(', ')})`);
  return `INSERT INTO audit_entries (chain, mission_id, actor_id, action, subject_type, subject_id, outcome, request_id, ip, details, occurred_at)
          VALUES ${tuples.join(', ')} RETURNING id::text`;
}

@Injectable()
export class AuditService {
  /** Records written on their own (no caller transaction) waiting for the next group insert. */
  private pending: { fields: Fields; resolve: (id: string) => void; reject: (e: unknown) => void }[] = [];
  private flushing = false;

  constructor(
    private readonly dataSource: DataSource,
    @Optional() @Inject(AUDIT_OPTIONS) private readonly options: AuditOptions,
  ) {}

  /**
   * Appends one record. Pass the caller's EntityManager to write in the same transaction as the change being
   * audited; without one the record is written on its own, grouped with the other records waiting at that moment
   * into one INSERT (one commit, one WAL flush for all of them; like PostgreSQL's group commit), and the promise
   * settles once it is committed. No lock and no read: the sealer chains it later.
   */
  async record(event: AuditEvent, manager?: EntityManager): Promise<AuditEntry> {
    const fields = {
      chain: event.missionId ?? 'global',
      missionId: event.missionId ?? null,
      actorId: event.actorId ?? null,
      action: event.action,
      subjectType: event.subjectType ?? null,
      subjectId: event.subjectId ?? null,
      outcome: event.outcome,
      requestId: event.requestId ?? null,
      ip: event.ip ?? null,
      details: event.details ?? {},
      // PostgreSQL keeps microseconds, JavaScript milliseconds: truncate so the stored value hashes the same.
      occurredAt: new Date(Math.floor(Date.now())),
    };
    const id = manager
      ? ((await manager.query(insertSql(1), valuesOf(fields))) as { id: string }[])[0].id
      : await new Promise<string>((resolve, reject) => {
          this.pending.push({ fields, resolve, reject });
          if (!this.flushing) void this.flush();
        });
    return Object.assign(new AuditEntry(), fields, { id });
  }

  /** Inserts what waits, in groups of up to 200, until nothing does; a failed group is retried one by one. */
  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.pending.length) {
        const group = this.pending.splice(0, 200);
        try {
          const rows: { id: string }[] = await this.dataSource.query(insertSql(group.length), group.flatMap((g) => valuesOf(g.fields)));
          group.forEach((g, i) => g.resolve(rows[i].id));
        } catch (e) {
          if (group.length === 1) {
            group[0].reject(e);
            continue;
          }
          for (const g of group) {
            await this.dataSource.query(insertSql(1), valuesOf(g.fields)).then((r: { id: string }[]) => g.resolve(r[0].id), g.reject);
          }
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  /**
   * Verifies every chain (or the ones named): each seal's keyed hash, its link to the previous one, that its record
   * still exists unchanged, that the chain still reaches the head in the signed checkpoint file, and that no record
   * sits unsealed below the sealer's horizon (inserted behind its back). Reports the unsealed backlog and its age.
   */
  async verify(only?: string | string[]): Promise<ChainReport[]> {
    const chains: { chain: string }[] =
      only === undefined
        ? await this.dataSource.query('SELECT chain FROM audit_entries UNION SELECT chain FROM audit_seals ORDER BY chain')
        : [only].flat().map((chain) => ({ chain }));
    const read = readCheckpoint(this.options.checkpointFile, this.options.key);
    const heads = new Map<string, ChainHead>(read.state === 'ok' ? read.checkpoint.heads.map((h) => [h.chain, h]) : []);
    const [{ horizon }] = await this.dataSource.query('SELECT COALESCE(max(horizon), 0)::text AS horizon FROM audit_seals');
    const reports: ChainReport[] = [];
    for (const { chain } of chains) {
      const report = await this.verifyChain(chain, heads.get(chain), horizon);
      if (read.state === 'invalid' && report.ok) Object.assign(report, { ok: false, reason: read.reason });
      reports.push(report);
    }
    return reports;
  }

  private async verifyChain(chain: string, checkpoint: ChainHead | undefined, horizon: string): Promise<ChainReport> {
    const [backlog]: { unsealed: number; behind: number; oldest: Date | null; first_behind: string | null }[] = await this.dataSource.query(
      `SELECT count(*)::int AS unsealed, count(*) FILTER (WHERE e.xid < $2)::int AS behind, min(e.occurred_at) AS oldest,
              min(e.id) FILTER (WHERE e.xid < $2)::text AS first_behind
         FROM audit_entries e WHERE e.chain = $1 AND NOT EXISTS (SELECT 1 FROM audit_seals s WHERE s.entry_id = e.id)`,
      [chain, horizon],
    );
    const base = {
      chain,
      unsealed: backlog.unsealed,
      oldestUnsealedAt: backlog.oldest ? new Date(backlog.oldest).toISOString() : null,
      ...(checkpoint ? { checkpointSeq: checkpoint.seq } : {}),
    };
    let prevHash = GENESIS_HASH;
    let expectedSeq = 1n;
    let records = 0;
    const broken = (firstBrokenId: string, reason: string): ChainReport => ({ ...base, records, ok: false, firstBrokenId, reason });
    for (;;) {
      const batch: SealedRow[] = await this.dataSource.query(
        `SELECT s.seq::text, s.prev_hash, s.hash, s.entry_id::text, e.id::text, e.chain, e.mission_id, e.actor_id, e.action,
                e.subject_type, e.subject_id, e.outcome, e.request_id, e.ip, e.details, e.occurred_at
           FROM audit_seals s LEFT JOIN audit_entries e ON e.id = s.entry_id
          WHERE s.chain = $1 AND s.seq >= $2 ORDER BY s.seq LIMIT 1000`,
        [chain, String(expectedSeq)],
      );
      for (const s of batch) {
        if (BigInt(s.seq) !== expectedSeq) return broken(s.entry_id, `seal ${expectedSeq} is missing (records removed)`);
        if (s.prev_hash !== prevHash) return broken(s.entry_id, 'link to the previous record broken');
        if (!s.id) return broken(s.entry_id, 'the sealed record has been removed');
        if (s.chain !== chain) return broken(s.entry_id, 'the sealed record has been moved to another chain');
        const expected = auditHash(this.options.key, prevHash, {
          id: s.id,
          seq: s.seq,
          chain: s.chain,
          missionId: s.mission_id,
          actorId: s.actor_id,
          action: s.action,
          subjectType: s.subject_type,
          subjectId: s.subject_id,
          outcome: s.outcome,
          requestId: s.request_id,
          ip: s.ip,
          details: s.details,
          occurredAt: new Date(s.occurred_at),
        });
        if (expected !== s.hash) return broken(s.entry_id, 'content does not match its seal');
        if (checkpoint && s.seq === checkpoint.seq && s.hash !== checkpoint.hash) {
          return broken(s.entry_id, 'record differs from the signed checkpoint (chain replaced)');
        }
        records++;
        prevHash = s.hash;
        expectedSeq++;
      }
      if (batch.length < 1000) break;
    }
    if (checkpoint && BigInt(checkpoint.seq) >= expectedSeq) {
      return broken(checkpoint.entryId, `records ${expectedSeq} to ${checkpoint.seq} of the signed checkpoint have been removed`);
    }
    if (backlog.behind > 0) {
      return broken(backlog.first_behind!, `${backlog.behind} record(s) inserted behind the sealer (unsealed below its horizon)`);
    }
    return { ...base, records, ok: true };
  }
}
