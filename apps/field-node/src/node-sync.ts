import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { EnrolResponse, PulledChange, PullResponse, PUSHED_TABLES, PushResponse, SyncOperation } from '@hub/contracts';
import { EVERYONE, PRINCIPAL_CHANNEL } from '@hub/identity';
import { LOCAL_TRANSITION_BASE } from './migrations/1795940000000-NodeOutbox';

/** Tables whose rows make up a signed-in caller (the principal cache's triggers watch the same on the hub). */
const CALLER_TABLES = new Set(['users', 'memberships', 'refresh_tokens', 'training_certificates', 'training_waivers', 'missions', 'facilities', 'facility_missions']);

export type LinkState = 'not_enrolled' | 'connected' | 'offline' | 'revoked';

export interface NodeSyncStatus {
  state: LinkState;
  /** Plain words for the status bar. */
  message: string;
  /** Outbox operations not yet acknowledged by the hub. */
  waiting: number;
  /** Operations the hub refused or kept as conflicts, with the reason, for the sync page. */
  attention: { opId: string; table: string; recordId: string; status: string; reason: string | null }[];
  offlineSince: string | null;
  lastSyncAt: string | null;
  facilityName: string | null;
}

export interface NodeSyncOptions {
  hubUrl: string;
  enrolmentCode: string;
  version: string;
  intervalMs: number;
  maxBackoffMs: number;
  /** Upper bound of one push body, so a batch fits a slow link's request timeout. */
  maxBatchBytes?: number;
  requestTimeoutMs?: number;
}

class HubError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

const PUSHED = new Set<string>(PUSHED_TABLES);
const KEYS: Record<string, string[]> = { specialties: ['code'], facility_missions: ['facility_id', 'mission_id'] };

/**
 * The node's side of sync (docs/field-node.md): enrol once, then rounds of push (outbox in order, each operation
 * acknowledged by the hub) and pull (the hub's change log from the stored cursor, applied with the cursor in one
 * transaction). Failures back off exponentially; nothing is lost, because the outbox and the cursor live in the
 * node's database.
 */
export class NodeSync {
  private readonly logger = new Logger('NodeSync');
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  private failures = 0;
  private state: LinkState = 'not_enrolled';
  private offlineSince: Date | null = null;
  private lastSyncAt: Date | null = null;
  private columns = new Map<string, Set<string>>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly options: NodeSyncOptions,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** Runs a round now (after a local write), unless one is running. */
  kick(): void {
    if (!this.running && !this.stopped && this.state !== 'revoked') this.schedule(0);
  }

  private schedule(ms: number) {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.running = this.round().finally(() => (this.running = null));
    }, ms);
  }

  private async round(): Promise<void> {
    try {
      if (!(await this.get('credential')) || !(await this.get('node_id'))) await this.enrol();
      await this.pushAll();
      await this.pullAll();
      this.failures = 0;
      this.state = 'connected';
      this.offlineSince = null;
      this.lastSyncAt = new Date();
      this.schedule(this.options.intervalMs);
    } catch (e) {
      if (e instanceof HubError && e.code === 'NODE_REVOKED') {
        this.state = 'revoked';
        await this.set('revoked', new Date().toISOString());
        this.logger.error(`${e.message}. Sync stopped; local work stays on this node.`);
        return;
      }
      if (this.state !== 'offline') this.offlineSince = new Date();
      this.state = (await this.get('node_id')) ? 'offline' : 'not_enrolled';
      this.failures++;
      const wait = Math.min(this.options.maxBackoffMs, this.options.intervalMs * 2 ** Math.min(this.failures, 16));
      this.logger.warn(`sync round failed (${e instanceof Error ? e.message : String(e)}); next try in ${Math.round(wait / 1000)} s`);
      this.schedule(wait);
    }
  }

  // ---- enrolment --------------------------------------------------------------------------------------------

  private async enrol(): Promise<void> {
    // The credential is made and kept before the call: a retry after a lost answer sends the same one.
    let credential = await this.get('credential');
    if (!credential) {
      credential = randomBytes(32).toString('base64url');
      await this.set('credential', credential);
    }
    const res = await this.call<EnrolResponse>('POST', '/api/sync/enrol', { code: this.options.enrolmentCode, credential, version: this.options.version }, false);
    await this.dataSource.transaction(async (m) => {
      await this.set('node_id', res.nodeId, m);
      await this.set('facility_id', res.facilityId, m);
      await this.set('mission_id', res.missionId, m);
      await this.set('facility_name', res.facilityName, m);
    });
    this.logger.log(`enrolled with ${this.options.hubUrl} as the node of ${res.facilityName}`);
  }

  // ---- push ---------------------------------------------------------------------------------------------------

  /** Pushes what was waiting when the round began: writes made meanwhile wait for the next round, so pulls are never starved. */
  private async pushAll(): Promise<void> {
    const maxBytes = this.options.maxBatchBytes ?? 48_000;
    const [{ upto }] = await this.dataSource.query(`SELECT COALESCE(max(seq), 0)::text AS upto FROM node_outbox WHERE status = 'pending'`);
    for (;;) {
      const rows: { op_id: string; table_name: string; record_id: string; row: Record<string, unknown>; actor_id: string; made_at: Date }[] =
        await this.dataSource.query(
          `SELECT op_id, table_name, record_id, row, actor_id, made_at FROM node_outbox WHERE status = 'pending' AND seq <= $1 ORDER BY seq LIMIT 200`,
          [upto],
        );
      if (!rows.length) return;
      const operations: SyncOperation[] = [];
      let bytes = 0;
      for (const r of rows) {
        const op: SyncOperation = { opId: r.op_id, table: r.table_name as SyncOperation['table'], recordId: r.record_id, row: r.row, actorId: r.actor_id, at: new Date(r.made_at).toISOString() };
        bytes += JSON.stringify(op).length;
        if (operations.length && bytes > maxBytes) break;
        operations.push(op);
      }
      const [{ n }] = await this.dataSource.query(`SELECT count(*)::int AS n FROM node_outbox WHERE status = 'pending'`);
      const res = await this.call<PushResponse>('POST', '/api/sync/push', { operations, backlog: n, version: this.options.version });
      await this.dataSource.transaction(async (m) => {
        for (const r of res.results) {
          await m.query(`UPDATE node_outbox SET status = $2, reason = $3, acknowledged_at = now() WHERE op_id = $1 AND status = 'pending'`, [r.opId, r.result, r.reason ?? null]);
        }
      });
      const attention = res.results.filter((r) => r.result === 'refused' || r.result === 'conflict');
      for (const r of attention) this.logger.warn(`the hub ${r.result === 'refused' ? 'refused' : 'kept a conflict for'} operation ${r.opId}: ${r.reason}`);
    }
  }

  // ---- pull ---------------------------------------------------------------------------------------------------

  private async pullAll(): Promise<void> {
    for (;;) {
      const cursor = await this.get('cursor');
      const page = await this.call<PullResponse>('GET', `/api/sync/pull${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`);
      await this.dataSource.transaction(async (m) => {
        // Replica mode: no outbox echo, no checks of references to rows this node does not hold.
        await m.query(`SET LOCAL session_replication_role = replica`);
        for (const change of page.changes) await this.applyChange(m, change);
        // Replica mode fires no trigger, so neither does the one telling the principal cache that a user, membership,
        // session or certification changed: say it here, or a certificate withdrawn on the hub would still count on
        // this node until the cache entry ages out.
        if (page.changes.some((c) => CALLER_TABLES.has(c.table))) await m.query('SELECT pg_notify($1, $2)', [PRINCIPAL_CHANNEL, EVERYONE]);
        await this.set('cursor', page.cursor, m);
      });
      if (!page.more) return;
    }
  }

  private async applyChange(m: EntityManager, change: PulledChange): Promise<void> {
    const { table, row } = change;
    // A record with local changes still waiting keeps them; the hub's version comes back after the push.
    if (PUSHED.has(table)) {
      const [pending] = await m.query(`SELECT 1 FROM node_outbox WHERE record_id = $1 AND status = 'pending' LIMIT 1`, [change.id]);
      if (pending) return;
    }
    const keys = KEYS[table] ?? ['id'];
    if (!row) {
      const values = table === 'facility_missions' ? change.id.split(':') : [change.id];
      await m.query(`DELETE FROM ${table} WHERE ${keys.map((k, i) => `"${k}"::text = $${i + 1}`).join(' AND ')}`, values);
      return;
    }
    if (table === 'case_transitions') {
      // The hub's transitions replace the provisional ones this node wrote for the case.
      await m.query(`DELETE FROM case_transitions WHERE case_id = $1 AND id >= ${LOCAL_TRANSITION_BASE}`, [row.case_id]);
    }
    const known = await this.columnsOf(m, table);
    const cols = Object.keys(row).filter((c) => known.has(c));
    const list = cols.map((c) => `"${c}"`).join(', ');
    const updates = cols.filter((c) => !keys.includes(c)).map((c) => `"${c}" = EXCLUDED."${c}"`);
    const overriding = table === 'case_transitions' ? 'OVERRIDING SYSTEM VALUE' : '';
    await m.query(
      `INSERT INTO ${table} (${list}) ${overriding} SELECT ${list} FROM jsonb_populate_record(NULL::${table}, $1)
       ON CONFLICT (${keys.map((k) => `"${k}"`).join(', ')}) DO ${updates.length ? `UPDATE SET ${updates.join(', ')}` : 'NOTHING'}`,
      [row],
    );
  }

  private async columnsOf(m: EntityManager, table: string): Promise<Set<string>> {
    let known = this.columns.get(table);
    if (!known) {
      const rows: { column_name: string }[] = await m.query(
        `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 AND is_generated = 'NEVER'`,
        [table],
      );
      known = new Set(rows.map((r) => r.column_name));
      this.columns.set(table, known);
    }
    return known;
  }

  // ---- status -------------------------------------------------------------------------------------------------

  async status(): Promise<NodeSyncStatus> {
    const [{ n }] = await this.dataSource.query(`SELECT count(*)::int AS n FROM node_outbox WHERE status = 'pending'`);
    const attention = await this.dataSource.query(
      `SELECT op_id AS "opId", table_name AS "table", record_id AS "recordId", status, reason FROM node_outbox
        WHERE status IN ('refused', 'conflict') ORDER BY seq DESC LIMIT 50`,
    );
    const revoked = this.state === 'revoked' || !!(await this.get('revoked'));
    const state: LinkState = revoked ? 'revoked' : this.state;
    const waiting = n === 1 ? '1 change waiting' : `${n} changes waiting`;
    const message = {
      connected: `Connected to hub · ${n ? waiting : 'everything sent'}`,
      offline: `Offline${this.offlineSince ? ` since ${this.offlineSince.toISOString().slice(11, 16)} UTC` : ''} — your work is saved on this node · ${waiting}`,
      not_enrolled: 'Not yet connected to the hub: enrolment pending — your work is saved on this node',
      revoked: "This node's access to the hub was revoked: nothing more is sent or received. Ask the mission administrator.",
    }[state];
    return {
      state,
      message,
      waiting: n,
      attention,
      offlineSince: this.offlineSince?.toISOString() ?? null,
      lastSyncAt: this.lastSyncAt?.toISOString() ?? null,
      facilityName: (await this.get('facility_name')) ?? null,
    };
  }

  // ---- plumbing -----------------------------------------------------------------------------------------------

  private async call<T>(method: 'GET' | 'POST', path: string, body?: unknown, authenticated = true): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (authenticated) headers.Authorization = `Node ${await this.get('credential')}`;
    const res = await fetch(`${this.options.hubUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(this.options.requestTimeoutMs ?? 120_000),
    });
    const text = await res.text();
    const json = text ? JSON.parse(text) : undefined;
    if (!res.ok) throw new HubError(res.status, json?.code, `hub answered ${res.status} ${json?.code ?? ''}: ${json?.message ?? text.slice(0, 200)}`);
    return json as T;
  }

  private async get(key: string): Promise<string | undefined> {
    const [row] = await this.dataSource.query('SELECT value FROM node_state WHERE key = $1', [key]);
    return row?.value;
  }

  private async set(key: string, value: string, m: EntityManager = this.dataSource.manager): Promise<void> {
    await m.query(
      `INSERT INTO node_state (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
      [key, value],
    );
  }
}
