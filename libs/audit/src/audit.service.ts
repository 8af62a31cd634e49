import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditEntry, AuditOutcome } from './audit-entry.entity';
import { auditHash, GENESIS_HASH } from './audit-hash';

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
  records: number;
  ok: boolean;
  /** The first record whose hash or link does not verify. */
  firstBrokenId?: string;
  reason?: string;
}

@Injectable()
export class AuditService {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Appends one record to its mission's chain. Pass the caller's EntityManager to write in the same transaction
   * as the change being audited; without one the record is written in its own transaction.
   */
  async record(event: AuditEvent, manager?: EntityManager): Promise<AuditEntry> {
    if (!manager) return this.dataSource.transaction((m) => this.record(event, m));
    const chain = event.missionId ?? 'global';
    // Serialise appends per chain for the rest of this transaction.
    await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`audit:${chain}`]);
    const last: { hash: string }[] = await manager.query(
      'SELECT hash FROM audit_entries WHERE chain = $1 ORDER BY id DESC LIMIT 1',
      [chain],
    );
    const prevHash = last[0]?.hash ?? GENESIS_HASH;
    const fields = {
      chain,
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
    const entry = manager.create(AuditEntry, { ...fields, prevHash, hash: auditHash(prevHash, fields) });
    return manager.save(entry);
  }

  /** Recomputes every chain (or the ones named) and names the first broken record of each. */
  async verify(only?: string | string[]): Promise<ChainReport[]> {
    const chains: { chain: string }[] =
      only === undefined
        ? await this.dataSource.query('SELECT DISTINCT chain FROM audit_entries ORDER BY chain')
        : [only].flat().map((chain) => ({ chain }));
    const reports: ChainReport[] = [];
    for (const { chain: name } of chains) reports.push(await this.verifyChain(name));
    return reports;
  }

  private async verifyChain(chain: string): Promise<ChainReport> {
    const repo = this.dataSource.getRepository(AuditEntry);
    let prevHash = GENESIS_HASH;
    let lastId = '0';
    let records = 0;
    for (;;) {
      const batch = await repo
        .createQueryBuilder('a')
        .where('a.chain = :chain AND a.id > :lastId', { chain, lastId })
        .orderBy('a.id', 'ASC')
        .limit(1000)
        .getMany();
      if (!batch.length) return { chain, records, ok: true };
      for (const e of batch) {
        records++;
        if (e.prevHash !== prevHash) {
          return { chain, records, ok: false, firstBrokenId: e.id, reason: 'link to the previous record broken' };
        }
        const expected = auditHash(prevHash, e);
        if (expected !== e.hash) {
          return { chain, records, ok: false, firstBrokenId: e.id, reason: 'content does not match its hash' };
        }
        prevHash = e.hash;
        lastId = e.id;
      }
    }
  }
}
