import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Action, CallerContext, grantHoldersSql, scopeFor } from '@hub/access';
import { AuditService } from '@hub/audit';
import { Clock, DomainException, HubJobs, storageHealth } from '@hub/common';
import type { DashboardAlert, DashboardView } from '@hub/contracts';
import { NotificationsService } from '@hub/notifications';
import { DashboardRepository } from './dashboard.repository';
import { DashboardQueryDto } from './dashboard.dto';

const DAY = 24 * 3600 * 1000;
const dayStart = (iso: string) => new Date(`${iso}T00:00:00Z`);

@Injectable()
export class MonitoringService {

  constructor(
    private readonly dataSource: DataSource,
    private readonly dashboards: DashboardRepository,
    private readonly notifications: NotificationsService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    jobs: HubJobs,
  ) {
    jobs.every('Caseload alerts', 3600_000, () => this.pushAlerts());
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
    const [weekly, openByUrgency, responseTimes, slaOutcomes, followUps, alerts] = await Promise.all([
      this.dashboards.weekly(q),
      this.dashboards.openByUrgency(q),
      this.dashboards.responseTimes(q),
      this.dashboards.slaAndOutcomes(q),
      this.dashboards.followUps(missionIds, now, dto.facilityId),
      this.dashboards.alerts(missionIds, now).then((a) => [...storageAlerts(missionIds), ...a]),
    ]);
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
