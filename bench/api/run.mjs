#!/usr/bin/env node
// API benchmark: the hub's authenticated, mission-scoped user list against a bare node:http + pg endpoint that
// runs the very same SQL for the same scope, measured in the same run. Prints requests/s, p50, p95 and the ratios.
//
//   npm run build:hub && node bench/api/run.mjs
//   BENCH_USERS=5000 BENCH_SECONDS=10 BENCH_CONNECTIONS=10 BENCH_DATABASE_URL=postgres://... node bench/api/run.mjs
import { createServer } from 'node:http';
import pg from 'pg';
import { benchDatabase, hubModule, log, measure, report, run, signIn, startHub } from '../lib.mjs';

const USERS = Number(process.env.BENCH_USERS ?? 5000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const say = log('api');

run(async (cleanups) => {
  const { freePort } = hubModule('libs/database/src');
  const { usersListQuery } = hubModule('libs/identity/src');
  const url = await benchDatabase(cleanups, say);
  const { ds, base } = await startHub(url, cleanups);
  say(`seeding ${USERS} users`);
  await ds.query(
    `WITH m AS (SELECT id, row_number() OVER (ORDER BY code) - 1 AS k FROM missions),
          u AS (INSERT INTO users (email, display_name, password_hash)
                SELECT 'user' || g || '@bench.demo', 'Bench User ' || lpad(g::text, 6, '0'), 'x'
                  FROM generate_series(1, $1) g RETURNING id, display_name)
     INSERT INTO memberships (user_id, role, mission_id)
     SELECT u.id, 'trainer', m.id FROM u JOIN m ON m.k = (substring(u.display_name from '\\d+$')::int % 2)`,
    [USERS],
  );
  await ds.query('ANALYZE');

  // MINUSCA's mission administrator (enrolling TOTP, as administrators must).
  const session = await signIn(base, 'admin@minusca.demo');
  const minusca = session.user.memberships[0].missionId;

  // The baseline: the same SQL for the same scope, straight from a pg pool, no framework, no auth.
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  cleanups.unshift(() => pool.end());
  const query = usersListQuery({ kind: 'missions', missionIds: [minusca] });
  const baseline = createServer(async (_req, res) => {
    try {
      const { rows } = await pool.query(query.text, query.params);
      const body = JSON.stringify(
        rows.map((r) => ({
          id: r.id, email: r.email, displayName: r.display_name, active: r.active, mfaEnabled: r.mfa_enabled,
          specialties: r.specialties, memberships: r.memberships.map(({ missionIds, ...m }) => m),
        })),
      );
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(body);
    } catch (e) {
      res.writeHead(500).end(String(e));
    }
  });
  const basePort = await freePort();
  await new Promise((r) => baseline.listen(basePort, '127.0.0.1', r));
  cleanups.unshift(() => new Promise((r) => baseline.close(r)));

  const headers = { Authorization: `Bearer ${session.accessToken}` };
  const hubUrl = `${base}/api/users`;
  const baseUrl = `http://127.0.0.1:${basePort}/`;
  const hubRows = await (await fetch(hubUrl, { headers })).json();
  const baseRows = await (await fetch(baseUrl)).json();
  const ids = (rows) => rows.map((r) => r.id).sort().join(',');
  if (!hubRows.length || ids(hubRows) !== ids(baseRows)) throw new Error(`hub and baseline disagree: ${hubRows.length} vs ${baseRows.length} rows`);
  say(`both endpoints answer the same ${hubRows.length} rows; ${CONNECTIONS} connections, ${SECONDS} s each`);

  const b = await measure('baseline (node:http + pg)', { url: baseUrl }, SECONDS, CONNECTIONS);
  const h = await measure('hub GET /api/users (JWT, guard, CASL, scope)', { url: hubUrl, headers }, SECONDS, CONNECTIONS);
  const file = report(
    `API benchmark: ${hubRows.length} rows per response (${USERS} extra users), ${CONNECTIONS} connections, ${SECONDS} s`,
    [b, h],
    { throughput: h.rps / b.rps, p95: h.p95 / b.p95 },
    'api',
    { users: USERS },
  );
  say('results written to', file);
});
