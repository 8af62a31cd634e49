import { Injectable, Logger } from '@nestjs/common';
import { AuditService } from '@hub/audit';
import { DomainException } from '@hub/common';
import type { Principal } from './principal';

/** Where a refusal happened and who asked. */
export interface RefusalContext {
  actorId: string | null;
  requestId: string | null;
  ip: string | null;
  /** `GET /api/cases/:id`, or a socket event such as `ws:consultations join`. */
  route: string;
}

/**
 * The one place refusals are audited. Every HTTP answer of 403 or 404 (and any exception marked with
 * `deniedOn(...)`) given to a signed-in caller passes through the exception filter, which calls `record`; the socket
 * gateways call it for every refused event. A new route or event therefore cannot forget to audit its refusals.
 *
 * It writes after the request's transaction has ended (the exception has left it), so auditing a refusal never
 * holds a second pool connection while the first is held: the deadlock of issue 12 finding 3.
 */
@Injectable()
export class DenialRecorder {
  private readonly logger = new Logger('Denials');

  constructor(private readonly audit: AuditService) {}

  async record(e: DomainException, who: RefusalContext): Promise<void> {
    if (!e.isRefusal) return;
    const d = e.denial;
    await this.audit.record({
      action: d?.action ?? 'access.denied',
      outcome: 'denied',
      actorId: who.actorId,
      missionId: d?.missionId ?? null,
      subjectType: d?.subjectType ?? 'Route',
      subjectId: (d ? d.subjectId : who.route)?.slice(0, 80) ?? null,
      requestId: who.requestId,
      ip: who.ip,
      details: { ...(d?.details ?? {}), route: who.route.slice(0, 120), code: e.code },
    });
  }

  /** For callers that must not fail because the audit could not be written (the answer is a refusal anyway). */
  async recordQuietly(e: DomainException, who: RefusalContext): Promise<void> {
    try {
      await this.record(e, who);
    } catch (err) {
      this.logger.error({ err }, 'could not audit a refusal');
    }
  }
}

/** The refusal context of an HTTP request, from what the AccessGuard left on it. */
export function refusalContextOf(
  req: { principal?: Principal; id?: string; ip?: string; method?: string; route?: { path?: string }; path?: string },
  e: DomainException,
): RefusalContext | null {
  // A 404 on a public route (an unknown certificate code) is no access decision; a marked refusal always is.
  if (!req.principal && !e.denial) return null;
  return {
    actorId: req.principal?.userId ?? null,
    requestId: req.id ?? null,
    ip: req.ip ?? null,
    route: `${req.method ?? '?'} ${req.route?.path ?? req.path ?? '?'}`,
  };
}
