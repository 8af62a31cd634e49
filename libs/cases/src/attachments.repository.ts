import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AccessScope } from '@hub/access';
import { AttachmentStatus, CaseAttachment } from './entities/attachment.entity';

/**
 * Attachment queries. Lists take the caller's `AccessScope<'Attachment'>` and apply the attachment policy's rules
 * (derived from the case policy: libs/access/src/policies/attachment.policy.ts) in SQL; a single upload is loaded
 * with its access record for the CASL check.
 */
@Injectable()
export class AttachmentsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** A case's attachments in these states that the caller may read, oldest first. */
  async forCase(scope: AccessScope<'Attachment'>, caseId: string, statuses: AttachmentStatus[], manager: EntityManager = this.dataSource.manager): Promise<CaseAttachment[]> {
    const params: unknown[] = [caseId, statuses];
    const rows: { id: string }[] = await manager.query(
      `SELECT a.id FROM case_attachments a ${scope.joins('a')}
        WHERE a.case_id = $1 AND a.status = ANY($2::varchar[]) AND ${scope.where('a', params)} ORDER BY a.created_at, a.id`,
      params,
    );
    return this.byIds(rows.map((r) => r.id), manager);
  }

  /** One attachment of a case in one of these states, if the caller may read it. */
  async findReadable(scope: AccessScope<'Attachment'>, caseId: string, id: string, statuses: AttachmentStatus[]): Promise<CaseAttachment | null> {
    const params: unknown[] = [caseId, id, statuses];
    const [row] = await this.dataSource.query(
      `SELECT a.id FROM case_attachments a ${scope.joins('a')} WHERE a.case_id = $1 AND a.id = $2 AND a.status = ANY($3::varchar[]) AND ${scope.where('a', params)}`,
      params,
    );
    return row ? this.dataSource.getRepository(CaseAttachment).findOneBy({ id: row.id }) : null;
  }

  /**
   * An upload (by its tus id) with its access record, unchecked: the caller checks the record
   * (`ability.can(action, subjectOf('Attachment', access))`).
   */
  async loadUpload(scope: AccessScope<'Attachment'>, uploadId: string): Promise<{ attachment: CaseAttachment; access: Record<string, unknown> } | null> {
    const attachment = await this.dataSource.getRepository(CaseAttachment).findOneBy({ uploadId });
    if (!attachment) return null;
    const [access] = await this.dataSource.query(`SELECT ${scope.fields('a')} FROM case_attachments a ${scope.joins('a')} WHERE a.id = $1`, [attachment.id]);
    return access ? { attachment, access } : null;
  }

  private async byIds(ids: string[], manager: EntityManager): Promise<CaseAttachment[]> {
    if (!ids.length) return [];
    const rows = await manager.getRepository(CaseAttachment).createQueryBuilder('a').whereInIds(ids).getMany();
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id)).filter((a): a is CaseAttachment => !!a);
  }
}
