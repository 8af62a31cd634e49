import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { AccessScope, Action, learnerMissionsSql, ScopeOptions } from '@hub/access';
import type { CertificationKind } from '@hub/contracts';
import { CourseListQuery, ResourceQuery } from './dto/training.dto';
import { Certificate, CertificationWaiver } from './entities/certificate.entity';
import { Cohort } from './entities/cohort.entity';
import { Course } from './entities/course.entity';
import { QuizAttempt } from './entities/progress.entity';
import { Resource } from './entities/resource.entity';

const CONFIG = { en: 'english', fr: 'french' } as const;

/**
 * The scope's SQL over `alias` with named parameters (`:<prefix>N`), for TypeORM's query builder: the access
 * engine's predicate is the only filter deciding whose records a training list holds.
 */
export function scopeWhere(scope: AccessScope, alias: string, prefix: string, options: ScopeOptions = {}): { sql: string; params: Record<string, unknown> } {
  const positional: unknown[] = [];
  const sql = scope.where(alias, positional, options).replace(/\$(\d+)/g, (_, i: string) => `:${prefix}${i}`);
  return { sql: `(${sql})`, params: Object.fromEntries(positional.map((v, i) => [`${prefix}${i + 1}`, v])) };
}

function andScope<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>, scope: AccessScope, alias: string, prefix: string, options: ScopeOptions = {}): SelectQueryBuilder<T> {
  const { sql, params } = scopeWhere(scope, alias, prefix, options);
  return qb.andWhere(sql, params);
}

/**
 * Every training list and learner lookup, each taking the caller's `AccessScope` of the subject (policies in
 * libs/access/src/policies/training.policy.ts): a list cannot be written without it, and returns exactly the records
 * the same policy's CASL rules allow one by one (training-policy.int-spec.ts).
 */
@Injectable()
export class TrainingRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Courses the caller reads; drafts and archived ones only where they may manage them. */
  async courses(scope: AccessScope<'Course'>, q: CourseListQuery): Promise<Course[]> {
    const qb = this.dataSource.getRepository(Course).createQueryBuilder('c').orderBy('c.title').addOrderBy('c.language');
    andScope(qb, scope, 'c', 'read_');
    const manage = scopeWhere(scope, 'c', 'manage_', { action: Action.Update });
    qb.andWhere(`(c.status = 'published' OR ${manage.sql})`, manage.params);
    if (q.language) qb.andWhere('c.language = :language', { language: q.language });
    if (q.status) qb.andWhere('c.status = :status', { status: q.status });
    return qb.getMany();
  }

  /** Published certification courses of the kind the caller reads: their missions' first, then global ones. */
  async certificationCourses(scope: AccessScope<'Course'>, kind: CertificationKind): Promise<{ id: string; title: string; language: string }[]> {
    const params: unknown[] = [kind];
    return this.dataSource.query(
      `SELECT c.id, c.title, c.language FROM training_courses c
        WHERE c.status = 'published' AND c.certification_kind = $1 AND ${scope.where('c', params)}
        ORDER BY (c.mission_id IS NULL), c.language, c.title LIMIT 10`,
      params,
    );
  }

  /** The resource centre: documents the caller reads, optionally matched by full-text search (ranked). */
  async resources(scope: AccessScope<'TrainingResource'>, q: ResourceQuery): Promise<(Resource & { rank?: number; snippet?: string })[]> {
    const qb = this.dataSource.getRepository(Resource).createQueryBuilder('r').limit(100);
    andScope(qb, scope, 'r', 'read_');
    if (q.language) qb.andWhere('r.language = :language', { language: q.language });
    if (q.kind) qb.andWhere('r.kind = :kind', { kind: q.kind });
    if (q.tag) qb.andWhere(':tag = ANY(r.tags)', { tag: q.tag });
    const text = q.q?.trim();
    if (!text) return qb.orderBy('r.title').getMany();
    // One GIN-indexed match per language configuration (a bitmap OR), ranked with title hits first.
    const langs = q.language ? [q.language] : (['en', 'fr'] as const);
    const match = langs.map((l) => `(r.language = '${l}' AND r.search @@ websearch_to_tsquery('${CONFIG[l]}', :q))`).join(' OR ');
    const query = `websearch_to_tsquery(CASE r.language WHEN 'fr' THEN 'french'::regconfig ELSE 'english'::regconfig END, :q)`;
    qb.andWhere(`(${match})`, { q: text })
      .addSelect(`ts_rank(r.search, ${query})`, 'rank')
      .addSelect(`ts_headline(CASE r.language WHEN 'fr' THEN 'french'::regconfig ELSE 'english'::regconfig END, r.title || '. ' || r.summary || ' ' || r.body, ${query}, 'StartSel=«, StopSel=», MaxWords=25, MinWords=8')`, 'snippet')
      .orderBy('rank', 'DESC')
      .addOrderBy('r.title');
    const { entities, raw } = await qb.getRawAndEntities();
    return entities.map((r, i) => Object.assign(r, { rank: Number(raw[i].rank), snippet: raw[i].snippet as string }));
  }

  async cohorts(scope: AccessScope<'Cohort'>, missionId?: string): Promise<Cohort[]> {
    const qb = this.dataSource.getRepository(Cohort).createQueryBuilder('c').orderBy('c.createdAt', 'DESC');
    andScope(qb, scope, 'c', 'read_');
    if (missionId) qb.andWhere('c.missionId = :missionId', { missionId });
    return qb.getMany();
  }

  /** Certificates the caller reads (their own; their missions' staff's), optionally of one holder or mission's staff. */
  async certificates(scope: AccessScope<'Certificate'>, q: { userId?: string; missionId?: string; only?: readonly string[] }): Promise<Certificate[]> {
    const qb = this.dataSource.getRepository(Certificate).createQueryBuilder('c').orderBy('c.issuedAt', 'DESC').limit(1000);
    andScope(qb, scope, 'c', 'read_', { only: q.only });
    if (q.userId) qb.andWhere('c.userId = :userId', { userId: q.userId });
    if (q.missionId) qb.andWhere(`:missionId = ANY(${learnerMissionsSql('c.user_id')})`, { missionId: q.missionId });
    return qb.getMany();
  }

  async waivers(scope: AccessScope<'Waiver'>, missionId?: string): Promise<CertificationWaiver[]> {
    const qb = this.dataSource.getRepository(CertificationWaiver).createQueryBuilder('w').orderBy('w.createdAt', 'DESC').limit(1000);
    andScope(qb, scope, 'w', 'read_');
    if (missionId) qb.andWhere('w.missionId = :missionId', { missionId });
    return qb.getMany();
  }

  /** Whether the caller may read this learner's training records (their progress on a course, `?userId=`). */
  async reachesLearner(scope: AccessScope<'Certificate'>, userId: string, m: EntityManager = this.dataSource.manager): Promise<boolean> {
    const params: unknown[] = [userId];
    const rows = await m.query(`SELECT 1 FROM (SELECT $1::uuid AS user_id) r WHERE ${scope.where('r', params)}`, params);
    return rows.length > 0;
  }

  /** The caller's attempts at a course's quiz (nobody reaches another learner's). */
  async attempts(scope: AccessScope<'QuizAttempt'>, courseId: string, m: EntityManager = this.dataSource.manager): Promise<QuizAttempt[]> {
    const qb = m.getRepository(QuizAttempt).createQueryBuilder('a').where('a.courseId = :courseId', { courseId }).orderBy('a.startedAt', 'DESC');
    andScope(qb, scope, 'a', 'read_');
    return qb.getMany();
  }
}
