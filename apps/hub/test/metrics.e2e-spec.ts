import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { MediaService } from '@hub/media';
import { bearer, createTestHub, TestHub } from '@hub/testing';

/**
 * GET /api/metrics (Prometheus text format): off without METRICS_TOKEN, refused without the token, scraped with it;
 * the SFU figures move when a call starts. The deploy/ dashboard and alert rules parse and name only metrics the
 * hub exports.
 */
jest.setTimeout(90_000);

const TOKEN = 'metrics-token-for-the-tests-0123456789';
const ROOT = join(__dirname, '../../..');

/** Sample values of one metric (with labels) from the text format. */
function samples(text: string, name: string): { labels: string; value: number }[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
    .map((l) => {
      const m = /^[^{ ]+(\{[^}]*\})? (\S+)/.exec(l)!;
      return { labels: m[1] ?? '', value: Number(m[2]) };
    });
}
const value = (text: string, name: string, labels = '') => samples(text, name).find((s) => s.labels.includes(labels))?.value;

describe('Prometheus metrics', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await createTestHub({ METRICS_TOKEN: TOKEN, MEDIA_WORKERS: '1' });
  });
  afterAll(() => hub.close());

  const scrape = async () => (await hub.http().get('/api/metrics').set('Authorization', `Bearer ${TOKEN}`).expect(200).expect('Content-Type', /text\/plain/)).text;

  it('refuses a scrape without the token or with a wrong one', async () => {
    expect((await hub.http().get('/api/metrics').expect(401)).body).toMatchObject({ code: 'UNAUTHENTICATED' });
    await hub.http().get('/api/metrics').set('Authorization', 'Bearer wrong-token').expect(401);
    // a user's access token is not the metrics token
    await hub.http().get('/api/metrics').set(bearer(await hub.login('admin@minusca.demo'))).expect(401);
  });

  it('is off (404) when no METRICS_TOKEN is configured', async () => {
    const off = await createTestHub({});
    try {
      await off.http().get('/api/metrics').set('Authorization', `Bearer ${TOKEN}`).expect(404);
    } finally {
      await off.close();
    }
  });

  it('reports HTTP latency by route pattern, the pool, backlogs, uploads, backups and the SFU; the SFU figures move when a call starts', async () => {
    const officer = bearer(await hub.login('officer@minusca.demo'));
    await hub.http().get('/api/cases').set(officer).expect(200);
    const before = await scrape();
    // latency by route pattern, never the raw URL
    expect(samples(before, 'hub_http_request_duration_seconds_count').some((s) => s.labels.includes('route="/api/cases"') && s.labels.includes('status="200"'))).toBe(true);
    expect(before).not.toMatch(/route="\/api\/cases\/[0-9a-f]{8}-/);
    expect(value(before, 'hub_db_pool_connections', 'state="max"')).toBeGreaterThan(0);
    expect(value(before, 'hub_job_backlog', 'job="outbox"')).toBeGreaterThanOrEqual(0);
    expect(value(before, 'hub_uploads_in_progress')).toBe(0);
    expect(value(before, 'hub_sfu_workers')).toBe(1);
    expect(value(before, 'hub_sfu_rooms')).toBe(0);
    expect(value(before, 'hub_sfu_peers')).toBe(0);
    expect(samples(before, 'hub_sfu_worker_cpu_seconds_total')).toHaveLength(1);
    expect(samples(before, 'hub_sla_breach_ratio_7d').length).toBeGreaterThan(0);

    // a call starts: a room with a participant on the SFU
    const media = hub.app.get(MediaService);
    const room = await media.getOrCreateRoom('metrics-room');
    await room.join('peer-1', { userId: hub.ids.users['officer@minusca.demo'], displayName: 'Officer' });
    try {
      const during = await scrape();
      expect(value(during, 'hub_sfu_rooms')).toBe(1);
      expect(value(during, 'hub_sfu_peers')).toBe(1);
      expect(value(during, 'hub_http_request_duration_seconds_count', 'route="/api/metrics"')).toBeGreaterThanOrEqual(1);
    } finally {
      room.close('test');
    }
    expect(value(await scrape(), 'hub_sfu_rooms')).toBe(0);
  });

  it('deploy/: the Grafana dashboard and the Prometheus rules parse and use only exported metrics', async () => {
    const exported = new Set((await scrape()).split('\n').filter((l) => l.startsWith('# TYPE ')).map((l) => l.split(' ')[2]));
    const used = (expr: string) => [...expr.matchAll(/\b(hub_[a-z0-9_]+?)(?:_bucket|_count|_sum)?\b/g)].map((m) => m[1]);

    const dashboard = JSON.parse(readFileSync(join(ROOT, 'deploy/grafana/hub-dashboard.json'), 'utf8')) as { uid: string; panels: { title: string; targets: { expr: string }[] }[] };
    expect(dashboard.uid).toBe('field-telemed-hub');
    expect(dashboard.panels.length).toBeGreaterThanOrEqual(8);
    for (const p of dashboard.panels) for (const t of p.targets) for (const m of used(t.expr)) expect({ panel: p.title, metric: m, exported: exported.has(m) }).toEqual({ panel: p.title, metric: m, exported: true });

    const rules = load(readFileSync(join(ROOT, 'deploy/prometheus/alerts.yml'), 'utf8')) as { groups: { rules: { alert: string; expr: string; for?: string; labels: { severity: string }; annotations: { summary: string } }[] }[] };
    const all = rules.groups.flatMap((g) => g.rules);
    expect(all.map((r) => r.alert)).toEqual(expect.arrayContaining(['SfuWorkerDown', 'DatabasePoolSaturated', 'SlaBreachRateHigh', 'BackupTooOld']));
    for (const r of all) {
      expect(['critical', 'warning']).toContain(r.labels.severity);
      expect(r.annotations.summary).toBeTruthy();
      for (const m of used(r.expr)) expect({ alert: r.alert, metric: m, exported: exported.has(m) }).toEqual({ alert: r.alert, metric: m, exported: true });
    }
    const scrapeConfig = load(readFileSync(join(ROOT, 'deploy/prometheus/prometheus.yml'), 'utf8')) as { scrape_configs: { metrics_path: string; authorization: { type: string } }[] };
    expect(scrapeConfig.scrape_configs[0]).toMatchObject({ metrics_path: '/api/metrics', authorization: { type: 'Bearer' } });
  });
});
