import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AccessScope, MY_CONSULTATIONS } from '@hub/access';
import { ConsultationSession } from './entities/consultation-session.entity';

/** A session with the condition fields the consultation policy reads (its case's, its participants', its invitations'). */
export interface SessionAccess {
  session: ConsultationSession;
  /** The record CASL checks (`subjectOf('Consultation', access)`), loaded by the same SQL the lists filter with. */
  access: Record<string, unknown>;
}

/**
 * Session queries. Lists take the caller's scope and apply the consultation policy's rules (or, for the sessions of
 * a case, the case policy's) in SQL: the rules the CASL ability applies to one session
 * (libs/access/src/policies/consultation.policy.ts).
 */
@Injectable()
export class ConsultationsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * One session with its access record, unchecked: the caller checks it (`ability.can(action, subjectOf('Consultation',
   * access))`), as a case is loaded and then checked. `lock` takes the session row for update.
   */
  async load(scope: AccessScope<'Consultation'>, id: string, manager: EntityManager = this.dataSource.manager, lock = false): Promise<SessionAccess | null> {
    const qb = manager.getRepository(ConsultationSession).createQueryBuilder('s').where('s.id = :id', { id });
    if (lock) qb.setLock('pessimistic_write');
    const session = await qb.getOne();
    if (!session) return null;
    const access = await this.accessOf(scope, session.id, manager);
    return access && { session, access };
  }

  /** The session's condition fields (policy columns, read by the policy's own SQL). */
  async accessOf(scope: AccessScope<'Consultation'>, id: string, manager: EntityManager = this.dataSource.manager): Promise<Record<string, unknown> | null> {
    const [row] = await manager.query(`SELECT ${scope.fields('s')} FROM consultation_sessions s ${scope.joins('s')} WHERE s.id = $1`, [id]);
    return row ?? null;
  }

  /** Sessions not ended that the caller hosts, has a place in, or is invited to by name (MY_CONSULTATIONS), newest first. */
  async mine(scope: AccessScope<'Consultation'>, limit: number): Promise<ConsultationSession[]> {
    const params: unknown[] = [];
    const where = scope.where('s', params, { only: MY_CONSULTATIONS });
    params.push(limit);
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT s.id FROM consultation_sessions s ${scope.joins('s')} WHERE s.status <> 'ended' AND ${where} ORDER BY s.created_at DESC, s.id DESC LIMIT $${params.length}`,
      params,
    );
    return this.byIds(rows.map((r) => r.id));
  }

  /**
   * The sessions of a case, newest first, for a caller who may read the case: the records of its calls are part of
   * the case, so the case policy's read rules (its scope) choose them.
   */
  async forCase(caseScope: AccessScope<'Case'>, caseId: string): Promise<ConsultationSession[]> {
    const params: unknown[] = [caseId];
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT s.id FROM consultation_sessions s JOIN referral_cases c ON c.id = s.case_id WHERE s.case_id = $1 AND ${caseScope.where('c', params)} ORDER BY s.created_at DESC, s.id DESC`,
      params,
    );
    return this.byIds(rows.map((r) => r.id));
  }

  /** The sessions of these ids, in this order. */
  private async byIds(ids: string[]): Promise<ConsultationSession[]> {
    if (!ids.length) return [];
    const rows = await this.dataSource.getRepository(ConsultationSession).createQueryBuilder('s').whereInIds(ids).getMany();
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id)).filter((s): s is ConsultationSession => !!s);
  }
}
