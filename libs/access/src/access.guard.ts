import { CanActivate, ExecutionContext, Inject, Injectable, Optional } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Denial, DomainException, ErrorCode } from '@hub/common';
import { AbilityFactory } from './ability.factory';
import { CERTIFICATION_DIRECTORY, CertificationDirectory, certificationRequired } from './certification';
import { AuthenticatedRequest, NodeIdentity, POLICY_KEY, PolicyDeclaration } from './policy.decorator';
import { Principal } from './principal';

/** Turns a bearer access token into the caller, loaded fresh from the database. Provided by the identity module. */
export interface PrincipalResolver {
  resolve(accessToken: string): Promise<Principal>;
  /** The user a valid access token names, from its signature alone (no database); null when not valid. */
  userIdOf?(accessToken: string): string | null;
}

/** Requests of one user in flight at once (USER_MAX_CONCURRENT_REQUESTS); provided by the hub's app module. */
export const USER_CONCURRENCY_LIMIT = Symbol('USER_CONCURRENCY_LIMIT');
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
    @Optional() @Inject(CERTIFICATION_DIRECTORY) private readonly certifications?: CertificationDirectory,
    @Optional() @Inject(USER_CONCURRENCY_LIMIT) private readonly concurrencyLimit?: number,
    @Optional() @Inject(NODE_AUTHENTICATOR) private readonly nodes?: NodeAuthenticator,
  ) {}

  /** userId -> requests in flight. */
  private readonly inFlight = new Map<string, number>();

  /**
   * Per-user cap on requests in flight, taken before the database is touched: one user's burst (refused or not)
   * answers 429 instead of taking every pool connection from everyone else. Released when the response closes.
   */
  private admit(token: string, res: { once(event: 'close', cb: () => void): unknown } | undefined): void {
    const limit = this.concurrencyLimit;
    const userId = limit && res ? this.principals.userIdOf?.(token) : null;
    if (!userId || !limit || !res) return;
    const n = this.inFlight.get(userId) ?? 0;
    if (n >= limit) {
      throw new DomainException(ErrorCode.TooManyRequests, `Too many requests at once (at most ${limit}); wait for the previous ones to finish`);
    }
    this.inFlight.set(userId, n + 1);
    res.once('close', () => {
      const left = (this.inFlight.get(userId) ?? 1) - 1;
      if (left > 0) this.inFlight.set(userId, left);
      else this.inFlight.delete(userId);
    });
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true; // socket gateways authorise in their own handshake middleware
    const policy = this.reflector.getAllAndOverride<PolicyDeclaration | undefined>(POLICY_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    const req = context.switchToHttp().getRequest<AuthenticatedRequest & { headers: Record<string, string>; method: string; route?: { path: string } }>();
    const route = `${req.method} ${req.route?.path ?? '?'}`;
    if (!policy) {
      throw new DomainException(ErrorCode.Forbidden, 'This route has no access policy and is closed').deniedOn(this.denial(route, 'no policy declared'));
    }
    if (policy.kind === 'public') return true;
    if (policy.kind === 'node') {
      if (!this.nodes) throw new DomainException(ErrorCode.Forbidden, 'Field-node sync is not available on this server');
      req.node = await this.nodes.authenticate(req.headers.authorization, { id: req.id, ip: req.ip, route });
      return true;
    }

    const token = bearerToken(req.headers.authorization);
    if (!token) throw new DomainException(ErrorCode.Unauthenticated, 'Authorization: a bearer access token is required');
    this.admit(token, context.switchToHttp().getResponse());
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
      const denial = this.denial(route, missing ? `certification ${missing} required` : `${policy.action} ${policy.subject}`);
      if (missing) {
        const courses = (await this.certifications?.coursesFor(principal, missing)) ?? [];
        throw certificationRequired(missing, courses, `${policy.action} on ${policy.subject}`).deniedOn(denial);
      }
      throw new DomainException(ErrorCode.Forbidden, `Your role does not allow ${policy.action} on ${policy.subject}`).deniedOn(denial);
    }
    return true;
  }

  /** Audited by the DenialRecorder when the refusal reaches the exception filter. */
  private denial(route: string, reason: string): Denial {
    return { subjectType: 'Route', subjectId: route.slice(0, 80), missionId: null, details: { reason } };
  }
}
