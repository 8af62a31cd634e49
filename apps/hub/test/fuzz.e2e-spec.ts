import { io, Socket } from 'socket.io-client';
import { CONSULTATION_NAMESPACE } from '@hub/contracts';
import { freePort, nestedConnectionAcquisitions } from '@hub/database';
import { bearer, createTestHub, TestHub } from '@hub/testing';
import { SIGNALLING_EVENTS } from '../../../libs/consultations/src/signalling/signalling-policy';
import { caseBody, PATIENT } from './fixtures';

/**
 * OpenAPI-driven fuzzing (issue 12, finding 5): every operation of /api/docs-json, every body field, hostile values
 * (wrong types, null, NUL, lone surrogates, huge and deep values, exotic dates), sampled per field rather than a full
 * product so the run stays short; then the same for every socket event. No answer may be a 5xx.
 */

interface Schema {
  type?: string;
  $ref?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  format?: string;
  enum?: unknown[];
  allOf?: Schema[];
}
interface Operation {
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  parameters?: { name: string; in: string; schema?: Schema }[];
}

const deep = (n: number): unknown => (n === 0 ? 'x' : { a: deep(n - 1) });
/** Hostile values; each field gets a deterministic sample of them. */
const HOSTILE: unknown[] = [
  null,
  'a\u0000b',
  '\ud800',
  'x'.repeat(100_000),
  deep(20),
  [[]],
  [],
  {},
  -1e308,
  1.5,
  true,
  '2026-W01-1',
  '+275760-09-13T00:00:00.000Z',
  '0000-00-00',
  '2026-02-30T25:61:00Z',
  'WyJ4IiwieSJd',
  '00000000-0000-0000-0000-000000000000',
  ['a\u0000b'],
  [null],
  { $gt: '' },
];

/** A small deterministic generator, so a failure reproduces. */
function sampler(seed: number) {
  let x = seed;
  return <T>(items: T[], k: number): T[] => {
    const pool = [...items];
    const out: T[] = [];
    while (out.length < k && pool.length) {
      x = (x * 1103515245 + 12345) & 0x7fffffff;
      out.push(pool.splice(x % pool.length, 1)[0]);
    }
    return out;
  };
}

describe('fuzzing every operation and socket event (no 5xx)', () => {
  let hub: TestHub;
  let doc: { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Schema> } };
  /** Real record ids per first path segment, so handlers run past "not found" into their writes. */
  const ids: Record<string, string> = {};
  const failures: string[] = [];

  beforeAll(async () => {
    hub = await createTestHub({ USER_MAX_CONCURRENT_REQUESTS: '50' });
    doc = (await hub.http().get('/api/docs-json').expect(200)).body;
    const officer = bearer(await hub.login('officer@minusca.demo'));
    const p = await hub.http().post('/api/patients').set(officer).send({ ...PATIENT, serviceNumber: 'FUZZ-1' }).expect(201);
    const c = await hub.http().post('/api/cases').set(officer).send(caseBody(p.body.id, { submit: true })).expect(201);
    const one = async (sql: string) => (await hub.db.dataSource.query(sql))[0]?.id as string | undefined;
    Object.assign(ids, {
      missions: hub.ids.missions.MINUSCA,
      facilities: hub.ids.facilities['Bria Level 1 Clinic (ZAMBAT)'],
      users: hub.ids.users['newofficer@minusca.demo'],
      patients: p.body.id,
      cases: c.body.id,
    });
    const course = await one(`SELECT id FROM training_courses WHERE mission_id = '${hub.ids.missions.MINUSCA}' LIMIT 1`);
    if (course) ids.courses = course;
  });
  afterAll(() => hub.close());

  const resolve = (s: Schema | undefined): Schema | undefined => {
    if (!s) return s;
    if (s.$ref) return resolve(doc.components.schemas[s.$ref.split('/').pop()!]);
    if (s.allOf?.length) return resolve(s.allOf[0]);
    return s;
  };

  /** Who calls which area: the role that reaches its code furthest. */
  const callerFor = (path: string): string => {
    if (/^\/api\/(cases|patients|uploads|specialties)/.test(path)) return 'officer@minusca.demo';
    if (/^\/api\/consultations/.test(path)) return 'doctor@minusca.demo';
    if (/^\/api\/(training|courses|cohorts|certificates)/.test(path)) return 'trainer@minusca.demo';
    if (/^\/api\/(dashboard|monitoring)/.test(path)) return 'manager@minusca.demo';
    return 'admin@minusca.demo';
  };

  /** Path parameters: a real id for the resource the path names, a fresh UUID for the rest. */
  const fill = (path: string) =>
    path.replace(/\{(\w+)\}/g, (_m, name: string, offset: number) => {
      const segment = path.slice(0, offset).split('/').filter(Boolean).pop()!;
      if (name === 'id' && ids[segment]) return ids[segment];
      return name === 'code' ? 'ABCD-EFGH-JKLM' : '6f0c1c1e-8a0b-4c1a-9d0e-000000000000';
    });

  it('answers every hostile body field of every operation without a 5xx', async () => {
    const pick = sampler(12);
    let requests = 0;
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        // Ending the caller's own session would make the rest of the run meaningless.
        if (path === '/api/auth/logout') continue;
        const auth = bearer(await hub.login(callerFor(path)));
        const url = fill(path);
        const send = async (body: unknown, label: string) => {
          requests++;
          const res = await (hub.http() as unknown as Record<string, (u: string) => import('supertest').Test>)[method](url)
            .set(auth)
            .set('Content-Type', 'application/json')
            .send(JSON.stringify(body));
          if (res.status >= 500) failures.push(`${method.toUpperCase()} ${path} ${label}: ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
        };
        // Query parameters, one hostile value each.
        for (const param of (op.parameters ?? []).filter((p) => p.in === 'query')) {
          // Already percent-encoded: a NUL, a lone surrogate's UTF-8 bytes, a truncated sequence, a repeated name.
          for (const v of ['WyJ4IiwieSJd', '2026-W01-1', 'a%00b', '%ED%A0%80', '%E0%A4%A', '-1', 'x'.repeat(5000), `x&${param.name}=y`]) {
            requests++;
            const res = await (hub.http() as unknown as Record<string, (u: string) => import('supertest').Test>)[method](`${url}?${param.name}=${v}`).set(auth);
            if (res.status >= 500) failures.push(`${method.toUpperCase()} ${path} ?${param.name}=${JSON.stringify(v)}: ${res.status}`);
          }
        }
        const schema = resolve(op.requestBody?.content?.['application/json']?.schema);
        if (!schema) continue;
        for (const whole of [[], null, 'x', 1, deep(30)]) await send(whole, `body=${JSON.stringify(whole).slice(0, 40)}`);
        for (const [field, fieldSchema] of Object.entries(schema.properties ?? {})) {
          // Every field gets null, NUL, a lone surrogate, a wrong type, a huge and a deep value, exotic dates where
          // it holds a date; then two more sampled from the rest.
          const wrongType = resolve(fieldSchema)?.type === 'string' ? 12345 : 'not-a-number';
          const datish = resolve(fieldSchema)?.format?.startsWith('date') || /(At|On|Date|date)$/.test(field);
          const values = [null, 'a\u0000b', '\ud800', wrongType, 'x'.repeat(100_000), deep(20), ...(datish ? ['2026-W01-1', '+275760-09-13T00:00:00.000Z'] : []), ...pick(HOSTILE.slice(5), 2)];
          for (const v of values) await send({ [field]: v }, `${field}=${JSON.stringify(v).slice(0, 40)}`);
          // One level down: hostile values inside a nested object or array element.
          const inner = resolve(fieldSchema.type === 'array' ? fieldSchema.items : fieldSchema);
          for (const [sub] of Object.entries(inner?.properties ?? {}).slice(0, 8)) {
            for (const v of [null, ...pick(HOSTILE.slice(1), 2)]) {
              const nested = { [sub]: v };
              await send({ [field]: fieldSchema.type === 'array' ? [nested] : nested }, `${field}.${sub}=${JSON.stringify(v).slice(0, 40)}`);
            }
          }
        }
      }
    }
    expect(requests).toBeGreaterThan(500);
    expect(failures).toEqual([]);
    // No route took a second pool connection while holding a transaction (connection-watch.ts).
    expect(nestedConnectionAcquisitions).toEqual([]);
  }, 900_000);

  describe('socket events', () => {
    let url: string;
    let socket: Socket;
    beforeAll(async () => {
      const port = await freePort();
      await hub.app.listen(port, '127.0.0.1');
      url = `http://127.0.0.1:${port}`;
      socket = io(`${url}${CONSULTATION_NAMESPACE}`, { path: '/socket.io', transports: ['websocket'], auth: { token: (await hub.login('doctor@minusca.demo')).accessToken }, reconnection: false, forceNew: true });
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
    });
    afterAll(() => socket.close());

    it('acknowledges every hostile payload of every declared event without an internal error', async () => {
      const pick = sampler(7);
      const events = [...SIGNALLING_EVENTS.keys()];
      expect(events.length).toBeGreaterThan(5);
      const fields = ['sessionId', 'invitationToken', 'transportId', 'producerId', 'consumerId', 'participantId', 'kind', 'rtpParameters', 'dtlsParameters', 'text', 'reason', 'spatialLayer', 'audioOnly', 'stats'];
      for (const event of events) {
        const payloads: unknown[] = [undefined, null, 'x', 42, [], deep(30), ...pick(fields, 5).flatMap((f) => pick(HOSTILE, 3).map((v) => ({ [f]: v })))];
        for (const payload of payloads) {
          const emit = () => new Promise<{ ok: boolean; error?: { code: string; message: string } } | 'timeout'>((resolve) => {
            const timer = setTimeout(() => resolve('timeout'), 5000);
            socket.emit(event, payload, (a: { ok: boolean; error?: { code: string; message: string } }) => {
              clearTimeout(timer);
              resolve(a);
            });
          });
          let ack = await emit();
          // A rate-limited event is sent again once its bucket refills, so the payload reaches validation.
          for (let i = 0; i < 3 && ack !== 'timeout' && ack.error?.code === 'RATE_LIMITED'; i++) {
            await new Promise((r) => setTimeout(r, Math.min(3000, Number(/(\d+) ms/.exec(ack !== 'timeout' ? ack.error!.message : '')?.[1] ?? 500) + 50)));
            ack = await emit();
          }
          // An internal error or no answer is a defect.
          if (ack === 'timeout' || ack.error?.code === 'INTERNAL_ERROR') failures.push(`ws ${event} ${JSON.stringify(payload)?.slice(0, 60)}: ${JSON.stringify(ack)}`);
        }
      }
      expect(socket.connected).toBe(true);
      expect(failures).toEqual([]);
      expect(nestedConnectionAcquisitions).toEqual([]);
    }, 600_000);
  });
});
