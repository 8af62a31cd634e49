import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { generateSecret, generateURI, verify } from 'otplib';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { CallerContext, Principal, RateLimits, RequestContext, SessionEvents } from '@hub/access';
import { AuditService } from '@hub/audit';
import { APP_CONFIG, AppConfig } from '@hub/config';
import { DomainException, ErrorCode } from '@hub/common';
import { Locale, LoginResponse, MeResponse, MFA_REQUIRED_ROLES, TokenPair } from '@hub/contracts';
import { RefreshToken } from './entities/refresh-token.entity';
import { User } from './entities/user.entity';
import { PasswordService } from './password.service';
import { DatabasePrincipalResolver } from './principal.resolver';
import { TokenService } from './token.service';
import { TotpSecrets } from './totp-secrets';

@Injectable()
export class AuthService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly passwords: PasswordService,
    private readonly tokens: TokenService,
    private readonly principals: DatabasePrincipalResolver,
    private readonly limits: RateLimits,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly sessions: SessionEvents,
  ) {
    // Without TOTP_ENCRYPTION_KEY (tests, tools that skip resolveSecrets) a key is derived from the token secret,
    // which also lives outside the database.
    this.totp = new TotpSecrets(config.totpEncryptionKey ?? `totp:${config.jwtSecret ?? ''}`);
  }

  private readonly totp: TotpSecrets;

  async login(email: string, password: string, totp: string | undefined, ctx: RequestContext): Promise<LoginResponse> {
    const address = ctx.ip ?? 'unknown';
    await this.limits.consume('login-address', address, 'Too many sign-in attempts from this address');
    const normalised = email.trim().toLowerCase();
    // Failures are counted per account and address (and, higher, per account), for unknown accounts exactly as for
    // real ones: the answer never tells whether an account exists, and a stranger cannot lock the owner out.
    const pairKey = `${normalised}|${address}`;
    const throttled = 'Too many failed sign-ins for this account from this address';
    await this.limits.check('login-failures', pairKey, throttled);
    await this.limits.check('login-failures-account', normalised, throttled);
    const users = this.dataSource.getRepository(User);
    const user = await users
      .createQueryBuilder('u')
      .addSelect(['u.passwordHash', 'u.mfaSecret', 'u.mfaLastStep'])
      .where('u.email = :email', { email: normalised })
      .getOne();
    const fail = async (actorId: string | null, reason: string) => {
      await this.audit.record({
        action: 'auth.login',
        outcome: 'failure',
        actorId,
        subjectType: 'User',
        subjectId: actorId,
        requestId: ctx.requestId,
        ip: ctx.ip,
        details: { reason },
      });
      await this.limits.consume('login-failures', pairKey, throttled);
      await this.limits.consume('login-failures-account', normalised, throttled);
    };

    if (!user) {
      await this.passwords.verifyAgainstDummy(password);
      await fail(null, 'unknown email');
      throw new DomainException(ErrorCode.InvalidCredentials, 'Wrong email or password');
    }
    if (!(await this.passwords.verify(user.passwordHash, password))) {
      await fail(user.id, 'wrong password');
      throw new DomainException(ErrorCode.InvalidCredentials, 'Wrong email or password');
    }
    if (!user.active) {
      await fail(user.id, 'account deactivated');
      throw new DomainException(ErrorCode.AccountDisabled, 'This account has been deactivated; ask your administrator');
    }
    if (user.mfaEnabled) {
      if (!totp) {
        throw new DomainException(ErrorCode.MfaRequired, 'Enter the six-digit code from your authenticator app');
      }
      const step = await this.consumeTotp(user, totp);
      if (step === null) {
        await fail(user.id, 'wrong authenticator code');
        throw new DomainException(ErrorCode.InvalidTotp, 'totp: the authenticator code is wrong or was already used');
      }
    }
    await this.limits.reset('login-failures', pairKey);
    const mfaEnrolmentRequired = !user.mfaEnabled && (await this.mfaRequired(user.id));
    const { sessionId, ...pair } = await this.issue(user.id, randomUUID(), !mfaEnrolmentRequired);
    await this.audit.record({
      action: 'auth.login',
      outcome: 'success',
      actorId: user.id,
      subjectType: 'User',
      subjectId: user.id,
      requestId: ctx.requestId,
      ip: ctx.ip,
      details: { mfa: user.mfaEnabled, mfaEnrolmentRequired },
    });
    return { ...pair, user: await this.me(sessionId, user.id, !mfaEnrolmentRequired), mfaEnrolmentRequired };
  }

  /** Rotates a refresh token. Presenting an already-rotated token revokes the whole session (token theft). */
  async refresh(refreshToken: string, ctx: RequestContext): Promise<TokenPair> {
    const hash = this.tokens.hashRefresh(refreshToken);
    const invalid = () => new DomainException(ErrorCode.InvalidRefreshToken, 'refreshToken is not valid; sign in again');
    const outcome = await this.dataSource.transaction(async (manager) => {
      const repo = manager.getRepository(RefreshToken);
      const current = await repo
        .createQueryBuilder('t')
        .setLock('pessimistic_write')
        .where('t.tokenHash = :hash', { hash })
        .getOne();
      if (!current || current.expiresAt <= new Date()) return { kind: 'invalid' as const };
      // Handled after this transaction, which must commit the revocation rather than roll it back with an error.
      if (current.revokedAt) return { kind: 'reused' as const, token: current };
      const user = await manager.getRepository(User).findOneBy({ id: current.userId });
      if (!user?.active) return { kind: 'disabled' as const };
      await repo.update(current.id, { revokedAt: new Date() });
      const { sessionId: _s, ...pair } = await this.issue(current.userId, current.familyId, current.fullAccess, manager);
      return { kind: 'ok' as const, pair };
    });
    switch (outcome.kind) {
      case 'ok':
        return outcome.pair;
      case 'disabled':
        throw new DomainException(ErrorCode.AccountDisabled, 'This account has been deactivated');
      case 'reused':
        await this.dataSource.transaction(async (manager) => {
          await this.revokeFamily(manager, outcome.token.familyId);
          await this.audit.record(
            {
              action: 'auth.refresh_reuse',
              outcome: 'denied',
              actorId: outcome.token.userId,
              subjectType: 'Session',
              subjectId: outcome.token.familyId,
              requestId: ctx.requestId,
              ip: ctx.ip,
            },
            manager,
          );
        });
        throw invalid();
      default:
        throw invalid();
    }
  }

  async logout(refreshToken: string, caller: CallerContext): Promise<void> {
    const token = await this.dataSource
      .getRepository(RefreshToken)
      .findOneBy({ tokenHash: this.tokens.hashRefresh(refreshToken), userId: caller.principal.userId });
    const familyId = token?.familyId ?? caller.principal.sessionId;
    await this.revokeFamily(this.dataSource.manager, familyId);
    if (familyId !== caller.principal.sessionId) await this.revokeFamily(this.dataSource.manager, caller.principal.sessionId);
    this.sessions.changed({ userId: caller.principal.userId, sessionId: familyId, reason: 'logout' });
    if (familyId !== caller.principal.sessionId) this.sessions.changed({ userId: caller.principal.userId, sessionId: caller.principal.sessionId, reason: 'logout' });
    await this.audit.record({
      action: 'auth.logout',
      outcome: 'success',
      actorId: caller.principal.userId,
      subjectType: 'Session',
      subjectId: familyId,
      requestId: caller.request.requestId,
      ip: caller.request.ip,
    });
  }

  async mfaSetup(caller: CallerContext): Promise<{ secret: string; otpauthUrl: string }> {
    const users = this.dataSource.getRepository(User);
    const user = await users.findOneByOrFail({ id: caller.principal.userId });
    if (user.mfaEnabled) throw DomainException.conflict('Multi-factor authentication is already enabled', 'mfa_already_enabled');
    const secret = generateSecret();
    await users.update(user.id, { mfaSecret: this.totp.encrypt(secret) });
    return {
      secret,
      otpauthUrl: generateURI({ issuer: this.config.mfaIssuer, label: user.email, secret }),
    };
  }

  /** Confirms enrolment with a first code and opens a new full-access session. */
  async mfaEnable(code: string, caller: CallerContext): Promise<LoginResponse> {
    const users = this.dataSource.getRepository(User);
    const user = await users
      .createQueryBuilder('u')
      .addSelect(['u.mfaSecret', 'u.mfaLastStep'])
      .where('u.id = :id', { id: caller.principal.userId })
      .getOneOrFail();
    if (user.mfaEnabled) throw DomainException.conflict('Multi-factor authentication is already enabled', 'mfa_already_enabled');
    if (!user.mfaSecret) throw DomainException.conflict('Start enrolment first (POST /api/auth/mfa/setup)', 'mfa_not_started');
    const step = await this.consumeTotp(user, code);
    if (step === null) throw new DomainException(ErrorCode.InvalidTotp, 'code: the authenticator code is wrong');
    await users.update(user.id, { mfaEnabled: true });
    await this.revokeFamily(this.dataSource.manager, caller.principal.sessionId);
    await this.audit.record({
      action: 'auth.mfa_enabled',
      outcome: 'success',
      actorId: user.id,
      subjectType: 'User',
      subjectId: user.id,
      requestId: caller.request.requestId,
      ip: caller.request.ip,
    });
    const { sessionId, ...pair } = await this.issue(user.id, randomUUID(), true);
    return { ...pair, user: await this.me(sessionId, user.id, true), mfaEnrolmentRequired: false };
  }

  /** Stores the caller's own preferences (today the interface language). */
  async updateMe(locale: Locale | null, caller: CallerContext): Promise<MeResponse> {
    await this.dataSource.transaction(async (manager) => {
      await manager.getRepository(User).update(caller.principal.userId, { locale });
      await this.audit.record(
        {
          action: 'user.preferences_updated',
          outcome: 'success',
          actorId: caller.principal.userId,
          subjectType: 'User',
          subjectId: caller.principal.userId,
          requestId: caller.request.requestId,
          ip: caller.request.ip,
        },
        manager,
      );
    });
    return this.describe(caller.principal);
  }

  async me(sessionId: string, userId: string, fullAccess: boolean): Promise<MeResponse> {
    const principal = await this.principals.load(userId, sessionId, fullAccess);
    return this.describe(principal);
  }

  async describe(principal: Principal): Promise<MeResponse> {
    const details: { id: string; code: string | null; name: string | null; specialties: string[]; locale: Locale | null }[] =
      await this.dataSource.query(
        `SELECT m.id, ms.code, f.name, u.specialties, u.locale
           FROM users u LEFT JOIN memberships m ON m.user_id = u.id
           LEFT JOIN missions ms ON ms.id = m.mission_id
           LEFT JOIN facilities f ON f.id = m.facility_id
          WHERE u.id = $1`,
        [principal.userId],
      );
    const byId = new Map(details.map((d) => [d.id, d]));
    return {
      id: principal.userId,
      email: principal.email,
      displayName: principal.displayName,
      mfaEnabled: principal.mfaEnabled,
      specialties: details[0]?.specialties ?? [],
      locale: details[0]?.locale ?? null,
      memberships: principal.memberships.map((m) => ({
        id: m.id,
        role: m.role,
        missionId: m.missionId,
        missionCode: byId.get(m.id)?.code ?? null,
        facilityId: m.facilityId,
        facilityName: byId.get(m.id)?.name ?? null,
      })),
    };
  }

  private async issue(
    userId: string,
    familyId: string,
    fullAccess: boolean,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<TokenPair & { sessionId: string }> {
    const { token, hash } = this.tokens.newRefreshToken();
    await manager.getRepository(RefreshToken).insert({
      userId,
      tokenHash: hash,
      familyId,
      fullAccess,
      expiresAt: new Date(Date.now() + this.config.refreshTokenTtlSeconds * 1000),
    });
    return {
      accessToken: this.tokens.signAccess({ sub: userId, sid: familyId, fa: fullAccess }),
      refreshToken: token,
      expiresIn: this.tokens.accessTtlSeconds,
      sessionId: familyId,
    };
  }

  private async revokeFamily(manager: EntityManager, familyId: string) {
    await manager.getRepository(RefreshToken).update({ familyId, revokedAt: IsNull() }, { revokedAt: new Date() });
  }

  /**
   * Checks a code and consumes its time step in one statement: of two simultaneous sign-ins with the same code only
   * one moves `mfa_last_step` forward, the other is refused as a replay. Returns the accepted step, or null.
   */
  private async consumeTotp(user: User, token: string): Promise<number | null> {
    if (!user.mfaSecret) return null;
    const secret = this.totp.decrypt(user.mfaSecret);
    const afterTimeStep = user.mfaLastStep ? Number(user.mfaLastStep) : undefined;
    const result = await verify({ secret, token, epochTolerance: 30, afterTimeStep });
    if (!(result.valid && 'timeStep' in result)) return null;
    const step = result.timeStep as number;
    const [rows]: [{ id: string }[], number] = await this.dataSource.query(
      `UPDATE users SET mfa_last_step = $2 WHERE id = $1 AND (mfa_last_step IS NULL OR mfa_last_step < $2) RETURNING id`,
      [user.id, step],
    );
    if (!rows.length) return null;
    // A secret stored in clear before encryption at rest is encrypted at its first use.
    if (!this.totp.isEncrypted(user.mfaSecret)) await this.dataSource.getRepository(User).update(user.id, { mfaSecret: this.totp.encrypt(secret) });
    return step;
  }

  private async mfaRequired(userId: string): Promise<boolean> {
    const rows: { required: boolean }[] = await this.dataSource.query(
      `SELECT bool_or(m.role = ANY($2::role[]) OR COALESCE(ms.mfa_required_for_all, false)) AS required
         FROM memberships m LEFT JOIN missions ms ON ms.id = m.mission_id
        WHERE m.user_id = $1`,
      [userId, MFA_REQUIRED_ROLES],
    );
    return rows[0]?.required ?? false;
  }

}
