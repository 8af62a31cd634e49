import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { Action, actorOf, CallerContext, cohortScopeOf, RecordAccess, subjectOf } from '@hub/access';
import { AuditService } from '@hub/audit';
import { DomainException } from '@hub/common';
import type { CohortDetailView, CohortSummaryView } from '@hub/contracts';
import { MEMBERSHIP_MISSIONS_SQL } from '@hub/identity';
import { CreateCohortDto, MissionQuery, UpdateCohortDto } from './dto/training.dto';
import { Cohort, CohortCourse, CohortMember } from './entities/cohort.entity';
import { Course } from './entities/course.entity';
import { ProgressCalculator, summary } from './progress';
import { TrainingRepository } from './training.repository';

/** Cohorts: a trainer enrols a mission's users (e.g. an incoming rotation) in courses and follows their progress. */
@Injectable()
export class CohortsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: RecordAccess,
    private readonly progress: ProgressCalculator,
    private readonly audit: AuditService,
    private readonly training: TrainingRepository,
  ) {}

  async list(caller: CallerContext, q: MissionQuery): Promise<CohortSummaryView[]> {
    if (q.missionId && !caller.ability.can(Action.Read, subjectOf('Cohort', { missionId: q.missionId }))) throw DomainException.notFound('Mission');
    const cohorts = await this.training.cohorts(cohortScopeOf(caller.principal), q.missionId);
    return Promise.all(cohorts.map((c) => this.summary(c, this.dataSource.manager)));
  }

  async create(caller: CallerContext, dto: CreateCohortDto): Promise<CohortDetailView> {
    if (!caller.ability.can(Action.Create, subjectOf('Cohort', { missionId: dto.missionId }))) throw DomainException.notFound('Mission');
    checkDates(dto.startsOn ?? null, dto.endsOn ?? null);
    return this.dataSource.transaction(async (m) => {
      const cohort = await m.save(
        m.create(Cohort, { missionId: dto.missionId, name: dto.name.trim(), description: dto.description ?? '', startsOn: dto.startsOn ?? null, endsOn: dto.endsOn ?? null, createdById: caller.principal.userId }),
      );
      await this.setMembers(m, cohort, dto.memberIds);
      await this.setCourses(m, cohort, dto.courseIds);
      await this.audit.record({ action: 'training.cohort_created', outcome: 'success', missionId: cohort.missionId, subjectType: 'Cohort', subjectId: cohort.id, details: { members: dto.memberIds.length, courses: dto.courseIds.length }, ...actorOf(caller) }, m);
      return this.detail(cohort, m);
    });
  }

  async get(caller: CallerContext, id: string): Promise<CohortDetailView> {
    const m = this.dataSource.manager;
    const cohort = await m.findOne(Cohort, { where: { id } });
    await this.access.assert(caller, Action.Read, 'Cohort', cohort, { id, missionId: cohort?.missionId ?? null });
    return this.detail(cohort!, m);
  }

  async update(caller: CallerContext, id: string, dto: UpdateCohortDto): Promise<CohortDetailView> {
    return this.dataSource.transaction(async (m) => {
      const cohort = await m.findOne(Cohort, { where: { id } });
      await this.access.assert(caller, Action.Update, 'Cohort', cohort, { id, missionId: cohort?.missionId ?? null });
      const { memberIds, courseIds, ...fields } = dto;
      Object.assign(cohort!, fields);
      checkDates(cohort!.startsOn, cohort!.endsOn);
      await m.save(cohort!);
      if (memberIds) await this.setMembers(m, cohort!, memberIds);
      if (courseIds) await this.setCourses(m, cohort!, courseIds);
      await this.audit.record({ action: 'training.cohort_updated', outcome: 'success', missionId: cohort!.missionId, subjectType: 'Cohort', subjectId: id, details: { fields: Object.keys(dto) }, ...actorOf(caller) }, m);
      return this.detail(cohort!, m);
    });
  }

  /** Members must be users of the cohort's mission: anyone else is named in the error and nothing is stored. */
  private async setMembers(m: EntityManager, cohort: Cohort, memberIds: string[]) {
    const ids = [...new Set(memberIds)];
    const ok: { id: string }[] = ids.length
      ? await m.query(
          `SELECT DISTINCT m.user_id AS id FROM memberships m JOIN users u ON u.id = m.user_id
            WHERE u.active AND m.user_id = ANY($1::uuid[]) AND $2 = ANY(${MEMBERSHIP_MISSIONS_SQL})`,
          [ids, cohort.missionId],
        )
      : [];
    const known = new Set(ok.map((r) => r.id));
    const bad = memberIds.findIndex((id) => !known.has(id));
    if (bad >= 0) throw DomainException.invalid(`memberIds.${bad}`, "is not a user of the cohort's mission");
    await m.delete(CohortMember, { cohortId: cohort.id });
    if (ids.length) await m.insert(CohortMember, ids.map((userId) => ({ cohortId: cohort.id, userId })));
  }

  /** Courses must be the mission's own or global ones. */
  private async setCourses(m: EntityManager, cohort: Cohort, courseIds: string[]) {
    const ids = [...new Set(courseIds)];
    const courses = ids.length ? await m.find(Course, { where: { id: In(ids) } }) : [];
    const known = new Set(courses.filter((c) => c.missionId === null || c.missionId === cohort.missionId).map((c) => c.id));
    const bad = courseIds.findIndex((id) => !known.has(id));
    if (bad >= 0) throw DomainException.invalid(`courseIds.${bad}`, "is not a course of the cohort's mission");
    await m.delete(CohortCourse, { cohortId: cohort.id });
    if (ids.length) await m.insert(CohortCourse, ids.map((courseId) => ({ cohortId: cohort.id, courseId })));
  }

  private async summary(c: Cohort, m: EntityManager): Promise<CohortSummaryView> {
    const [members, courses] = await Promise.all([m.count(CohortMember, { where: { cohortId: c.id } }), m.find(CohortCourse, { where: { cohortId: c.id } })]);
    return { id: c.id, missionId: c.missionId, name: c.name, description: c.description, startsOn: c.startsOn, endsOn: c.endsOn, memberCount: members, courseIds: courses.map((x) => x.courseId) };
  }

  private async detail(c: Cohort, m: EntityManager): Promise<CohortDetailView> {
    const base = await this.summary(c, m);
    const members: { user_id: string; display_name: string; email: string }[] = await m.query(
      `SELECT cm.user_id, u.display_name, u.email FROM training_cohort_members cm JOIN users u ON u.id = cm.user_id WHERE cm.cohort_id = $1 ORDER BY u.display_name`,
      [c.id],
    );
    const courses = base.courseIds.length ? await m.find(Course, { where: { id: In(base.courseIds) }, order: { title: 'ASC' } }) : [];
    const progress = [];
    for (const u of members) for (const course of courses) progress.push({ userId: u.user_id, courseId: course.id, ...summary(await this.progress.of(m, course, u.user_id)) });
    return {
      ...base,
      members: members.map((u) => ({ userId: u.user_id, displayName: u.display_name, email: u.email })),
      courses: courses.map((x) => ({ id: x.id, title: x.title, language: x.language, certificationKind: x.certificationKind })),
      progress,
    };
  }
}

/** A cohort cannot end before it starts (ISO dates compare as strings). */
function checkDates(startsOn: string | null, endsOn: string | null): void {
  if (startsOn && endsOn && endsOn < startsOn) throw DomainException.invalid('endsOn', 'is before startsOn');
}
