import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { Action, actorOf, CallerContext, RateLimits, RecordAccess, scopeFor, SessionEvents, subjectOf } from '@hub/access';
import { AuditService } from '@hub/audit';
import { DomainException, ErrorCode } from '@hub/common';
import { MembershipView, Role, UserView } from '@hub/contracts';
import { CreateMembershipDto, CreateUserDto, UpdateMembershipDto, UpdateUserDto } from './dto/admin.dto';
import { Membership } from './entities/membership.entity';
import { RefreshToken } from './entities/refresh-token.entity';
import { User } from './entities/user.entity';
import { FacilitiesRepository } from './facilities.repository';
import { MissionsRepository } from './missions.repository';
import { PasswordService } from './password.service';
import { ScopedUser, UsersRepository } from './users.repository';

const FACILITY_ROLES = [Role.FieldMedicalOfficer, Role.ReferenceDoctor];

function checkRotationDates(startsAt: Date | null, endsAt: Date | null) {
  const bad = (d: Date | null) => !!d && (Number.isNaN(d.getTime()) || d.getUTCFullYear() < 2000 || d.getUTCFullYear() > 2200);
  if (bad(startsAt)) throw DomainException.invalid('startsAt', 'startsAt must be a date between the years 2000 and 2200');
  if (bad(endsAt)) throw DomainException.invalid('endsAt', 'endsAt must be a date between the years 2000 and 2200');
  if (startsAt && endsAt && endsAt <= startsAt) throw DomainException.invalid('endsAt', 'endsAt must be after startsAt');
}

const publicView = ({ missionIds: _m, ...u }: ScopedUser): UserView => u;

@Injectable()
export class UsersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UsersRepository,
    private readonly missions: MissionsRepository,
    private readonly facilities: FacilitiesRepository,
    private readonly passwords: PasswordService,
    private readonly access: RecordAccess,
    private readonly audit: AuditService,
    private readonly sessions: SessionEvents,
    private readonly limits: RateLimits,
  ) {}

  async list(caller: CallerContext, filter: { missionId?: string; q?: string }): Promise<UserView[]> {
    return (await this.users.list(scopeFor(caller.principal, Action.Read, 'User'), filter)).map(publicView);
  }

  async get(caller: CallerContext, id: string): Promise<UserView> {
    return publicView(await this.load(caller, Action.Read, id));
  }

  async create(caller: CallerContext, dto: CreateUserDto): Promise<UserView> {
    const isSystemAdmin = caller.principal.memberships.some((m) => m.role === Role.SystemAdmin);
    if (!dto.membership && !isSystemAdmin) {
      throw DomainException.invalid('membership', 'a new user needs a first membership (role and mission or facility)');
    }
    const email = dto.email.trim().toLowerCase();
    // E-mail addresses are unique hub-wide, so a taken one cannot be hidden from whoever creates accounts; the answer
    // names neither the user nor their mission (the same words whoever holds it), each such answer is audited, and a
    // mission administrator gets only TAKEN_EMAIL_ANSWERS_PER_HOUR of them an hour (then 429 for every creation), so
    // probing for addresses is bounded and shows in the trail. Counted before the transaction: the limiter's store
    // takes a pool connection of its own.
    const probeKey = isSystemAdmin ? null : caller.principal.userId;
    const tooMany = 'Too many new accounts refused because their e-mail address is already in use';
    if (probeKey) await this.limits.check('taken-email', probeKey, tooMany);
    if (probeKey && (await this.dataSource.getRepository(User).existsBy({ email }))) await this.limits.consume('taken-email', probeKey, tooMany);
    const passwordHash = await this.passwords.hash(dto.password);
    return this.dataSource.transaction(async (manager) => {
      const existing = await manager.getRepository(User).findOneBy({ email });
      if (existing) {
        throw DomainException.conflict(
          'email: this address cannot be used for a new account; if the person already has one, ask a system administrator to add them to your mission',
          'email_taken',
        ).deniedOn({ action: 'user.create', subjectType: 'User', subjectId: null, missionId: null, details: { reason: 'email taken' } });
      }
      // Check the membership before creating anything, so a refused request stores nothing.
      const missionIds = dto.membership ? await this.membershipMissions(caller, manager, dto.membership) : [];
      const user = await manager.getRepository(User).save(
        manager.create(User, {
          email,
          displayName: dto.displayName,
          passwordHash,
          specialties: dto.specialties ?? [],
        }),
      );
      if (dto.membership) await this.insertMembership(manager, user.id, dto.membership);
      for (const missionId of missionIds.length ? missionIds : [null]) {
        await this.audit.record(
          { ...actorOf(caller), action: 'user.create', outcome: 'success', missionId, subjectType: 'User', subjectId: user.id },
          manager,
        );
      }
      return publicView((await this.users.findById(user.id, manager))!);
    });
  }

  async update(caller: CallerContext, id: string, dto: UpdateUserDto): Promise<UserView> {
    const passwordHash = dto.password ? await this.passwords.hash(dto.password) : undefined;
    const view = await this.dataSource.transaction(async (manager) => {
      const user = await this.load(caller, Action.Update, id, manager);
      if (dto.active === false && id === caller.principal.userId) {
        throw DomainException.invalid('active', 'you cannot deactivate your own account');
      }
      const { password: _p, ...fields } = dto;
      await manager.getRepository(User).update(id, { ...fields, ...(passwordHash ? { passwordHash } : {}) });
      if (dto.active === false || passwordHash) {
        // Deactivation or a new password ends every session at once.
        await manager.getRepository(RefreshToken).update({ userId: id, revokedAt: IsNull() }, { revokedAt: new Date() });
      }
      await this.auditEach(caller, manager, user.missionIds, 'user.update', 'User', id, { fields: Object.keys(dto) });
      return publicView((await this.users.findById(id, manager))!);
    });
    // Committed: cut the user's sockets (their sessions ended above).
    if (dto.active === false) this.sessions.changed({ userId: id, reason: 'deactivated' });
    else if (passwordHash) this.sessions.changed({ userId: id, reason: 'password' });
    return view;
  }

  async addMembership(caller: CallerContext, userId: string, dto: CreateMembershipDto): Promise<MembershipView> {
    const view = await this.dataSource.transaction(async (manager) => {
      // Adding a membership changes the user: the caller must be allowed to change them (not only to read them).
      await this.load(caller, Action.Update, userId, manager);
      const missionIds = await this.membershipMissions(caller, manager, dto);
      const duplicate = await manager.getRepository(Membership).findOneBy({
        userId,
        role: dto.role,
        missionId: dto.missionId ?? IsNull(),
        facilityId: dto.facilityId ?? IsNull(),
      });
      if (duplicate) throw DomainException.conflict('The user already has this membership', 'membership_exists');
      const id = await this.insertMembership(manager, userId, dto);
      await this.auditEach(caller, manager, missionIds, 'membership.create', 'Membership', id, { userId, role: dto.role });
      const user = (await this.users.findById(userId, manager))!;
      return user.memberships.find((m) => m.id === id)!;
    });
    // New rights: the user's sockets reconnect and are authorised afresh.
    this.sessions.changed({ userId, reason: 'memberships' });
    return view;
  }

  async removeMembership(caller: CallerContext, membershipId: string): Promise<void> {
    const ownerId = await this.dataSource.transaction(async (manager) => {
      const rows: { user_id: string }[] = await manager.query('SELECT user_id FROM memberships WHERE id = $1', [membershipId]);
      const owner = rows[0] ? await this.users.findById(rows[0].user_id, manager) : null;
      const membership = owner?.memberships.find((m) => m.id === membershipId);
      const missionIds = membership ? await this.reachOf(manager, membership.missionId, membership.facilityId) : [];
      await this.access.assert(
        caller,
        Action.Delete,
        'Membership',
        membership ? { id: membershipId, missionIds } : null,
        { id: membershipId, missionId: missionIds[0] ?? null },
      );
      // Removing a membership changes its holder: refused (as not found) unless the caller may change that user.
      await this.access.assert(caller, Action.Update, 'User', owner, { id: membershipId, missionId: missionIds[0] ?? null });
      const adminRoles = [Role.SystemAdmin, Role.MissionAdmin];
      if (owner!.id === caller.principal.userId && adminRoles.includes(membership!.role)) {
        if (caller.principal.memberships.filter((m) => adminRoles.includes(m.role)).length === 1) {
          throw DomainException.invalid('id', 'you cannot remove your own last administrator membership');
        }
      }
      await manager.getRepository(Membership).delete(membershipId);
      await this.auditEach(caller, manager, missionIds, 'membership.delete', 'Membership', membershipId, {
        userId: owner!.id,
        role: membership!.role,
      });
      return owner!.id;
    });
    // Fewer rights: cut the user's sockets (a consultation socket must not keep a room it no longer may be in).
    this.sessions.changed({ userId: ownerId, reason: 'memberships' });
  }

  private async load(caller: CallerContext, action: Action, id: string, manager?: EntityManager): Promise<ScopedUser> {
    const user = await this.users.findById(id, manager);
    return this.access.assert(caller, action, 'User', user, { id, missionId: user?.missionIds[0] ?? null });
  }

  /**
   * Validates a membership request and returns the missions it will reach. Missions and facilities named in the
   * body must exist and lie within what the caller may manage; otherwise they are reported as not found.
   */
  private async membershipMissions(caller: CallerContext, manager: EntityManager, dto: CreateMembershipDto): Promise<string[]> {
    if (dto.role === Role.SystemAdmin) {
      if (dto.missionId || dto.facilityId) {
        throw DomainException.invalid('role', 'a system administrator membership has no mission or facility');
      }
      if (!caller.ability.can(Action.Manage, 'all')) {
        throw new DomainException(ErrorCode.Forbidden, 'Only a system administrator can appoint another');
      }
      return [];
    }
    if (FACILITY_ROLES.includes(dto.role) && !dto.facilityId) {
      throw DomainException.invalid('facilityId', `a ${dto.role} membership needs the facility where they work`);
    }
    if (!dto.missionId && !dto.facilityId) {
      throw DomainException.invalid('missionId', 'a membership needs a mission or a facility');
    }
    const notFound = (field: string, what: string) => new DomainException(ErrorCode.NotFound, `${field}: ${what} not found`);
    if (dto.missionId && !(await this.missions.existing([dto.missionId], manager)).length) {
      throw notFound('missionId', 'mission');
    }
    let facilityMissions: string[] = [];
    if (dto.facilityId) {
      const facility = await this.facilities.findById(dto.facilityId, manager);
      if (!facility) throw notFound('facilityId', 'facility');
      facilityMissions = facility.missionIds;
      if (dto.missionId && !facilityMissions.includes(dto.missionId)) {
        throw DomainException.invalid('facilityId', 'the facility does not serve this mission');
      }
    }
    const missionIds = await this.reachOf(manager, dto.missionId ?? null, dto.facilityId ?? null);
    if (!missionIds.length || !caller.ability.can(Action.Create, subjectOf('Membership', { missionIds }))) {
      throw dto.missionId ? notFound('missionId', 'mission') : notFound('facilityId', 'facility');
    }
    // Reaching several missions needs the right in each of them (a Level 4 hospital's staff).
    for (const m of missionIds) {
      if (!caller.ability.can(Action.Create, subjectOf('Membership', { missionIds: [m] }))) {
        throw DomainException.invalid('facilityId', 'the facility serves a mission outside your administration');
      }
    }
    return missionIds;
  }

  private async reachOf(manager: EntityManager, missionId: string | null, facilityId: string | null): Promise<string[]> {
    if (missionId) return [missionId];
    if (!facilityId) return [];
    const rows: { mission_id: string }[] = await manager.query(
      'SELECT mission_id FROM facility_missions WHERE facility_id = $1',
      [facilityId],
    );
    return rows.map((r) => r.mission_id);
  }

  private async insertMembership(manager: EntityManager, userId: string, dto: CreateMembershipDto): Promise<string> {
    const startsAt = dto.startsAt ? new Date(dto.startsAt) : null;
    const endsAt = dto.endsAt ? new Date(dto.endsAt) : null;
    checkRotationDates(startsAt, endsAt);
    const saved = await manager.getRepository(Membership).save(
      manager.create(Membership, {
        userId,
        role: dto.role,
        missionId: dto.missionId ?? null,
        facilityId: dto.facilityId ?? null,
        startsAt,
        endsAt,
      }),
    );
    return saved.id;
  }

  /**
   * Sets a rotation's dates on a membership (who may remove the membership may date it). The rights end by
   * themselves at endsAt (principal resolver); a later end date re-opens the end-of-rotation report.
   */
  async updateMembership(caller: CallerContext, membershipId: string, dto: UpdateMembershipDto): Promise<MembershipView> {
    const view = await this.dataSource.transaction(async (manager) => {
      const rows: { user_id: string }[] = await manager.query('SELECT user_id FROM memberships WHERE id = $1', [membershipId]);
      const owner = rows[0] ? await this.users.findById(rows[0].user_id, manager) : null;
      const membership = owner?.memberships.find((m) => m.id === membershipId);
      const missionIds = membership ? await this.reachOf(manager, membership.missionId, membership.facilityId) : [];
      await this.access.assert(caller, Action.Update, 'Membership', membership ? { id: membershipId, missionIds } : null, { id: membershipId, missionId: missionIds[0] ?? null });
      await this.access.assert(caller, Action.Update, 'User', owner, { id: membershipId, missionId: missionIds[0] ?? null });
      const row = await manager.getRepository(Membership).findOneByOrFail({ id: membershipId });
      if (dto.startsAt !== undefined) row.startsAt = dto.startsAt === null ? null : new Date(dto.startsAt);
      if (dto.endsAt !== undefined) {
        row.endsAt = dto.endsAt === null ? null : new Date(dto.endsAt);
        row.endHandledAt = null;
      }
      checkRotationDates(row.startsAt, row.endsAt);
      await manager.getRepository(Membership).save(row);
      await this.auditEach(caller, manager, missionIds, 'membership.update', 'Membership', membershipId, {
        userId: owner!.id,
        startsAt: row.startsAt?.toISOString() ?? null,
        endsAt: row.endsAt?.toISOString() ?? null,
      });
      return { ownerId: owner!.id, view: (await this.users.findById(owner!.id, manager))!.memberships.find((m) => m.id === membershipId)! };
    });
    this.sessions.changed({ userId: view.ownerId, reason: 'memberships' });
    return view.view;
  }

  private async auditEach(
    caller: CallerContext,
    manager: EntityManager,
    missionIds: string[],
    action: string,
    subjectType: string,
    subjectId: string,
    details: Record<string, unknown>,
  ) {
    for (const missionId of missionIds.length ? missionIds : [null]) {
      await this.audit.record(
        { ...actorOf(caller), action, outcome: 'success', missionId, subjectType, subjectId, details },
        manager,
      );
    }
  }

}
