import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { actorOf, CallerContext, clinicalScopeOf } from '@hub/access';
import { AuditService } from '@hub/audit';
import { caseReference, CaseMessage } from '@hub/cases';
import { Clock, DomainException, ErrorCode } from '@hub/common';
import type { HandOverResult } from '@hub/contracts';
import { NotificationsService } from '@hub/notifications';
import { HandOverRotationDto } from './dto/rotations.dto';

/** An officer membership at the facility that has not ended at `now` (an incoming one may start later). */
export const CURRENT_OFFICER_SQL = (user: string, facility: string, now: string) => `
  EXISTS (SELECT 1 FROM memberships m JOIN users u ON u.id = m.user_id
           WHERE m.user_id = ${user} AND m.facility_id = ${facility} AND m.role = 'field_medical_officer' AND u.active
             AND (m.ends_at IS NULL OR m.ends_at > ${now}))`;

/**
 * An outgoing officer hands over, in one step, every open case they are in charge of (and with them the cases'
 * follow-up checks) to a named successor at the same clinic, or to the clinic as a whole; each case gets the note in
 * its thread. Only the caller's own cases at clinics where they work are touched, so no record access beyond the
 * caller's own clinics is involved (access: the clinic's, clinical-scope.ts).
 */
@Injectable()
export class HandOverService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly notifications: NotificationsService,
    private readonly clock: Clock,
  ) {}

  /** Officers of the caller's clinics (not the caller) whose rotation has not ended: the possible successors. */
  async successors(caller: CallerContext): Promise<{ id: string; displayName: string; facilityName: string }[]> {
    const scope = clinicalScopeOf(caller.principal);
    if (!scope.clinicFacilityIds.length) return [];
    const rows: { id: string; display_name: string; facility_name: string }[] = await this.dataSource.query(
      `SELECT DISTINCT u.id, u.display_name, f.name AS facility_name FROM memberships m JOIN users u ON u.id = m.user_id JOIN facilities f ON f.id = m.facility_id
        WHERE m.role = 'field_medical_officer' AND m.facility_id = ANY($1::uuid[]) AND u.active AND u.id <> $2
          AND (m.ends_at IS NULL OR m.ends_at > $3)
        ORDER BY u.display_name`,
      [scope.clinicFacilityIds, caller.principal.userId, this.clock.now()],
    );
    return rows.map((r) => ({ id: r.id, displayName: r.display_name, facilityName: r.facility_name }));
  }

  async handOver(caller: CallerContext, dto: HandOverRotationDto): Promise<HandOverResult> {
    const scope = clinicalScopeOf(caller.principal);
    if (!scope.clinicFacilityIds.length) {
      throw new DomainException(ErrorCode.Forbidden, 'Only a field medical officer hands over clinic cases').deniedOn({
        action: 'rotation.hand_over',
        subjectType: 'Case',
        subjectId: null,
        missionId: null,
      });
    }
    const successorId = dto.successorId ?? null;
    if (successorId === caller.principal.userId) throw DomainException.invalid('successorId', 'choose a colleague, not yourself');
    const now = this.clock.now();
    const note = dto.note.trim();
    const { result, notices } = await this.dataSource.transaction(async (m) => {
      const cases: { id: string; mission_id: string; facility_id: string }[] = await m.query(
        `SELECT id, mission_id, facility_id FROM referral_cases
          WHERE responsible_officer_id = $1 AND facility_id = ANY($2::uuid[]) AND status NOT IN ('closed', 'cancelled')
          ORDER BY created_at FOR UPDATE`,
        [caller.principal.userId, scope.clinicFacilityIds],
      );
      if (successorId) {
        for (const facility of new Set(cases.map((c) => c.facility_id))) {
          const [{ ok }]: { ok: boolean }[] = await m.query(`SELECT ${CURRENT_OFFICER_SQL('$1', '$2', '$3')} AS ok`, [successorId, facility, now]);
          // The same answer whether the id is unknown or not an officer there: the clinic's staff list is the place to look.
          if (!ok) throw new DomainException(ErrorCode.NotFound, 'successorId: no officer of your clinic has this id');
        }
        if (!cases.length) {
          const [{ ok }]: { ok: boolean }[] = await m.query(
            `SELECT bool_or(${CURRENT_OFFICER_SQL('$1', 'f', '$3')}) AS ok FROM unnest($2::uuid[]) AS f`,
            [successorId, scope.clinicFacilityIds, now],
          );
          if (!ok) throw new DomainException(ErrorCode.NotFound, 'successorId: no officer of your clinic has this id');
        }
      }
      const ids = cases.map((c) => c.id);
      if (ids.length) {
        await m.query('UPDATE referral_cases SET responsible_officer_id = $2, updated_at = now() WHERE id = ANY($1::uuid[])', [ids, successorId]);
      }
      const [{ checks }]: { checks: number }[] = await m.query(
        'SELECT count(*)::int AS checks FROM follow_up_checks WHERE case_id = ANY($1::uuid[]) AND recorded_at IS NULL',
        [ids],
      );
      const successorName = successorId
        ? ((await m.query('SELECT display_name FROM users WHERE id = $1', [successorId])) as { display_name: string }[])[0].display_name
        : null;
      for (const c of cases) {
        await m.getRepository(CaseMessage).insert({
          caseId: c.id,
          authorId: caller.principal.userId,
          kind: 'hand_over_note',
          body: `${successorName ? `Handed over to ${successorName}` : 'Handed over to the clinic'}: ${note}`,
        });
        await this.audit.record(
          { ...actorOf(caller), action: 'case.officer_hand_over', outcome: 'success', missionId: c.mission_id, subjectType: 'Case', subjectId: c.id, details: { successorId } },
          m,
        );
      }
      const notices = ids.length
        ? await this.notifications.record(
            successorId
              ? [successorId]
              : ((await m.query(
                  `SELECT DISTINCT m.user_id AS id FROM memberships m JOIN users u ON u.id = m.user_id
                    WHERE u.active AND m.role = 'field_medical_officer' AND m.facility_id = ANY($1::uuid[]) AND m.user_id <> $2
                      AND (m.ends_at IS NULL OR m.ends_at > $3)`,
                  [[...new Set(cases.map((c) => c.facility_id))], caller.principal.userId, now],
                )) as { id: string }[]).map((r) => r.id),
            {
              kind: 'rotation.handed_over',
              params: { name: caller.principal.displayName, count: ids.length },
              caseId: ids.length === 1 ? ids[0] : null,
              text: `${caller.principal.displayName} handed over ${ids.length} open case(s)${successorId ? ' to you' : ' to the clinic'}`,
            },
            m,
          )
        : [];
      return { result: { cases: ids.map((id) => ({ id, reference: caseReference(id) })), checks, successorId }, notices };
    });
    this.notifications.publish(notices);
    return result;
  }
}
