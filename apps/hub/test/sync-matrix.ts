import type { TestHub } from '@hub/testing';
import { all, MISSION, only, Row, Target } from './matrix-kit';

/**
 * Authorization matrix rows of the field-node routes (spread into authorization-matrix.e2e-spec.ts). Registering,
 * listing and revoking nodes is for the facility's mission administrators (and system administrators); the sync
 * routes take a node credential, never a user's token; enrolment takes the one-time code.
 */
const CLINIC: Record<Target, string> = { own: 'Bangui Level 1 Clinic (BANBAT)', other: 'Juba Level 1 Clinic (RWANBAT)' };
const admins = (ok: number): [number, number] => [ok, 404];

let unique = 0;
const NO_ID = '00000000-0000-4000-8000-000000000000';
async function freshNode(hub: TestHub, t: Target): Promise<string> {
  const [n] = await hub.db.dataSource.query(
    `INSERT INTO field_nodes (mission_id, facility_id, name) VALUES ($1, $2, $3) RETURNING id`,
    [hub.ids.missions[MISSION[t]], hub.ids.facilities[CLINIC[t]], `Matrix node ${unique++}`],
  );
  return n.id;
}

export const SYNC_MATRIX: Record<string, Row> = {
  'POST /api/sync/nodes': {
    build: (hub, t) => ({ path: '/api/sync/nodes', body: { facilityId: hub.ids.facilities[CLINIC[t]], name: `Node ${unique++}` } }),
    anon: 401,
    expect: only([403, 403], { admin: admins(201), sysadmin: [201, 201] }),
  },
  'GET /api/sync/nodes': { build: () => ({ path: '/api/sync/nodes' }), anon: 401, expect: only([403, 403], { admin: [200, 200], sysadmin: [200, 200] }) },
  'POST /api/sync/nodes/:id/revoke': {
    build: async (hub, t) => ({ path: `/api/sync/nodes/${await freshNode(hub, t)}/revoke` }),
    anon: 401,
    expect: only([403, 403], { admin: admins(200), sysadmin: [200, 200] }),
  },
  // Public: the one-time code is the credential; an unknown code is refused whoever asks.
  'POST /api/sync/enrol': {
    build: () => ({ path: '/api/sync/enrol', body: { code: 'NOT-A-REAL-CODE', credential: 'x'.repeat(43), version: 'matrix' } }),
    anon: 401,
    expect: all(401),
  },
  // Node routes: a user's bearer token is no node credential.
  'POST /api/sync/push': { build: () => ({ path: '/api/sync/push', body: { operations: [], backlog: 0, version: 'matrix' } }), anon: 401, expect: all(401) },
  'GET /api/sync/pull': { build: () => ({ path: '/api/sync/pull' }), anon: 401, expect: all(401) },
  'GET /api/sync/wait': { build: () => ({ path: '/api/sync/wait?cursor=0:0&timeoutMs=0' }), anon: 401, expect: all(401) },
  'POST /api/sync/audit': { build: () => ({ path: '/api/sync/audit', body: { records: [] } }), anon: 401, expect: all(401) },
  'POST /api/sync/attachments': { build: () => ({ path: '/api/sync/attachments', body: {} }), anon: 401, expect: all(401) },
  'POST /api/sync/attachments/offers': { build: () => ({ path: '/api/sync/attachments/offers', body: { offers: [] } }), anon: 401, expect: all(401) },
  'GET /api/sync/attachments/:id': { build: () => ({ path: `/api/sync/attachments/${NO_ID}` }), anon: 401, expect: all(401) },
  'PATCH /api/sync/attachments/:id': { build: () => ({ path: `/api/sync/attachments/${NO_ID}` }), anon: 401, expect: all(401) },
  'PUT /api/sync/attachments/:id/thumbnail': { build: () => ({ path: `/api/sync/attachments/${NO_ID}/thumbnail` }), anon: 401, expect: all(401) },
  'GET /api/sync/attachments/:id/content': { build: () => ({ path: `/api/sync/attachments/${NO_ID}/content` }), anon: 401, expect: all(401) },
  // The bandwidth budget of a mission's nodes: its mission administrators (and system administrators).
  'GET /api/sync/budgets/:id': {
    build: (hub, t) => ({ path: `/api/sync/budgets/${hub.ids.missions[MISSION[t]]}` }),
    anon: 401,
    expect: only([403, 403], { admin: [200, 404], sysadmin: [200, 200] }),
  },
  'PUT /api/sync/budgets/:id': {
    build: (hub, t) => ({ path: `/api/sync/budgets/${hub.ids.missions[MISSION[t]]}`, body: { rateKbps: 256, dailyMegabytes: 200 } }),
    anon: 401,
    expect: only([403, 403], { admin: [200, 404], sysadmin: [200, 200] }),
  },
};

