import { Injectable } from '@nestjs/common';
import { AuditService } from '@hub/audit';
import { DomainException } from '@hub/common';
import { subjectOf } from './ability.factory';
import { Action, SubjectName } from './permissions';
import { CallerContext } from './policy.decorator';

/**
 * Record-level checks after loading. A record the caller may not act on answers 404, exactly like a missing one,
 * and the denial is audited in the record's mission.
 */
@Injectable()
export class RecordAccess {
  constructor(private readonly audit: AuditService) {}

  async assert<T extends object>(
    caller: CallerContext,
    action: Action,
    type: SubjectName,
    record: T | null | undefined,
    audit: { id: string; missionId: string | null },
  ): Promise<T> {
    if (!record) throw DomainException.notFound(type);
    if (caller.ability.can(action, subjectOf(type, record))) return record;
    await this.audit.record({
      action: 'access.denied',
      outcome: 'denied',
      actorId: caller.principal.userId,
      missionId: audit.missionId,
      subjectType: type,
      subjectId: audit.id,
      requestId: caller.request.requestId,
      ip: caller.request.ip,
      details: { attempted: action },
    });
    throw DomainException.notFound(type);
  }
}
