import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { DataSource, EntityManager } from 'typeorm';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EnrolResponse, NodeBudget, NodeLinkState, NodeStatusView, PulledChange, PULLED_TABLES, PullResponse, PUSHED_TABLES, PushResponse, SyncOperation } from '@hub/contracts';
import { EVERYONE, PRINCIPAL_CHANNEL } from '@hub/identity';
import { LOCAL_TRANSITION_BASE } from './migrations/1795940000000-NodeOutbox';
import { NodeAuditShipper } from './node-audit-shipper';
import { HubError, HubLink, NodeTransfers, TransferProgress } from './node-transfers';

/** Tables whose rows make up a signed-in caller (the principal cache's triggers watch the same on the hub). */
const CALLER_TABLES = new Set(['users', 'memberships', 'refresh_tokens', 'training_certificates', 'training_waivers', 'missions', 'facilities', 'facility_missions']);

/** Something from the hub the clinic's staff should hear of on the node (a doctor's answer, message, acceptance). */
export interface LocalNotice {
  userIds: string[];
  caseId: string;
  kind: 'case.accepted' | 'case.answered' | 'case.information_requested' | 'case.message';
}

export type LinkState = NodeLinkState;

/** What GET /api/node/status answers (the web app's sync bar and page read it). */
export type NodeSyncStatus = NodeStatusView;

export interface NodeSyncOptions {
  hubUrl: string;
  enrolmentCode: string;
  version: string;
  intervalMs: number;
  maxBackoffMs: number;
  /** Upper bound of one push body, so a batch fits a slow link's request timeout. */
  maxBatchBytes?: number;
  requestTimeoutMs?: number;
  /** Where the node's attachment files are (the attachments service's directory). */
  uploadsDirectory?: string;
  /** How long a long poll for live events waits at the hub (ms); 0 polls every interval instead. */
  longPollMs?: number;
  /** Longest a round spends on files before it pulls again (ms). */
  transferSliceMs?: number;
}


const PUSHED = new Set<string>(PUSHED_TABLES);
/** With nothing changing on either side, a full round still runs this often (audit of reads shipped, files retried). */
const IDLE_ROUND_MS = 5 * 60_000;
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
  private waiter: AbortController | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  /** A local write came while a round was running (perhaps after its push): run another round right after it. */
  private again = false;
  private failures = 0;
  private state: LinkState = 'not_enrolled';
  private offlineSince: Date | null = null;
  private lastSyncAt: Date | null = null;
  private columns = new Map<string, Set<string>>();
  /** Raises the local notifications of what a pull brought (the node's NotificationsService, set by main). */
  notify: ((notices: LocalNotice[]) => Promise<void>) | null = null;
  private notices: LocalNotice[] = [];
  private budget: NodeBudget = { rateKbps: null, dailyMegabytes: null };
  readonly transfers: NodeTransfers;
  private readonly auditShipper: NodeAuditShipper;
  uploadsDirectory: string;

  constructor(
    private readonly dataSource: DataSource,
    private readonly options: NodeSyncOptions,
  ) {
    this.uploadsDirectory = options.uploadsDirectory ?? '';
    const link: HubLink = { json: (method, path, body) => this.call(method, path, body), raw: (method, path, body, headers) => this.callRaw(method, path, body, headers) };
    this.transfers = new NodeTransfers(dataSource, link, () => this.uploadsDirectory);
    this.auditShipper = new NodeAuditShipper(dataSource, (batch) => this.call('POST', '/api/sync/audit', batch), options.maxBatchBytes);
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.waiter?.abort();
    await this.running;
  }

  /**
   * Runs a round now (after a local write). If one is running, another follows it at once: the running round may
   * already be past its push, and the write would otherwise wait for the next change at the hub or the idle round.
   */
  kick(): void {
    if (this.stopped || this.state === 'revoked') return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.waiter?.abort();
    this.waiter = null;
    this.schedule(0);
  }

  /**
   * Live events: between rounds the node holds a long poll to the hub, which answers as soon as something for this
   * facility can be pulled (a doctor's answer or message), so it arrives within seconds. If the long poll fails
   * (an old hub, a proxy that cuts idle requests), the loop falls back to polling every interval.
   */
  private listen(): void {
    if (this.stopped) return;
    const ctl = new AbortController();
    this.waiter = ctl;
    const wake = (ms: number) => {
      if (this.waiter !== ctl) return;
      this.waiter = null;
      this.schedule(ms);
    };
    void (async () => {
      const cursor = await this.get('cursor');
      if (!cursor || this.options.longPollMs === 0) return wake(this.options.intervalMs);
      const longPoll = this.options.longPollMs ?? 25_000;
      // A cut link never answers: give up a little after the hub would have, and fall back to polling.
      const signal = AbortSignal.any([ctl.signal, AbortSignal.timeout(longPoll + 10_000)]);
      const { changed } = await this.call<{ changed: boolean }>('GET', `/api/sync/wait?cursor=${encodeURIComponent(cursor)}&timeoutMs=${longPoll}`, undefined, true, signal);
      // Nothing changed at the hub and nothing was written here (a write aborts the wait): wait again, without a round
      // (a round costs a pull and its headers on a link billed by the byte). A round still runs every IDLE_ROUND_MS,
      // which ships the audit of reads and sign-ins made meanwhile.
      if (!changed && this.waiter === ctl && Date.now() - (this.lastSyncAt?.getTime() ?? 0) < IDLE_ROUND_MS) {
        this.markConnected(false);
        this.waiter = null;
        return this.listen();
      }
      wake(0);
    })().catch(() => wake(this.options.intervalMs));
  }

  private schedule(ms: number) {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.running = this.round().finally(() => (this.running = null));
    }, ms);
  }

  private async round(): Promise<void> {
    this.again = false;
    try {
      if (!(await this.get('credential')) || !(await this.get('node_id'))) await this.enrol();
      await this.pushAll();
      await this.pullAll();
      this.markConnected();
      await this.auditShipper.shipAll();
      await this.transfers.run(this.budget, Date.now() + (this.options.transferSliceMs ?? 30_000));
      this.failures = 0;
      this.markConnected();
      if (this.transfers.more || this.again) this.schedule(0);
      else this.listen();
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

  /** The hub answered; `synced`: a whole round ran (the status bar's "last sync"). */
  private markConnected(synced = true) {
    this.state = 'connected';
    this.offlineSince = null;
    if (synced) this.lastSyncAt = new Date();
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

  /**
   * Pulls until the hub has nothing more. A first pull, or one from a cursor older than the hub's pruned change log
   * (a node restored from an old backup), pages through a snapshot of the facility's data: each page is applied with
   * its cursor, so a cut resumes from the last page applied; after the last page, rows no page carried are dropped.
   */
  private async pullAll(): Promise<void> {
    for (;;) {
      const cursor = await this.get('cursor');
      const page = await this.call<PullResponse>('GET', `/api/sync/pull${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`);
      this.notices = [];
      if (page.snapshot?.restart && cursor && !cursor.startsWith('s:')) {
        this.logger.warn("the hub's change log no longer reaches back to this node's position: taking a fresh copy of the facility's data");
      }
      await this.dataSource.transaction(async (m) => {
        // Replica mode: no outbox echo, no checks of references to rows this node does not hold.
        await m.query(`SET LOCAL session_replication_role = replica`);
        if (page.snapshot?.restart) {
          await m.query('DELETE FROM node_snapshot_seen');
          await this.set('snapshot_started', new Date().toISOString(), m);
        }
        for (const change of page.changes) await this.applyChange(m, change);
        if (page.snapshot) {
          await m.query(
            `INSERT INTO node_snapshot_seen (table_name, record_id) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING`,
            [page.changes.map((c) => c.table), page.changes.map((c) => c.id)],
          );
          if (page.snapshot.done) await this.dropUnseen(m);
        }
        // Replica mode fires no trigger, so neither does the one telling the principal cache that a user, membership,
        // session or certification changed: say it here, or a certificate withdrawn on the hub would still count on
        // this node until the cache entry ages out.
        if (page.changes.some((c) => CALLER_TABLES.has(c.table))) await m.query('SELECT pg_notify($1, $2)', [PRINCIPAL_CHANNEL, EVERYONE]);
        await this.set('cursor', page.cursor, m);
      });
      if (page.budget) this.budget = page.budget;
      if (this.notices.length && this.notify) await this.notify(this.notices).catch((e) => this.logger.warn(`could not raise local notifications: ${e}`));
      if (!page.more) return;
    }
  }

  /**
   * After a snapshot's last page: rows of the hub's tables that no page carried have left the facility's scope on the
   * hub (a member who left, a patient transferred) while this node was not reading the log. Work of this node not
   * yet on the hub (pending or refused operations, operations acknowledged since the snapshot began, its own
   * transitions and files) is kept.
   */
  private async dropUnseen(m: EntityManager): Promise<void> {
    const since = (await this.get('snapshot_started', m)) ?? new Date().toISOString();
    const keyOf: Record<string, string> = { specialties: 't.code', facility_missions: "t.facility_id::text || ':' || t.mission_id::text" };
    const ownWork = `NOT EXISTS (SELECT 1 FROM node_outbox o WHERE o.record_id::text = t.id::text AND (o.status IN ('pending', 'refused') OR o.acknowledged_at >= $2))`;
    const keep: Record<string, string> = {
      patients: ownWork,
      referral_cases: ownWork,
      case_messages: ownWork,
      case_transitions: `t.id < ${LOCAL_TRANSITION_BASE}`,
      case_attachments: `NOT EXISTS (SELECT 1 FROM node_transfers x WHERE x.attachment_id = t.id AND x.direction = 'up')`,
    };
    for (const table of [...PULLED_TABLES].reverse()) {
      const key = keyOf[table] ?? 't.id::text';
      const removed = await m.query(
        `DELETE FROM ${table} t WHERE NOT EXISTS (SELECT 1 FROM node_snapshot_seen s WHERE s.table_name = $1 AND s.record_id = ${key})
            AND ${keep[table] ?? 'true'} AND $2::timestamptz IS NOT NULL`,
        [table, since],
      );
      const count = Array.isArray(removed) ? Number(removed[1] ?? 0) : 0;
      if (count) this.logger.log(`${count} ${table} row(s) no longer in this facility's scope on the hub were removed`);
    }
    await m.query('DELETE FROM node_snapshot_seen');
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
    if (table === 'case_attachments') return this.applyAttachment(m, change.id, row);
    await this.noticeOf(m, table, row);
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

  /** Notices for the clinic: a case moved by the doctor, or a new message from someone not of this clinic. */
  private async noticeOf(m: EntityManager, table: string, row: Record<string, unknown>): Promise<void> {
    if (table === 'referral_cases') {
      const to = String(row.status);
      if (!['accepted', 'answered', 'information_requested'].includes(to)) return;
      const [local] = await m.query('SELECT status FROM referral_cases WHERE id = $1', [row.id]);
      if (local && local.status !== to && row.requested_by_id) {
        this.notices.push({ userIds: [String(row.requested_by_id)], caseId: String(row.id), kind: `case.${to}` as LocalNotice['kind'] });
      }
    } else if (table === 'case_messages' && row.kind === 'message') {
      const [known] = await m.query('SELECT 1 FROM case_messages WHERE id = $1', [row.id]);
      if (known) return;
      const [c] = await m.query(
        `SELECT c.requested_by_id FROM referral_cases c WHERE c.id = $1
            AND NOT EXISTS (SELECT 1 FROM memberships mb WHERE mb.user_id = $2 AND mb.facility_id = c.facility_id)`,
        [row.case_id, row.author_id],
      );
      if (c?.requested_by_id) this.notices.push({ userIds: [c.requested_by_id], caseId: String(row.case_id), kind: 'case.message' });
    }
  }

  /**
   * A file's record from the hub. One this node sent keeps its own (the hub's says "uploading" until the last
   * byte); one added on the hub is held as arriving until its bytes are here, and queued for download.
   */
  private async applyAttachment(m: EntityManager, id: string, row: Record<string, unknown> | null): Promise<void> {
    const [t] = await m.query('SELECT direction FROM node_transfers WHERE attachment_id = $1', [id]);
    if (t?.direction === 'up') return;
    if (!row) {
      await m.query('DELETE FROM case_attachments WHERE id = $1', [id]);
      await m.query('DELETE FROM node_transfers WHERE attachment_id = $1', [id]);
      return;
    }
    const [local] = await m.query('SELECT status FROM case_attachments WHERE id = $1', [id]);
    const here = existsSync(join(this.uploadsDirectory, String(row.upload_id)));
    const copy = { ...row };
    if (row.status === 'ready' && !(here && local?.status === 'ready')) {
      copy.status = 'uploading';
      copy.received_bytes = 0;
      await m.query(`INSERT INTO node_transfers (attachment_id, direction) VALUES ($1, 'down') ON CONFLICT (attachment_id) DO NOTHING`, [id]);
    } else if (row.status !== 'ready') {
      copy.received_bytes = null;
    }
    const known = await this.columnsOf(m, 'case_attachments');
    const cols = Object.keys(copy).filter((c) => known.has(c));
    const list = cols.map((c) => `"${c}"`).join(', ');
    const updates = cols.filter((c) => c !== 'id' && (c !== 'received_bytes' || copy.status !== 'uploading')).map((c) => `"${c}" = EXCLUDED."${c}"`);
    await m.query(
      `INSERT INTO case_attachments (${list}) SELECT ${list} FROM jsonb_populate_record(NULL::case_attachments, $1) ON CONFLICT (id) DO UPDATE SET ${updates.join(', ')}`,
      [copy],
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
    const files = await this.transfers.waiting();
    const current = this.transfers.current;
    const waiting = n === 1 ? '1 change waiting' : `${n} changes waiting`;
    const moving = current ? ` · ${current.direction === 'up' ? 'photo' : 'file from the hub'} ${current.index} of ${current.total}, ${current.percent} %` : files.up ? ` · ${files.up} file${files.up === 1 ? '' : 's'} to send` : '';
    const message = {
      connected: `Connected to hub · ${n || files.up ? waiting : 'everything sent'}${moving}${this.transfers.volumeExhaustedOn ? " · today's volume for files is used up; they continue tomorrow" : ''}`,
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
      files: { ...files, current, volumeExhaustedOn: this.transfers.volumeExhaustedOn },
    };
  }

  // ---- plumbing -----------------------------------------------------------------------------------------------

  private async call<T>(method: 'GET' | 'POST', path: string, body?: unknown, authenticated = true, abort?: AbortSignal): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    let payload: string | Buffer | undefined;
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      payload = JSON.stringify(body);
      // JSON batches shrink four- to tenfold: on a satellite link that is most of the time a push takes.
      if (payload.length > 1024) {
        payload = gzipSync(payload);
        headers['Content-Encoding'] = 'gzip';
      }
    }
    if (authenticated) headers.Authorization = `Node ${await this.get('credential')}`;
    const res = await fetch(`${this.options.hubUrl}${path}`, {
      method,
      headers,
      body: payload,
      signal: abort ? AbortSignal.any([abort, AbortSignal.timeout(this.options.requestTimeoutMs ?? 120_000)]) : AbortSignal.timeout(this.options.requestTimeoutMs ?? 120_000),
    });
    const text = await res.text();
    const json = text ? JSON.parse(text) : undefined;
    if (!res.ok) throw new HubError(res.status, json?.code, `hub answered ${res.status} ${json?.code ?? ''}: ${json?.message ?? text.slice(0, 200)}`);
    return json as T;
  }

  private async callRaw(method: 'PATCH' | 'PUT' | 'GET', path: string, body?: Buffer, headers: Record<string, string> = {}): Promise<Response> {
    const res = await fetch(`${this.options.hubUrl}${path}`, {
      method,
      headers: { ...headers, Authorization: `Node ${await this.get('credential')}` },
      body,
      signal: AbortSignal.timeout(this.options.requestTimeoutMs ?? 120_000),
    });
    if (!res.ok) {
      const text = await res.text();
      let json: { code?: string; message?: string } | undefined;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      throw new HubError(res.status, json?.code, `hub answered ${res.status} ${json?.code ?? ''}: ${json?.message ?? text.slice(0, 200)}`);
    }
    return res;
  }

  private async get(key: string, m: EntityManager = this.dataSource.manager): Promise<string | undefined> {
    const [row] = await m.query('SELECT value FROM node_state WHERE key = $1', [key]);
    return row?.value;
  }

  private async set(key: string, value: string, m: EntityManager = this.dataSource.manager): Promise<void> {
    await m.query(
      `INSERT INTO node_state (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
      [key, value],
    );
  }
}
