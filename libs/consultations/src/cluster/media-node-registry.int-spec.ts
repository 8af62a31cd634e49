import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { loadConfig } from '@hub/config';
import { createTestDatabase, TestDatabase } from '@hub/testing';
import { MediaNodeRegistry } from './media-node-registry';

/**
 * The media-node registry on a real PostgreSQL: liveness (fresh heartbeat and an open connection), placement by
 * load, placements kept while their node lives and moved when it dies, two instances placing at once agreeing, and
 * the `down` event when a node's connection closes (what a SIGKILL does).
 */
describe('MediaNodeRegistry', () => {
  let db: TestDatabase;
  const registries: MediaNodeRegistry[] = [];
  const clients: Client[] = [];
  let missionId: string;
  let hostId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    [{ id: missionId }] = await db.dataSource.query(`INSERT INTO missions (code, name) VALUES ('REGTEST', 'Registry test') RETURNING id`);
    [{ id: hostId }] = await db.dataSource.query(`INSERT INTO users (email, display_name, password_hash) VALUES ('host@registry.test', 'Host', 'x') RETURNING id`);
  });

  afterAll(async () => {
    for (const r of registries) await r.onApplicationShutdown();
    for (const c of clients) await c.end().catch(() => undefined);
    await db?.drop();
  });

  const registry = () => {
    const r = new MediaNodeRegistry(db.dataSource, loadConfig({ NODE_ENV: 'test', MEDIA_NODE_TTL_SECONDS: '2' }));
    registries.push(r);
    return r;
  };

  const session = async (): Promise<string> =>
    (await db.dataSource.query(`INSERT INTO consultation_sessions (mission_id, host_id, created_by_id) VALUES ($1, $2, $2) RETURNING id`, [missionId, hostId]))[0].id;

  /** A node row held live by a connection of our own (closing it is the node's death). */
  async function fakeNode(load: number): Promise<{ id: string; client: Client }> {
    const client = new Client({ connectionString: db.url });
    await client.connect();
    clients.push(client);
    const [{ pid }] = (await client.query('SELECT pg_backend_pid() AS pid')).rows;
    const id = randomUUID();
    await db.dataSource.query(`INSERT INTO media_nodes (id, rpc_url, workers, load, backend_pid, started_at) VALUES ($1, 'http://127.0.0.1:1', 1, $2, $3, now() - interval '1 hour')`, [id, load, pid]);
    return { id, client };
  }

  it('places by load, keeps a placement while its node lives, moves it when the node dies, and says so', async () => {
    const a = registry();
    const b = registry();
    await a.register('http://127.0.0.1:10001', 2, () => 3);
    await b.register('http://127.0.0.1:10002', 2, () => 1);
    expect((await a.liveNodes()).map((n) => n.id).sort()).toEqual([a.id, b.id].sort());

    // the least loaded live node takes a new call, whoever asks
    const s1 = await session();
    expect(await a.place(s1)).toBe(b.id);
    // loads change: the call stays where it is while that node lives
    await db.dataSource.query(`UPDATE media_nodes SET load = 50 WHERE id = $1`, [b.id]);
    expect(await a.place(s1)).toBe(b.id);

    // a node that dies (its connection closes) loses its calls to a live node, and watchers hear `down`
    const dying = await fakeNode(0);
    const s2 = await session();
    expect(await b.place(s2)).toBe(dying.id); // least loaded
    const downs: string[] = [];
    a.on('down', (id) => downs.push(id));
    a.start();
    await waitFor(async () => (await a.liveNodes()).some((n) => n.id === dying.id), 'the watcher to see the node live');
    await new Promise((r) => setTimeout(r, 700)); // at least one tick with it in the live set
    await dying.client.end();
    await waitFor(() => downs.includes(dying.id), '`down` of the dead node');
    expect(await b.isLive(dying.id)).toBe(false);
    expect(await b.place(s2)).toBe(a.id); // load 3 < 50
    expect(await b.placementOf(s2)).toBe(a.id);
  });

  it('treats a node with an open connection but a stale heartbeat as dead', async () => {
    const r = registry();
    const stale = await fakeNode(0);
    expect(await r.isLive(stale.id)).toBe(true);
    await db.dataSource.query(`UPDATE media_nodes SET heartbeat_at = now() - interval '10 seconds' WHERE id = $1`, [stale.id]);
    expect(await r.isLive(stale.id)).toBe(false);
  });

  it('two instances placing the same new call at once agree on one node', async () => {
    const [a, b] = registries;
    for (let i = 0; i < 5; i++) {
      const s = await session();
      const [x, y] = await Promise.all([a.place(s), b.place(s)]);
      expect(x).toBe(y);
      expect(await a.placementOf(s)).toBe(x);
    }
  });

  it('has no node to offer when none is live', async () => {
    const lonely = new MediaNodeRegistry(db.dataSource, loadConfig({ NODE_ENV: 'test' }));
    await db.dataSource.query(`DELETE FROM media_nodes`);
    expect(await lonely.place(await session())).toBeNull();
  });
});

async function waitFor(check: () => boolean | Promise<boolean>, what: string, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}
