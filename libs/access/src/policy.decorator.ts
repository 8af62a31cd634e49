import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity } from '@nestjs/swagger';
import type { AppAbility } from './ability.factory';
import { Action, SubjectName } from './permissions';
import type { Principal, RequestContext } from './principal';

export const POLICY_KEY = 'hub:policy';

export type PolicyDeclaration =
  | { kind: 'public' }
  | { kind: 'authenticated'; duringMfaEnrolment: boolean }
  | { kind: 'node' }
  | { kind: 'ability'; action: Action; subject: SubjectName };

/**
 * The one way a route or socket handler declares who may call it. The global AccessGuard denies anything without a
 * declaration, and a test fails if such a route exists.
 */
export const Policy = {
  /** Anyone, signed in or not. Use sparingly: login, token refresh, health, public verification. */
  public: () => applyDecorators(SetMetadata(POLICY_KEY, { kind: 'public' } satisfies PolicyDeclaration), ApiSecurity({})),
  /** Any signed-in user; the handler itself limits what they reach (e.g. their own profile). */
  authenticated: (options: { duringMfaEnrolment?: boolean } = {}) =>
    applyDecorators(
      SetMetadata(POLICY_KEY, {
        kind: 'authenticated',
        duringMfaEnrolment: options.duringMfaEnrolment ?? false,
      } satisfies PolicyDeclaration),
      ApiBearerAuth(),
    ),
  /**
   * Field nodes only (libs/sync): `Authorization: Node <credential>` of an enrolled, unrevoked node. No user is
   * signed in; the handler re-checks each synced change against the rights of the user who made it.
   */
  node: () => applyDecorators(SetMetadata(POLICY_KEY, { kind: 'node' } satisfies PolicyDeclaration), ApiSecurity('node')),
  /** Signed-in users whose ability allows the action on some records of the subject; services check the record. */
  can: (action: Action, subject: SubjectName) =>
    applyDecorators(
      SetMetadata(POLICY_KEY, { kind: 'ability', action, subject } satisfies PolicyDeclaration),
      ApiBearerAuth(),
    ),
};

/** A field node authenticated by its credential (Policy.node()). */
export interface NodeIdentity {
  nodeId: string;
  missionId: string;
  facilityId: string;
}

export interface AuthenticatedRequest {
  node?: NodeIdentity;
  principal?: Principal;
  ability?: AppAbility;
  id?: string;
  ip?: string;
}

/** The caller and their ability, set by the AccessGuard. */
export const Caller = createParamDecorator((_: unknown, ctx: ExecutionContext): CallerContext => {
  const req = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
  if (!req.principal || !req.ability) throw new Error('Caller used on a route without authentication');
  return { principal: req.principal, ability: req.ability, request: { requestId: req.id ?? null, ip: req.ip ?? null } };
});

/** The field node calling a Policy.node() route. */
export const CallingNode = createParamDecorator((_: unknown, ctx: ExecutionContext): NodeIdentity => {
  const req = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
  if (!req.node) throw new Error('CallingNode used on a route without Policy.node()');
  return req.node;
});

/** Request id and address, for routes that audit without a signed-in caller (login). */
export const RequestInfo = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): RequestContext => {
    const req = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
    return { requestId: req.id ?? null, ip: req.ip ?? null };
  },
);

export interface CallerContext {
  principal: Principal;
  ability: AppAbility;
  request: RequestContext;
}

/** Who did it, for an audit record: the caller, their request id and address. */
export function actorOf(caller: CallerContext): { actorId: string; requestId: string | null; ip: string | null } {
  return { actorId: caller.principal.userId, requestId: caller.request.requestId, ip: caller.request.ip };
}
