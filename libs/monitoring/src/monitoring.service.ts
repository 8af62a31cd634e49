import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Action, CallerContext, grantHoldersSql, scopeFor } from '@hub/access';
import { AuditService } from '@hub/audit';
import { Clock, DomainException, HubJobs, storageHealth } from '@hub/common';
import { APP_CONFIG, AppConfig } from '@hub/config';
import type { DashboardAlert, DashboardView, NotificationParams } from '@hub/contracts';
import { NotificationsService } from '@hub/notifications';
import { DashboardRepository } from './dashboard.repository';
import { DashboardQueryDto } from './dashboard.dto';
import { FieldNodeHealthRepository, SilentNode } from './field-node-health.repository';

const DAY = 24 * 3600 * 1000;
const dayStart = (iso: string) => new Date(`${iso}T00:00:00Z`);

@Injectable()
export class MonitoringService {

  constructor(
    private readonly dataSource: DataSource,
    private readonly dashboards: DashboardRepository,
    private readonly fieldNodes: FieldNodeHealthRepository,
    private readonly notifications: NotificationsService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'fieldNodeSilentHours'>,
    jobs: HubJobs,
  ) {
    jobs.every('Caseload alerts', 3600_000, () => this.pushAlerts());
    // Silent field nodes are checked more often than the caseload: the threshold is in hours, not days.
    jobs.every('Field node silence', 600_000, () => this.pushFieldNodeAlerts());
  }

  async dashboard(caller: CallerContext, dto: DashboardQueryDto): Promise<DashboardView> {
    const scope = scopeFor(caller.principal, Action.Read, 'Caseload');
    let missionIds: string[];
    if (dto.missionId) {
      if (scope.kind === 'missions' && !scope.missionIds.includes(dto.missionId)) throw DomainException.notFound('Mission');
      missionIds = [dto.missionId];
    } else {
      missionIds =
        scope.kind === 'all'
          ? ((await this.dataSource.query('SELECT id FROM missions WHERE active')) as { id: string }[]).map((m) => m.id)
          : [...scope.missionIds];
    }
    if (!missionIds.length) throw DomainException.notFound('Mission');
    const now = this.clock.now();
    const to = dto.to ?? now.toISOString().slice(0, 10);
    const from = dto.from ?? new Date(dayStart(to).getTime() - 83 * DAY).toISOString().slice(0, 10);
    if (dayStart(from) > dayStart(to)) throw DomainException.invalid('from', 'from must not be after to');
    if (dayStart(to).getTime() - dayStart(from).getTime() > 731 * DAY) throw DomainException.invalid('from', 'the period is limited to two years');
    const q = {
      missionIds,
      from: dayStart(from),
      to: new Date(dayStart(to).getTime() + DAY),
      facilityId: dto.facilityId,
      specialty: dto.specialty,
      urgency: dto.urgency,
      now,
    };
    const [weekly, openByUrgency, responseTimes, slaOutcomes, followUps, alerts, fieldNodes] = await Promise.all([
      this.dashboards.weekly(q),
      this.dashboards.openByUrgency(q),
      this.dashboards.responseTimes(q),
      this.dashboards.slaAndOutcomes(q),
      this.dashboards.followUps(missionIds, now, dto.facilityId),
      this.dashboards.alerts(missionIds, now).then((a) => [...storageAlerts(missionIds), ...a]),
      this.fieldNodes.list(missionIds, now, this.config.fieldNodeSilentHours, dto.facilityId),
    ]);
    const silent = fieldNodes.filter((n) => n.silent && n.lastContactAt);
    alerts.push(
      ...silent.map((n) =>
        silentNodeAlert({ id: n.id, name: n.name, missionId: n.missionId, facilityId: n.facilityId, facilityName: n.facilityName, lastContactAt: new Date(n.lastContactAt!), hours: n.silentAfterHours }),
      ),
    );
    await this.audit.record({
      action: 'caseload.read',
      outcome: 'success',
      actorId: caller.principal.userId,
      missionId: missionIds.length === 1 ? missionIds[0] : null,
      subjectType: 'Caseload',
      requestId: caller.request.requestId,
      ip: caller.request.ip,
      details: { from, to, facilityId: dto.facilityId, specialty: dto.specialty, urgency: dto.urgency },
    });
    const empty = { key: 'all', label: 'All cases', cases: 0, acceptMedianMin: null, acceptP90Min: null, answerMedianMin: null, answerP90Min: null, withinSlaShare: null };
    return {
      filters: { missionId: dto.missionId, from, to, facilityId: dto.facilityId, specialty: dto.specialty, urgency: dto.urgency },
      weekly,
      openByUrgency,
      responseTimes: responseTimes ?? { overall: empty, byFacility: [], bySpecialty: [], byUrgency: [], byReferenceHospital: [] },
      ...slaOutcomes,
      followUps,
      alerts,
      fieldNodes,
    };
  }

  /** Pushes each current alert to the mission's health managers, at most once a day per alert. */
  async pushAlerts(): Promise<number> {
    const now = this.clock.now();
    const missions: { id: string }[] = await this.dataSource.query('SELECT id FROM missions WHERE active');
    const ids = missions.map((m) => m.id);
    const alerts = [...storageAlerts(ids), ...(await this.dashboards.alerts(ids, now))];
    let sent = 0;
    for (const a of alerts) {
      // Whoever may read the mission's caseload (the access engine's grants), unless told today already.
      const managers: { id: string }[] = await this.dataSource.query(
        `SELECT h.user_id AS id FROM (${grantHoldersSql(Action.Read, 'Caseload', 'ARRAY[$1::uuid]')}) h
          WHERE NOT EXISTS (SELECT 1 FROM notifications n WHERE n.user_id = h.user_id AND n.kind = 'caseload.alert'
                              AND n.text = $2 AND n.created_at > $3::timestamptz - interval '1 day')`,
        [a.missionId, a.text, now],
      );
      if (!managers.length) continue;
      const saved = await this.notifications.record(managers.map((m) => m.id), { kind: 'caseload.alert', code: a.code, params: a.params, caseId: null, text: a.text }, this.dataSource.manager);
      this.notifications.publish(saved);
      sent += saved.length;
    }
    return sent;
  }

  /**
   * `field_node_silent`: a field node not heard from for its mission's threshold (missions.field_node_silent_hours,
   * else FIELD_NODE_SILENT_HOURS) is told once to the mission's health managers, per silence (field_node_alerts
   * remembers the last contact the silence began at). When it reaches the hub again the alert is cleared and they are
   * told it is back; a node revoked meanwhile is cleared without a notice. Returns the notifications sent.
   */
  async pushFieldNodeAlerts(): Promise<number> {
    const now = this.clock.now();
    const ids = ((await this.dataSource.query('SELECT id FROM missions WHERE active')) as { id: string }[]).map((m) => m.id);
    if (!ids.length) return 0;
    let sent = 0;
    const silent = await this.fieldNodes.silent(ids, now, this.config.fieldNodeSilentHours);
    for (const n of silent) {
      const alert = silentNodeAlert(n);
      const saved = await this.dataSource.transaction(async (m) => {
        if (!(await this.fieldNodes.claim(m, n.id, n.lastContactAt, now))) return [];
        return this.notifications.record(await this.caseloadReaders(n.missionId, m), { kind: 'caseload.alert', code: alert.code, params: alert.params, caseId: null, text: alert.text }, m);
      });
      this.notifications.publish(saved);
      sent += saved.length;
    }
    const stillSilent = new Set(silent.map((n) => n.id));
    for (const r of await this.fieldNodes.raised(ids)) {
      if (stillSilent.has(r.nodeId)) continue;
      const back = !r.revoked && !!r.lastContactAt && r.lastContactAt > r.silentSince;
      const since = r.silentSince.toISOString();
      const params: NotificationParams = { node: r.name, facility: r.facilityName, since };
      const saved = await this.dataSource.transaction(async (m) => {
        if (!(await this.fieldNodes.clear(m, r.nodeId, r.silentSince)) || !back) return [];
        const text = `${r.name} (${r.facilityName}) reached the hub again; it had been silent since ${since.slice(0, 16).replace('T', ' ')} UTC`.slice(0, 300);
        return this.notifications.record(await this.caseloadReaders(r.missionId, m), { kind: 'caseload.alert', code: 'caseload.field_node_back', params, caseId: null, text }, m);
      });
      this.notifications.publish(saved);
      sent += saved.length;
    }
    return sent;
  }

  /** Whoever may read the mission's caseload (the access engine's grants): its health managers. */
  private async caseloadReaders(missionId: string, m: EntityManager): Promise<string[]> {
    const rows: { id: string }[] = await m.query(`SELECT h.user_id AS id FROM (${grantHoldersSql(Action.Read, 'Caseload', 'ARRAY[$1::uuid]')}) h`, [missionId]);
    return rows.map((r) => r.id);
  }
}

/** The dashboard's and the notification's words for a silent node (rendered from code and params in the reader's language). */
function silentNodeAlert(n: SilentNode): DashboardAlert {
  const since = n.lastContactAt.toISOString();
  return {
    kind: 'field_node_silent',
    missionId: n.missionId,
    facilityId: n.facilityId,
    nodeId: n.id,
    code: 'caseload.field_node_silent',
    params: { node: n.name, facility: n.facilityName, since, hours: n.hours },
    // the notification's text column holds 300 characters (a node's and a clinic's names may be long)
    text: `${n.name} (${n.facilityName}) has not reached the hub since ${since.slice(0, 16).replace('T', ' ')} UTC (alert after ${n.hours} h): check the clinic's link and power`.slice(0, 300),
  };
}

/** The hub's disks are every mission's: a full or read-only store is told to each mission's health managers. */
function storageAlerts(missionIds: string[]): DashboardAlert[] {
  const words = { files: 'file store (attachments)', database: 'database disk' } as const;
  const current = new Set(storageHealth.problems().map((p) => `${p.component}:${p.state}`));
  return storageHealth.recentProblems().flatMap((p) => {
    const now = current.has(`${p.component}:${p.state}`);
    const since = p.since.toISOString().slice(0, 16).replace('T', ' ');
    return missionIds.map((missionId) => ({
      kind: 'storage' as const,
      missionId,
      code: now ? ('caseload.storage_now' as const) : ('caseload.storage_past' as const),
      params: { component: p.component, state: p.state, since: p.since.toISOString() },
      text: now
        ? `The hub's ${words[p.component]} is ${p.state} since ${since} UTC: new cases, messages or files may not be stored. Tell the hub's administrator.`
        : `The hub's ${words[p.component]} was ${p.state} at ${since} UTC: some files or records were refused. Tell the hub's administrator.`,
    }));
  });
}
