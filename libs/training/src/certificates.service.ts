import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { Action, actorOf, CallerContext, RecordAccess, subjectOf, trainingRecordScopeOf, waiverScopeOf } from '@hub/access';
import { AuditService } from '@hub/audit';
import { Clock, DomainException } from '@hub/common';
import {
  CERTIFICATION_FOR_ROLE,
  CERTIFICATION_KINDS,
  CERTIFICATION_LABELS,
  CertificateVerification,
  CertificateView,
  CertificationKind,
  ComplianceReport,
  ComplianceRow,
  Role,
  WaiverView,
} from '@hub/contracts';
import { NotificationsService } from '@hub/notifications';
import { certificatePdf } from './certificate-pdf';
import { certificateStatus, kindState } from './certification-state';
import { CertificateListQuery, CreateWaiverDto, MissionQuery } from './dto/training.dto';
import { Certificate, CertificationWaiver } from './entities/certificate.entity';
import { displayNames, learnerMissions } from './learners';
import { TrainingRepository } from './training.repository';
import { certificateView, waiverView } from './views';
import { MEMBERSHIP_MISSIONS_SQL } from '@hub/identity';

const DAY = 86_400_000;
export const MAX_WAIVER_DAYS = 90;

/** Certificates (read, PDF, revoke, public verification), waivers and the mission compliance report. */
@Injectable()
export class CertificatesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: RecordAccess,
    private readonly audit: AuditService,
    private readonly notifications: NotificationsService,
    private readonly clock: Clock,
    private readonly training: TrainingRepository,
  ) {}

  /** Own certificates, or (trainers, managers, admins) those of their missions' staff. */
  async list(caller: CallerContext, q: CertificateListQuery): Promise<CertificateView[]> {
    const m = this.dataSource.manager;
    // A mission named in the query: one whose staff's certificates the caller may read (a holder reaching it).
    if (q.missionId && !caller.ability.can(Action.Read, subjectOf('Certificate', { userId: null, missionIds: [q.missionId] }))) throw DomainException.notFound('Mission');
    const rows = await this.training.certificates(trainingRecordScopeOf(caller.principal), { userId: q.userId, missionId: q.missionId });
    const names = await displayNames(m, rows.map((r) => r.userId));
    const now = this.clock.now();
    return rows.map((c) => certificateView(c, names.get(c.userId) ?? '', now));
  }

  private async load(caller: CallerContext, id: string, action: Action, m: EntityManager): Promise<Certificate> {
    const cert = await m.findOne(Certificate, { where: { id } });
    const missionIds = cert ? await learnerMissions(m, cert.userId) : [];
    await this.access.assert(caller, action, 'Certificate', cert ? { userId: cert.userId, missionIds } : null, { id, missionId: missionIds[0] ?? null });
    return cert!;
  }

  async get(caller: CallerContext, id: string): Promise<CertificateView> {
    const m = this.dataSource.manager;
    const cert = await this.load(caller, id, Action.Read, m);
    const names = await displayNames(m, [cert.userId]);
    return certificateView(cert, names.get(cert.userId) ?? '', this.clock.now());
  }

  async pdf(caller: CallerContext, id: string, origin: string): Promise<{ body: Buffer; filename: string }> {
    const m = this.dataSource.manager;
    const cert = await this.load(caller, id, Action.Read, m);
    const names = await displayNames(m, [cert.userId]);
    // The holder's language: their own choice, else the language the course was taught in.
    const [lang]: { locale: string | null; language: string | null }[] = await m.query(
      `SELECT u.locale, c.language FROM users u LEFT JOIN training_courses c ON c.id = $2 WHERE u.id = $1`,
      [cert.userId, cert.courseId],
    );
    const locale = lang?.locale === 'fr' || (!lang?.locale && lang?.language === 'fr') ? 'fr' : 'en';
    const body = await certificatePdf({
      locale,
      holderName: names.get(cert.userId) ?? '',
      courseTitle: cert.courseTitle,
      courseVersion: cert.courseVersion,
      kind: cert.kind,
      code: cert.code,
      issuedAt: cert.issuedAt,
      expiresAt: cert.expiresAt,
      verifyUrl: `${origin}/api/certificates/verify/${cert.code}`,
      revoked: !!cert.revokedAt,
    });
    return { body, filename: `certificate-${cert.code}.pdf` };
  }

  async revoke(caller: CallerContext, id: string, reason: string): Promise<CertificateView> {
    const { view, notes } = await this.dataSource.transaction(async (m) => {
      const cert = await this.load(caller, id, Action.Update, m);
      if (cert.revokedAt) throw DomainException.conflict('This certificate is already revoked', 'certificate_revoked');
      const now = this.clock.now();
      Object.assign(cert, { revokedAt: now, revokedById: caller.principal.userId, revocationReason: reason.trim() });
      await m.save(cert);
      const missionIds = await learnerMissions(m, cert.userId);
      const missionId = missionIds.find((mid) => caller.ability.can(Action.Update, subjectOf('Certificate', { missionIds: [mid] }))) ?? missionIds[0] ?? null;
      await this.audit.record(
        { action: 'training.certificate_revoked', outcome: 'success', missionId, subjectType: 'Certificate', subjectId: cert.id, details: { userId: cert.userId, kind: cert.kind, reason: cert.revocationReason }, ...actorOf(caller) },
        m,
      );
      const notes = await this.notifications.record([cert.userId], { kind: 'training.certificate_revoked', params: { course: cert.courseTitle, reason: cert.revocationReason ?? '' }, caseId: null, text: `Your certificate for ${cert.courseTitle} was revoked: ${cert.revocationReason}`.slice(0, 300) }, m);
      const names = await displayNames(m, [cert.userId]);
      return { view: certificateView(cert, names.get(cert.userId) ?? '', now), notes };
    });
    this.notifications.publish(notes);
    return view;
  }

  /** Public: valid / expired / revoked, with only the holder's name, the course and the dates. */
  async verify(code: string): Promise<CertificateVerification> {
    const cert = await this.dataSource.manager.findOne(Certificate, { where: { code } });
    if (!cert) throw DomainException.notFound('Certificate');
    const names = await displayNames(this.dataSource.manager, [cert.userId]);
    return {
      code: cert.code,
      status: certificateStatus(cert, this.clock.now()),
      holderName: names.get(cert.userId) ?? '',
      courseTitle: cert.courseTitle,
      certification: CERTIFICATION_LABELS[cert.kind],
      issuedAt: cert.issuedAt.toISOString(),
      expiresAt: cert.expiresAt.toISOString(),
      revokedAt: cert.revokedAt?.toISOString() ?? null,
    };
  }

  // ------------------------------------------------------------------ waivers

  async waivers(caller: CallerContext, q: MissionQuery): Promise<WaiverView[]> {
    if (q.missionId && !caller.ability.can(Action.Read, subjectOf('Waiver', { missionId: q.missionId }))) throw DomainException.notFound('Mission');
    const rows = await this.training.waivers(waiverScopeOf(caller.principal), q.missionId);
    const names = await displayNames(this.dataSource.manager, rows.map((r) => r.userId));
    const now = this.clock.now();
    return rows.map((w) => waiverView(w, names.get(w.userId) ?? '', now));
  }

  async grantWaiver(caller: CallerContext, dto: CreateWaiverDto): Promise<WaiverView> {
    if (!caller.ability.can(Action.Create, subjectOf('Waiver', { missionId: dto.missionId }))) throw DomainException.notFound('Mission');
    const now = this.clock.now();
    const expiresAt = new Date(dto.expiresAt);
    if (expiresAt <= now) throw DomainException.invalid('expiresAt', 'must be in the future');
    if (expiresAt.getTime() - now.getTime() > MAX_WAIVER_DAYS * DAY) throw DomainException.invalid('expiresAt', `must be at most ${MAX_WAIVER_DAYS} days ahead`);
    if (dto.userId === caller.principal.userId) throw DomainException.invalid('userId', 'an administrator cannot waive their own certification');
    return this.dataSource.transaction(async (m) => {
      if (!(await learnerMissions(m, dto.userId)).includes(dto.missionId)) throw DomainException.invalid('userId', 'is not a member of this mission');
      const w = await m.save(
        m.create(CertificationWaiver, { userId: dto.userId, missionId: dto.missionId, kind: dto.kind, reason: dto.reason.trim(), startsAt: now, expiresAt, grantedById: caller.principal.userId, revokedAt: null, revocationReason: null }),
      );
      await this.audit.record(
        { action: 'training.waiver_granted', outcome: 'success', missionId: dto.missionId, subjectType: 'Waiver', subjectId: w.id, details: { userId: dto.userId, kind: dto.kind, expiresAt: expiresAt.toISOString(), reason: w.reason }, ...actorOf(caller) },
        m,
      );
      const names = await displayNames(m, [w.userId]);
      return waiverView(w, names.get(w.userId) ?? '', now);
    });
  }

  async revokeWaiver(caller: CallerContext, id: string, reason: string): Promise<WaiverView> {
    return this.dataSource.transaction(async (m) => {
      const w = await m.findOne(CertificationWaiver, { where: { id } });
      await this.access.assert(caller, Action.Update, 'Waiver', w, { id, missionId: w?.missionId ?? null });
      if (w!.revokedAt) throw DomainException.conflict('This waiver is already revoked', 'waiver_revoked');
      const now = this.clock.now();
      Object.assign(w!, { revokedAt: now, revocationReason: reason.trim() });
      await m.save(w!);
      await this.audit.record({ action: 'training.waiver_revoked', outcome: 'success', missionId: w!.missionId, subjectType: 'Waiver', subjectId: id, details: { reason: w!.revocationReason }, ...actorOf(caller) }, m);
      const names = await displayNames(m, [w!.userId]);
      return waiverView(w!, names.get(w!.userId) ?? '', now);
    });
  }

  // ------------------------------------------------------------------ compliance

  /** The mission's staff per certification their roles require: certified, expiring (≤ 30 days), expired, missing. */
  async compliance(caller: CallerContext, missionId: string): Promise<ComplianceReport> {
    if (!caller.ability.can(Action.Read, subjectOf('Compliance', { missionId }))) throw DomainException.notFound('Mission');
    const m = this.dataSource.manager;
    const staff: { id: string; display_name: string; email: string; roles: Role[] }[] = await m.query(
      `SELECT u.id, u.display_name, u.email, array_agg(DISTINCT m.role::text) AS roles
         FROM users u JOIN memberships m ON m.user_id = u.id
        WHERE u.active AND $1 = ANY(${MEMBERSHIP_MISSIONS_SQL})
        GROUP BY u.id ORDER BY u.display_name`,
      [missionId],
    );
    const ids = staff.map((s) => s.id);
    const [certs, waivers] = ids.length
      ? await Promise.all([m.find(Certificate, { where: { userId: In(ids) } }), m.find(CertificationWaiver, { where: { userId: In(ids) } })])
      : [[], []];
    const now = this.clock.now();
    const rows: ComplianceRow[] = [];
    const totals = Object.fromEntries(CERTIFICATION_KINDS.map((k) => [k, { certified: 0, expiring: 0, expired: 0, missing: 0, waived: 0 }])) as ComplianceReport['totals'];
    for (const s of staff) {
      for (const kind of requiredKinds(s.roles)) {
        const st = kindState(certs.filter((c) => c.userId === s.id && c.kind === kind), waivers.filter((w) => w.userId === s.id && w.kind === kind), now);
        rows.push({ userId: s.id, displayName: s.display_name, email: s.email, roles: s.roles, kind, state: st.state, expiresAt: st.expiresAt?.toISOString() ?? null, certificateId: st.certificateId });
        totals[kind][st.state === 'revoked' ? 'missing' : st.state]++;
      }
    }
    return { missionId, generatedAt: now.toISOString(), totals, rows };
  }
}

/** Certifications the roles need (a role without a gated action needs none). */
export function requiredKinds(roles: Role[]): CertificationKind[] {
  return [...new Set(roles.map((r) => CERTIFICATION_FOR_ROLE[r]).filter((k): k is CertificationKind => !!k))];
}
