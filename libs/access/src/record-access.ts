import { Injectable } from '@nestjs/common';
import { DomainException } from '@hub/common';
import { subjectOf } from './ability.factory';
import { Action, SubjectName } from './permissions';
import { CallerContext } from './policy.decorator';

/**
 * Record-level checks after loading. A record the caller may not act on answers 404, exactly like a missing one;
 * the exception carries the denial, audited in the record's mission by the DenialRecorder once the request's
 * transaction has ended (never on a second connection from inside it).
 */
@Injectable()
export class RecordAccess {
  async assert<T extends object>(
    caller: CallerContext,
    action: Action,
    type: SubjectName,
    record: T | null | undefined,
    audit: { id: string; missionId: string | null },
  ): Promise<T> {
    if (!record) throw DomainException.notFound(type);
    if (caller.ability.can(action, subjectOf(type, record))) return record;
    throw DomainException.notFound(type).deniedOn({
      missionId: audit.missionId,
      subjectType: type,
      subjectId: audit.id,
      details: { attempted: action },
    });
  }
}
