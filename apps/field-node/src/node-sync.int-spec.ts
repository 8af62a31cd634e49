import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { gunzipSync } from 'node:zlib';
import type { EnrolRequest, EnrolResponse, NodeAuditBatch, NodeAuditReceipt, PulledChange, PullResponse, PushRequest, PushResponse, SyncOperation } from '@hub/contracts';
import { freePort } from '@hub/database';
import { createTestDatabase, TestDatabase, waitFor } from '@hub/testing';
import { NodeOutbox1795940000000 } from './migrations/1795940000000-NodeOutbox';
import { NodeTransfers1795950320000 } from './migrations/1795950320000-NodeTransfers';
import { NodeSnapshotPaging1795954410000 } from './migrations/1795954410000-NodeSnapshotPaging';
import { NodeSync } from './node-sync';
import { seedClinic } from '../test/test-clinic';

/**
 * The node's sync loop on a real node database against a stand-in hub: a write made while a round runs, after that
 * round's push (the round held in its pull), is pushed by a round right after it, not after the long poll (60 s
 * here) and the idle round; and a write made while the node waits in its long poll cuts the wait short and is
 * pushed at once.
 */
describe('node sync loop (NodeSync against a stand-in hub)', () => {
  const LONG_POLL_MS = 60_000;
  let db: TestDatabase;
  let hub: StandInHub;
  let sync: NodeSync;
  let ids: { mission: string; facility: string; officer: string };

  beforeAll(async () => {
    db = await createTestDatabase();
    const q = db.dataSource.query.bind(db.dataSource);
    ids = await seedClinic(db.dataSource);
    // The node's own migrations on top of the hub's, in the order main.ts runs them (NODE_MIGRATIONS).
    const runner = db.dataSource.createQueryRunner();
    for (const migration of [new NodeOutbox1795940000000(), new NodeTransfers1795950320000(), new NodeSnapshotPaging1795954410000()]) await migration.up(runner);
    await runner.release();
    // What the hub's snapshot of the facility carries: the rows above and the specialties (their key is the code),
    // so its last page keeps them on the node.
    const facilityRows: PulledChange[] = [];
    for (const [table, id] of [['missions', ids.mission], ['facilities', ids.facility], ['users', ids.officer]] as const) {
      const [{ row }] = await q(`SELECT to_jsonb(t) AS row FROM ${table} t WHERE id = $1`, [id]);
      facilityRows.push({ table, id, row });
    }
    for (const { code, row } of await q(`SELECT code, to_jsonb(t) AS row FROM specialties t ORDER BY code`)) facilityRows.push({ table: 'specialties', id: code, row });
    hub = await startStandInHub({ code: 'ENROL-CODE', enrolled: { nodeId: '00000000-0000-4000-8000-00000000000a', missionId: ids.mission, facilityId: ids.facility, facilityName: 'Test clinic' }, facilityRows });
    sync = new NodeSync(db.dataSource, { hubUrl: hub.url, enrolmentCode: 'ENROL-CODE', version: 'test', intervalMs: 100, maxBackoffMs: 1000, longPollMs: LONG_POLL_MS });
    sync.start();
    // The first round: enrolment, the snapshot, then the long poll.
    await waitFor(() => hub.waits.size === 1, 30_000, 'the first round and its long poll', 20);
  });
  afterAll(async () => {
    await sync?.stop();
    await hub?.close();
    await db?.drop();
  });

  const insertPatient = async (sn: string): Promise<string> => {
    const [p] = await db.dataSource.query(
      `INSERT INTO patients (mission_id, service_number, first_name, last_name, date_of_birth, sex, nationality, contingent, current_facility_id, created_by_id)
       VALUES ($1, $2, 'A', 'B', '1990-01-01', 'male', 'CAF', 'X', $3, $4) RETURNING id`,
      [ids.mission, sn, ids.facility, ids.officer],
    );
    return p.id;
  };
  const pushedAtHub = (recordId: string) => hub.pushed.some((op) => op.recordId === recordId);
  const outboxStatus = async (recordId: string) => (await db.dataSource.query(`SELECT status FROM node_outbox WHERE record_id = $1`, [recordId])).map((r: { status: string }) => r.status);

  it('enrolled and took the snapshot in the first round', async () => {
    expect(hub.enrolments).toBe(1);
    expect(await db.dataSource.query(`SELECT key, value FROM node_state WHERE key IN ('node_id', 'facility_id') ORDER BY key`)).toEqual([
      { key: 'facility_id', value: ids.facility },
      { key: 'node_id', value: '00000000-0000-4000-8000-00000000000a' },
    ]);
    // the seeded rows came in the snapshot, so its last page kept them
    expect(await db.dataSource.query(`SELECT 1 FROM users WHERE id = $1`, [ids.officer])).toHaveLength(1);
  });

  it('pushes a write made during a round, after its push, in a round right after it (not after the long poll)', async () => {
    const hold = hub.holdNextPull();
    let second: string;
    try {
      const first = await insertPatient('SN-FIRST');
      sync.kick();
      // The round pushed the first write and is now held in its pull: past its push.
      await hold.arrived;
      expect(pushedAtHub(first)).toBe(true);
      second = await insertPatient('SN-SECOND');
      sync.kick();
      expect(pushedAtHub(second)).toBe(false);
    } finally {
      hold.release(); // also when an expectation failed: the held round would keep stop() waiting
    }
    // Well under the long poll: without a round right after this one, the write would wait for a change at the hub
    // or the idle round (5 minutes), the long poll answering "nothing changed" every LONG_POLL_MS meanwhile.
    await waitFor(() => pushedAtHub(second), 5_000, 'the write made during the round at the hub', 20);
    await waitFor(async () => (await outboxStatus(second)).join() === 'applied', 2_000, 'the acknowledgement in the outbox', 20);
    expect(hub.pushed.map((op) => op.row.service_number)).toEqual(['SN-FIRST', 'SN-SECOND']);
  });

  it('pushes a write made while the node waits in its long poll at once, cutting the wait short', async () => {
    // After the round above, the node waits in its long poll again.
    await waitFor(() => hub.waits.size === 1, 5_000, 'the long poll', 20);
    const cut = hub.cutWaits;
    const id = await insertPatient('SN-IDLE');
    sync.kick();
    await waitFor(() => pushedAtHub(id), 5_000, 'the write made while idle at the hub', 20);
    await waitFor(() => hub.cutWaits === cut + 1, 2_000, 'the node to cut its long poll', 20);
    // no long poll ran to its end: each was cut by a write
    expect(hub.answeredWaits).toBe(0);
  });
});

interface StandInHub {
  url: string;
  /** Every operation pushed, in order. */
  pushed: SyncOperation[];
  enrolments: number;
  /** Long polls open now; ones the node cut (closed before the answer); ones answered at their timeout. */
  waits: Set<ServerResponse>;
  cutWaits: number;
  answeredWaits: number;
  /** The next pull is held until `release()`; `arrived` resolves when it comes. */
  holdNextPull(): { arrived: Promise<void>; release(): void };
  close(): Promise<void>;
}

/**
 * The hub's side of the sync API as NodeSync uses it (libs/sync/src: SyncController, FieldNodesController), on a
 * free port: enrolment with the code, then calls authenticated with the node's credential; push acknowledges each
 * operation once (a repeated op id is a duplicate); a first pull is a one-page snapshot of the facility (its last
 * page carries `done` and the log cursor, with `more`), a pull from the log with nothing new answers the same cursor;
 * the long poll answers `{changed: false}` at its timeout (nothing changes on this hub); audit shipping answers the
 * chains' heads. With no file to transfer, NodeTransfers.run calls nothing.
 */
async function startStandInHub(options: { code: string; enrolled: EnrolResponse; facilityRows: PulledChange[] }): Promise<StandInHub> {
  const port = await freePort();
  const budget = { rateKbps: null, dailyMegabytes: null };
  const LOG_CURSOR = '1000:0';
  let credential: string | null = null;
  const applied = new Set<string>();
  let hold: { arrive: () => void; released: Promise<void> } | null = null;

  const readJson = async <T>(req: IncomingMessage): Promise<T> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    return JSON.parse((req.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body).toString('utf8'));
  };
  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  const state: StandInHub = {
    url: `http://127.0.0.1:${port}`,
    pushed: [],
    enrolments: 0,
    waits: new Set(),
    cutWaits: 0,
    answeredWaits: 0,
    holdNextPull() {
      let arrive!: () => void;
      let release!: () => void;
      const arrived = new Promise<void>((r) => (arrive = r));
      hold = { arrive, released: new Promise<void>((r) => (release = r)) };
      return { arrived, release };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', state.url);
    const route = `${req.method} ${url.pathname}`;
    if (route === 'POST /api/sync/enrol') {
      const body = await readJson<EnrolRequest>(req);
      if (body.code !== options.code) return send(res, 403, { code: 'FORBIDDEN', message: 'unknown enrolment code' });
      credential = body.credential;
      state.enrolments++;
      return send(res, 200, options.enrolled);
    }
    if (!credential || req.headers.authorization !== `Node ${credential}`) return send(res, 401, { code: 'UNAUTHENTICATED', message: 'not a node of this hub' });
    if (route === 'POST /api/sync/push') {
      const { operations } = await readJson<PushRequest>(req);
      const results: PushResponse['results'] = operations.map((op) => {
        if (applied.has(op.opId)) return { opId: op.opId, result: 'duplicate' };
        applied.add(op.opId);
        state.pushed.push(op);
        return { opId: op.opId, result: 'applied' };
      });
      return send(res, 200, { results } satisfies PushResponse);
    }
    if (route === 'GET /api/sync/pull') {
      const held = hold;
      hold = null;
      if (held) {
        held.arrive();
        await held.released;
      }
      const cursor = url.searchParams.get('cursor');
      const page: PullResponse = cursor
        ? { changes: [], cursor, more: false, budget }
        : { changes: options.facilityRows, cursor: LOG_CURSOR, more: true, snapshot: { restart: true, done: true }, budget };
      return send(res, 200, page);
    }
    if (route === 'GET /api/sync/wait') {
      const timeoutMs = Number(url.searchParams.get('timeoutMs') ?? 25_000);
      state.waits.add(res);
      const timer = setTimeout(() => {
        state.waits.delete(res);
        state.answeredWaits++;
        send(res, 200, { changed: false });
      }, timeoutMs);
      res.on('close', () => {
        clearTimeout(timer);
        if (state.waits.delete(res)) state.cutWaits++;
      });
      return;
    }
    if (route === 'POST /api/sync/audit') {
      const { records } = await readJson<NodeAuditBatch>(req);
      const heads = new Map(records.map((r) => [r.chain, r.seq]));
      return send(res, 200, { heads: [...heads].map(([chain, seq]) => ({ chain, seq })) } satisfies NodeAuditReceipt);
    }
    send(res, 404, { code: 'NOT_FOUND', message: `${route} is not part of the stand-in hub` });
  };
  const server = createServer((req, res) => void handle(req, res).catch((e) => send(res, 500, { code: 'INTERNAL', message: String(e) })));
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return state;
}
