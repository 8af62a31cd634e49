import { Inject, Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '@hub/config';
import { MediaService } from '@hub/media';
import { newestBackup } from '../lifecycle/backup-scheduler';

/** A backlog figure read at each scrape (e.g. the outbox, once it exists: `registerBacklog('outbox', ...)`). */
export type BacklogSource = () => Promise<number>;

/**
 * The hub's Prometheus figures (prom-client), read at each scrape of GET /api/metrics:
 * HTTP latency by route, the database pool, job and outbox backlogs, the SFU (workers' CPU, rooms, consumers,
 * bitrate), uploads in progress, field nodes' sync backlog, the age of the newest backup.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private readonly backlogs = new Map<string, BacklogSource>();

  readonly httpDuration = new Histogram({
    name: 'hub_http_request_duration_seconds',
    help: 'HTTP request latency by route pattern (never the raw URL), method and status code',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  constructor(dataSource: DataSource, media: MediaService, @Inject(APP_CONFIG) config: AppConfig) {
    collectDefaultMetrics({ register: this.registry, prefix: 'hub_process_' });
    const registers = [this.registry];
    const pool = () => (dataSource.driver as unknown as { master?: { totalCount: number; idleCount: number; waitingCount: number; options: { max: number } } }).master;
    new Gauge({
      name: 'hub_db_pool_connections',
      help: 'Database pool connections by state (in_use, idle, waiting clients, max)',
      labelNames: ['state'] as const,
      registers,
      collect() {
        const p = pool();
        if (!p) return;
        this.set({ state: 'in_use' }, p.totalCount - p.idleCount);
        this.set({ state: 'idle' }, p.idleCount);
        this.set({ state: 'waiting' }, p.waitingCount);
        this.set({ state: 'max' }, p.options.max ?? 10);
      },
    });
    const backlogs = this.backlogs;
    new Gauge({
      name: 'hub_job_backlog',
      help: 'Work waiting per background job or queue (registered sources; the outbox registers as job="outbox")',
      labelNames: ['job'] as const,
      registers,
      async collect() {
        for (const [job, read] of backlogs) this.set({ job }, await read().catch(() => NaN));
      },
    });
    // Pushes and notifications written with their transaction and not yet delivered (libs/database outbox.ts).
    this.registerBacklog('outbox', async () => Number((await dataSource.query(`SELECT count(*)::int AS n FROM outbox`))[0].n));
    new Gauge({
      name: 'hub_sla_breach_ratio_7d',
      help: "Per mission: share of the last 7 days' referrals answered late or still unanswered past their deadline (0-1), and the mission's alert threshold",
      labelNames: ['mission', 'kind'] as const,
      registers,
      async collect() {
        this.reset();
        const rows: { code: string; due: number; late: number; threshold: number }[] = await dataSource.query(
          `SELECT ms.code, ms.sla_breach_alert_percent AS threshold,
                  count(f.case_id) FILTER (WHERE f.answered_at IS NOT NULL OR f.submitted_at + make_interval(mins => f.sla_minutes) < now())::int AS due,
                  count(f.case_id) FILTER (WHERE coalesce(f.answered_at, now()) > f.submitted_at + make_interval(mins => f.sla_minutes))::int AS late
             FROM missions ms LEFT JOIN case_facts f ON f.mission_id = ms.id AND f.submitted_at > now() - interval '7 days'
            WHERE ms.active GROUP BY ms.id`,
        );
        for (const r of rows) {
          this.set({ mission: r.code, kind: 'ratio' }, r.due ? r.late / r.due : 0);
          this.set({ mission: r.code, kind: 'threshold' }, r.threshold / 100);
        }
      },
    });
    new Gauge({
      name: 'hub_uploads_in_progress',
      help: 'Case attachments being uploaded (tus uploads not complete)',
      registers,
      async collect() {
        this.set(Number((await dataSource.query(`SELECT count(*)::int AS n FROM case_attachments WHERE status = 'uploading'`))[0].n));
      },
    });
    new Gauge({
      name: 'hub_sync_node_backlog',
      help: 'Outbox rows each enrolled field node reported waiting at its last push',
      labelNames: ['node', 'mission'] as const,
      registers,
      async collect() {
        this.reset();
        const rows: { id: string; mission_id: string; backlog: number | null }[] = await dataSource.query(`SELECT id, mission_id, backlog FROM field_nodes WHERE enrolled_at IS NOT NULL AND revoked_at IS NULL`);
        for (const r of rows) this.set({ node: r.id, mission: r.mission_id }, r.backlog ?? 0);
      },
    });
    new Gauge({
      name: 'hub_sync_node_last_contact_seconds',
      help: 'Seconds since each enrolled field node last reached the hub',
      labelNames: ['node', 'mission'] as const,
      registers,
      async collect() {
        this.reset();
        const rows: { id: string; mission_id: string; age: number | null }[] = await dataSource.query(
          `SELECT id, mission_id, EXTRACT(EPOCH FROM now() - last_contact_at)::float AS age FROM field_nodes WHERE enrolled_at IS NOT NULL AND revoked_at IS NULL AND last_contact_at IS NOT NULL`,
        );
        for (const r of rows) this.set({ node: r.id, mission: r.mission_id }, r.age ?? 0);
      },
    });
    new Gauge({
      name: 'hub_backup_last_success_timestamp_seconds',
      help: 'Unix time of the newest complete backup in BACKUP_DIR (absent: none)',
      registers,
      collect() {
        const newest = newestBackup(config.backup.dir);
        if (newest) this.set(newest.getTime() / 1000);
      },
    });
    // The SFU: one read of the media figures per scrape, shared by the gauges below.
    let media$: Promise<Awaited<ReturnType<MediaService['metrics']>>> | null = null;
    const mediaFigures = () => (media$ ??= media.metrics().finally(() => setTimeout(() => (media$ = null), 0)));
    new Gauge({
      name: 'hub_sfu_workers',
      help: 'mediasoup workers running',
      registers,
      async collect() {
        this.set((await mediaFigures()).workers.length);
      },
    });
    new Counter({
      name: 'hub_sfu_worker_cpu_seconds_total',
      help: 'CPU time (user + system) used by each mediasoup worker (worker.getResourceUsage)',
      labelNames: ['worker'] as const,
      registers,
      async collect() {
        this.reset();
        for (const w of (await mediaFigures()).workers) if (w.cpuSeconds !== null) this.inc({ worker: String(w.index) }, w.cpuSeconds);
      },
    });
    const sfuGauge = (name: string, help: string, read: (m: Awaited<ReturnType<MediaService['metrics']>>) => number) =>
      new Gauge({
        name,
        help,
        registers,
        async collect() {
          this.set(read(await mediaFigures()));
        },
      });
    sfuGauge('hub_sfu_rooms', 'Open consultation rooms (routers)', (m) => m.rooms);
    sfuGauge('hub_sfu_peers', 'Participants with a media peer', (m) => m.peers);
    sfuGauge('hub_sfu_producers', 'Producers (audio and video sent to the SFU)', (m) => m.producers);
    sfuGauge('hub_sfu_consumers', 'Consumers (streams the SFU forwards)', (m) => m.consumers);
    sfuGauge('hub_sfu_bitrate_in_bps', 'Bits per second the SFU receives from all participants', (m) => m.bitrateInBps);
    sfuGauge('hub_sfu_bitrate_out_bps', 'Bits per second the SFU sends to all participants', (m) => m.bitrateOutBps);
  }

  /**
   * Adds a backlog source read at each scrape as `hub_job_backlog{job}`. The transactional outbox (issue 16's
   * companion work) registers itself here as `outbox`; job queues as their name.
   */
  registerBacklog(job: string, read: BacklogSource): void {
    this.backlogs.set(job, read);
  }

  observe(method: string, route: string, status: number, seconds: number): void {
    this.httpDuration.observe({ method, route, status: String(status) }, seconds);
  }
}
