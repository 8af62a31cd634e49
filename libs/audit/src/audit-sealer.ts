import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, Optional } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditCheckpoint, ChainHead, readCheckpoint, writeCheckpoint } from './audit-checkpoint';
import { auditHash, AuditEntryRow, GENESIS_HASH } from './audit-hash';
import { AUDIT_OPTIONS, AuditOptions, SEAL_BATCH } from './audit-options';

type UnsealedRow = AuditEntryRow & { xid: string };

export interface SealerStatus {
  /** Why sealing stopped (the chain in the database no longer extends the last checkpoint), if it did. */
  halted: string | null;
  lastRoundAt: string | null;
  checkpoint: AuditCheckpoint | null;
}

/** Advisory lock key of the sealer: one sealing round at a time across every hub instance. */
export const SEALER_LOCK = 'audit:sealer';

/**
 * Chains the audit records in batches, so a request only appends its record (no lock, no read of the chain head).
 *
 * Order: records are sealed in the order (writing transaction id, record id). A round takes the snapshot's xmin as
 * its horizon H: every transaction with an id below H has ended (committed and visible, or rolled back), and every
 * transaction still running, or not yet started, has an id >= H. The round seals only records with xid < H that are
 * not sealed yet (at most SEAL_BATCH; a cut batch ends its horizon at its last xid). A transaction that commits late
 * therefore has xid >= H and is sealed by a later round, after everything sealed now: nothing is ever sealed past a
 * record that may still appear with a smaller order key. A record inserted behind the sealer's back with an old
 * xid stays unsealed below the horizon, which verification reports.
 *
 * After each round the heads of the chains are written, signed with the audit key, to the checkpoint file outside
 * the database. Before sealing onto a chain the sealer checks that the chain still reaches the checkpointed head;
 * if not (newest records removed), it stops sealing and says so, rather than overwrite the evidence.
 */
@Injectable()
export class AuditSealer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('AuditSealer');
  private readonly heads = new Map<string, ChainHead>();
  private checkpoint: AuditCheckpoint | null = null;
  private halted: string | null = null;
  private lastRoundAt: Date | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private stopped = false;

  constructor(
    private readonly dataSource: DataSource,
    @Optional() @Inject(AUDIT_OPTIONS) private readonly options: AuditOptions,
  ) {
    const read = readCheckpoint(options.checkpointFile, options.key);
    if (read.state === 'invalid') this.halt(`checkpoint file ${options.checkpointFile}: ${read.reason}`);
    if (read.state === 'ok') {
      this.checkpoint = read.checkpoint;
      for (const h of read.checkpoint.heads) this.heads.set(h.chain, h);
    }
  }

  onApplicationBootstrap(): void {
    const interval = this.options.sealIntervalMs ?? 100;
    if (interval <= 0) return;
    const tick = async () => {
      this.timer = null;
      let sealed = 0;
      try {
        sealed = await this.sealOnce();
      } catch (e) {
        if (!this.stopped) this.logger.error(`sealing round failed: ${(e as Error).message}`);
      }
      if (!this.stopped) this.timer = setTimeout(tick, sealed >= SEAL_BATCH ? 0 : interval).unref();
    };
    this.timer = setTimeout(tick, interval).unref();
  }

  /** Stops the timer and seals what has committed, so a clean shutdown leaves no backlog behind. */
  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
    if (!this.dataSource.isInitialized) return;
    try {
      while ((await this.sealOnce()) >= SEAL_BATCH);
    } catch (e) {
      this.logger.warn(`final sealing round failed: ${(e as Error).message}`);
    }
  }

  status(): SealerStatus {
    return { halted: this.halted, lastRoundAt: this.lastRoundAt?.toISOString() ?? null, checkpoint: this.checkpoint };
  }

  /** One sealing round; returns the number of records sealed (0 when another instance holds the sealer lock). */
  sealOnce(): Promise<number> {
    const round = (this.running ?? Promise.resolve()).catch(() => undefined).then(() => this.round());
    this.running = round;
    return round;
  }

  private async round(): Promise<number> {
    if (this.halted) return 0;
    const result = await this.dataSource.transaction(async (m) => {
      const [{ locked }] = await m.query('SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked', [SEALER_LOCK]);
      if (!locked) return null;
      // First the horizon, then the rows: a later statement's snapshot sees every transaction that ended before H.
      const [{ horizon }] = await m.query('SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS horizon');
      const [{ from }] = await m.query('SELECT COALESCE(max(horizon), 0)::text AS "from" FROM audit_seals');
      const rows: UnsealedRow[] = await m.query(
        `SELECT e.id::text, e.chain, e.mission_id, e.actor_id, e.action, e.subject_type, e.subject_id, e.outcome,
                e.request_id, e.ip, e.details, e.occurred_at, e.xid::text
           FROM audit_entries e
          WHERE e.xid >= $1 AND e.xid < $2
            AND NOT EXISTS (SELECT 1 FROM audit_seals s WHERE s.entry_id = e.id)
          ORDER BY e.xid, e.id
          LIMIT ${SEAL_BATCH}`,
        [from, horizon],
      );
      if (!rows.length) return null;
      const roundHorizon = rows.length === SEAL_BATCH ? rows[rows.length - 1].xid : horizon;
      const tips = new Map<string, ChainHead>();
      for (const chain of new Set(rows.map((r) => r.chain))) tips.set(chain, await this.currentHead(m, chain));
      const seals = { entryIds: [] as string[], chains: [] as string[], seqs: [] as string[], prev: [] as string[], hashes: [] as string[] };
      for (const r of rows) {
        const tip = tips.get(r.chain)!;
        const seq = String(BigInt(tip.seq) + 1n);
        const hash = auditHash(this.options.key, tip.hash, {
          id: r.id,
          seq,
          chain: r.chain,
          missionId: r.mission_id,
          actorId: r.actor_id,
          action: r.action,
          subjectType: r.subject_type,
          subjectId: r.subject_id,
          outcome: r.outcome,
          requestId: r.request_id,
          ip: r.ip,
          details: r.details,
          occurredAt: r.occurred_at,
        });
        seals.entryIds.push(r.id);
        seals.chains.push(r.chain);
        seals.seqs.push(seq);
        seals.prev.push(tip.hash);
        seals.hashes.push(hash);
        tips.set(r.chain, { chain: r.chain, seq, entryId: r.id, hash });
      }
      await m.query(
        `INSERT INTO audit_seals (entry_id, chain, seq, prev_hash, hash, horizon)
         SELECT e, c, s, p, h, $6::bigint FROM unnest($1::bigint[], $2::varchar[], $3::bigint[], $4::text[], $5::text[]) AS u(e, c, s, p, h)`,
        [seals.entryIds, seals.chains, seals.seqs, seals.prev, seals.hashes, roundHorizon],
      );
      return { tips, sealed: rows.length };
    });
    this.lastRoundAt = new Date();
    if (!result) return 0;
    for (const [chain, head] of result.tips) this.heads.set(chain, head);
    if (this.options.checkpointFile) {
      this.checkpoint = writeCheckpoint(this.options.checkpointFile, this.options.key, [...this.heads.values()].sort((a, b) => a.chain.localeCompare(b.chain)));
    }
    return result.sealed;
  }

  /** The chain's sealed head, after checking that it still extends the last checkpointed head of this chain. */
  private async currentHead(m: EntityManager, chain: string): Promise<ChainHead> {
    const [tip]: { seq: string; entry_id: string; hash: string }[] = await m.query(
      // ORDER BY the column, not the text output of the same name (which would sort '9' after '14').
      'SELECT s.seq::text AS seq, s.entry_id::text AS entry_id, s.hash FROM audit_seals s WHERE s.chain = $1 ORDER BY s.seq DESC LIMIT 1',
      [chain],
    );
    const known = this.heads.get(chain);
    if (known) {
      const [atKnown]: { hash: string }[] =
        tip && tip.seq === known.seq ? [tip] : await m.query('SELECT hash FROM audit_seals WHERE chain = $1 AND seq = $2', [chain, known.seq]);
      if (!atKnown || atKnown.hash !== known.hash) {
        this.halt(`chain ${chain} no longer reaches its checkpointed record ${known.seq} (records removed or replaced)`);
        throw new Error(this.halted!);
      }
    }
    return tip ? { chain, seq: tip.seq, entryId: tip.entry_id, hash: tip.hash } : { chain, seq: '0', entryId: '0', hash: GENESIS_HASH };
  }

  private halt(reason: string) {
    this.halted = `audit sealing halted: ${reason}; investigate, then move the checkpoint file aside to resume`;
    this.logger.error(this.halted);
  }
}
