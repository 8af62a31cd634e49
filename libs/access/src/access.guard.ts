import { CanActivate, ExecutionContext, Inject, Injectable, Optional } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuditService } from '@hub/audit';
import { DomainException, ErrorCode } from '@hub/common';
import { AbilityFactory } from './ability.factory';
import { CERTIFICATION_DIRECTORY, CertificationDirectory, certificationRequired } from './certification';
import { AuthenticatedRequest, NodeIdentity, POLICY_KEY, PolicyDeclaration } from './policy.decorator';
import { Principal } from './principal';

/** Turns a bearer access token into the caller, loaded fresh from the database. Provided by the identity module. */
export interface PrincipalResolver {
  resolve(accessToken: string): Promise<Principal>;
}
export const PRINCIPAL_RESOLVER = Symbol('PRINCIPAL_RESOLVER');

/** Turns `Authorization: Node <credential>` into the calling node, or throws 401 (audited). Provided by libs/sync. */
export interface NodeAuthenticator {
  authenticate(authorization: string | undefined, request: { id?: string; ip?: string; route: string }): Promise<NodeIdentity>;
}
export const NODE_AUTHENTICATOR = Symbol('NODE_AUTHENTICATOR');

export function bearerToken(header: string | string[] | undefined): string | null {
  const value = Array.isArray(header) ? header[0] : header;
  const match = value?.match(/^Bearer\s+(\S+)$/i);
  return match ? match[1] : null;
}

/**
 * The one global guard. Deny by default: a handler without a Policy declaration is refused. Authenticated routes
 * load the caller (so a deactivation or role change applies on the next request) and build their CASL ability.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(PRINCIPAL_RESOLVER) private readonly principals: PrincipalResolver,
    private readonly abilities: AbilityFactory,
    private readonly audit: AuditService,
    @Optional() @Inject(CERTIFICATION_DIRECTORY) private readonly certifications?: CertificationDirectory,
    @Optional() @Inject(NODE_AUTHENTICATOR) private readonly nodes?: NodeAuthenticator,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true; // socket gateways authorise in their own handshake middleware
    const policy = this.reflector.getAllAndOverride<PolicyDeclaration | undefined>(POLICY_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    const req = context.switchToHttp().getRequest<AuthenticatedRequest & { headers: Record<string, string>; method: string; route?: { path: string } }>();
    const route = `${req.method} ${req.route?.path ?? '?'}`;
    if (!policy) {
      await this.deny(null, route, 'no policy declared', req);
      throw new DomainException(ErrorCode.Forbidden, 'This route has no access policy and is closed');
    }
    if (policy.kind === 'public') return true;
    if (policy.kind === 'node') {
      if (!this.nodes) throw new DomainException(ErrorCode.Forbidden, 'Field-node sync is not available on this server');
      req.node = await this.nodes.authenticate(req.headers.authorization, { id: req.id, ip: req.ip, route });
      return true;
    }

    const token = bearerToken(req.headers.authorization);
    if (!token) throw new DomainException(ErrorCode.Unauthenticated, 'Authorization: a bearer access token is required');
    const principal = await this.principals.resolve(token);
    const ability = this.abilities.createFor(principal);
    req.principal = principal;
    req.ability = ability;

    if (!principal.fullAccess && !(policy.kind === 'authenticated' && policy.duringMfaEnrolment)) {
      throw new DomainException(
        ErrorCode.MfaEnrolmentRequired,
        'Enrol an authenticator app (multi-factor authentication) before using the hub',
      );
    }
    if (policy.kind === 'ability' && !ability.can(policy.action, policy.subject)) {
      const missing = this.abilities.missingCertification(principal, policy.action, policy.subject);
      await this.deny(principal.userId, route, missing ? `certification ${missing} required` : `${policy.action} ${policy.subject}`, req);
      if (missing) {
        const courses = (await this.certifications?.coursesFor(principal, missing)) ?? [];
        throw certificationRequired(missing, courses, `${policy.action} on ${policy.subject}`);
      }
      throw new DomainException(ErrorCode.Forbidden, `Your role does not allow ${policy.action} on ${policy.subject}`);
    }
    return true;
  }

  private async deny(actorId: string | null, route: string, reason: string, req: AuthenticatedRequest) {
    await this.audit.record({
      action: 'access.denied',
      outcome: 'denied',
      actorId,
      subjectType: 'Route',
      subjectId: route.slice(0, 80),
      requestId: req.id ?? null,
      ip: req.ip ?? null,
      details: { reason },
    });
  }
}
