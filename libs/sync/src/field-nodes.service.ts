import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Action, actorOf, CallerContext, fieldNodeScopeOf, NodeAuthenticator, NodeIdentity, RecordAccess, subjectOf } from '@hub/access';
import { AuditService } from '@hub/audit';
import { Clock, DomainException, ErrorCode } from '@hub/common';
import { EnrolResponse, FieldNodeView, RegisteredFieldNode } from '@hub/contracts';
import { EnrolDto, RegisterNodeDto } from './dto/sync.dto';
import { newEnrolmentCode, nodeCredentialOf, secretHash } from './node-credential';
import { fieldNodeView, FieldNodesRepository } from './field-nodes.repository';

const ENROLMENT_DAYS = 7;

/** Registration, enrolment, revocation and authentication of field nodes (docs/field-node.md, "Enrolment"). */
@Injectable()
export class FieldNodesService implements NodeAuthenticator {
  constructor(
    private readonly dataSource: DataSource,
    private readonly nodes: FieldNodesRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly access: RecordAccess,
  ) {}

  /**
   * A mission administrator registers a node for one facility of their mission and gets its enrolment code once
   * (the field-node policy: they may create a node in every mission the facility serves).
   */
  async register(caller: CallerContext, dto: RegisterNodeDto): Promise<RegisteredFieldNode> {
    const facility = await this.nodes.facility(dto.facilityId);
    const mayCreate = (missionId: string) => caller.ability.can(Action.Create, subjectOf('FieldNode', { missionId, facilityId: dto.facilityId }));
    if (!facility || !facility.missionIds.length || !facility.missionIds.every(mayCreate)) {
      throw DomainException.notFound('Facility').deniedOn({ missionId: facility?.missionIds[0] ?? null, subjectType: 'Facility', subjectId: dto.facilityId, details: { attempted: Action.Create } });
    }
    if (facility.missionIds.length !== 1) {
      throw DomainException.invalid('facilityId', 'a field node serves a facility of exactly one mission');
    }
    const code = newEnrolmentCode();
    const expiresAt = new Date(this.clock.now().getTime() + ENROLMENT_DAYS * 86_400_000);
    return this.dataSource.transaction(async (m) => {
      const id = await this.nodes.insert(m, {
        missionId: facility.missionIds[0],
        facilityId: facility.id,
        name: dto.name,
        enrolmentCodeHash: secretHash(code),
        enrolmentExpiresAt: expiresAt,
        createdById: caller.principal.userId,
      });
      await this.audit.record(
        { action: 'sync.node_registered', outcome: 'success', ...actorOf(caller), missionId: facility.missionIds[0], subjectType: 'FieldNode', subjectId: id, details: { facilityId: facility.id } },
        m,
      );
      const view = fieldNodeView((await this.nodes.byId(id, m))!);
      return { ...view, enrolmentCode: code, enrolmentExpiresAt: expiresAt.toISOString() };
    });
  }

  async list(caller: CallerContext): Promise<FieldNodeView[]> {
    return (await this.nodes.list(fieldNodeScopeOf(caller.principal))).map(fieldNodeView);
  }

  async revoke(caller: CallerContext, id: string): Promise<FieldNodeView> {
    const node = await this.nodes.byId(id);
    await this.access.assert(caller, Action.Update, 'FieldNode', node ? { id: node.id, missionId: node.mission_id, facilityId: node.facility_id } : null, { id, missionId: node?.mission_id ?? null });
    return this.dataSource.transaction(async (m) => {
      await m.query('UPDATE field_nodes SET revoked_at = COALESCE(revoked_at, $2), enrolment_code_hash = NULL WHERE id = $1', [id, this.clock.now()]);
      await this.audit.record({ action: 'sync.node_revoked', outcome: 'success', ...actorOf(caller), missionId: node!.mission_id, subjectType: 'FieldNode', subjectId: id }, m);
      return fieldNodeView((await this.nodes.byId(id, m))!);
    });
  }

  /**
   * Exchanges the one-time code for the node's credential (chosen by the node, stored hashed). Retrying with the
   * same code and credential answers the same; anything else after the first use is refused.
   */
  async enrol(dto: EnrolDto, request: { requestId: string | null; ip: string | null }): Promise<EnrolResponse> {
    const codeHash = secretHash(dto.code.trim().toUpperCase());
    const credentialHash = secretHash(dto.credential);
    const now = this.clock.now();
    const node = await this.dataSource.transaction(async (m) => {
      const [claimed] = await m.query(
        `UPDATE field_nodes SET enrolment_code_hash = NULL, enrolment_expires_at = NULL, credential_hash = $2, enrolled_at = $3,
                last_contact_at = $3, version = $4
          WHERE enrolment_code_hash = $1 AND enrolment_expires_at > $3 AND revoked_at IS NULL
          RETURNING id`,
        [codeHash, credentialHash, now, dto.version],
      );
      const id: string | undefined = claimed?.id ?? (await this.nodes.byCredentialHash(credentialHash, m))?.id;
      const row = id ? await this.nodes.byId(id, m) : null;
      if (!row || row.revoked_at) return null;
      if (claimed) {
        await this.audit.record({ action: 'sync.node_enrolled', outcome: 'success', missionId: row.mission_id, subjectType: 'FieldNode', subjectId: row.id, ...request, details: { version: dto.version } }, m);
      }
      return row;
    });
    if (!node) {
      await this.audit.record({ action: 'sync.enrol_refused', outcome: 'denied', subjectType: 'FieldNode', ...request, details: { reason: 'unknown, used or expired enrolment code' } });
      throw new DomainException(ErrorCode.Unauthenticated, 'code: this enrolment code is unknown, already used or expired; ask the mission administrator for a new one');
    }
    return { nodeId: node.id, missionId: node.mission_id, facilityId: node.facility_id, facilityName: node.facility_name };
  }

  /** Policy.node(): the calling node, or 401/403 (audited). Each call counts as contact. */
  async authenticate(authorization: string | undefined, request: { id?: string; ip?: string; route: string }): Promise<NodeIdentity> {
    const credential = nodeCredentialOf(authorization);
    if (!credential) throw new DomainException(ErrorCode.Unauthenticated, 'Authorization: a field-node credential (Node <credential>) is required');
    const node = await this.nodes.byCredentialHash(secretHash(credential));
    const refuse = (reason: string) =>
      this.audit.record({
        action: 'sync.node_refused',
        outcome: 'denied',
        missionId: node?.mission_id ?? null,
        subjectType: 'FieldNode',
        subjectId: node?.id ?? null,
        requestId: request.id ?? null,
        ip: request.ip ?? null,
        details: { reason, route: request.route },
      });
    if (!node) {
      await refuse('unknown credential');
      throw new DomainException(ErrorCode.Unauthenticated, 'Authorization: this field-node credential is not known to the hub');
    }
    if (node.revoked_at) {
      await refuse('revoked');
      throw new DomainException(ErrorCode.NodeRevoked, "This field node's access to the hub was revoked; ask the mission administrator to register it again");
    }
    await this.dataSource.query('UPDATE field_nodes SET last_contact_at = $2 WHERE id = $1', [node.id, this.clock.now()]);
    return { nodeId: node.id, missionId: node.mission_id, facilityId: node.facility_id };
  }

  async reportState(nodeId: string, backlog: number, version: string): Promise<void> {
    await this.dataSource.query('UPDATE field_nodes SET backlog = $2, version = $3 WHERE id = $1', [nodeId, backlog, version]);
  }
}
