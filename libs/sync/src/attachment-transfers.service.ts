import { Injectable, Logger } from '@nestjs/common';
import { createReadStream, existsSync } from 'node:fs';
import { open, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DataSource, EntityManager } from 'typeorm';
import { Action, NodeIdentity, subjectOf } from '@hub/access';
import { AuditService } from '@hub/audit';
import { AttachmentsService, MAX_UPLOAD_BYTES } from '@hub/cases';
import { DomainException, ErrorCode } from '@hub/common';
import type { AttachmentOffer, AttachmentProgress, NodeBudget } from '@hub/contracts';
import { PushService, Refusal } from './push.service';

interface AttachmentRow {
  id: string;
  case_id: string;
  upload_id: string;
  size: string;
  status: 'uploading' | 'ready' | 'rejected';
  rejection_reason: string | null;
  received_bytes: string | null;
  uploaded_by_id: string;
  facility_id: string;
  mission_id: string;
  media_type: string | null;
}

/** At most one chunk in memory per request: the node sends small chunks so a cut loses little. */
export const MAX_CHUNK_BYTES = 1024 * 1024;

/**
 * Attachments between a field node and the hub (docs/field-node.md, "Attachments"). Up: the node announces the file
 * (idempotent by its id), then sends it in chunks at the offset the hub acknowledged; a cut loses at most the chunk
 * in flight, and the next call resumes from the last acknowledged byte. The uploader's rights are re-checked as
 * they were when the file was attached, like every synced change. Down: files of the facility's cases are read
 * from any byte (Range), so a download resumes too.
 */
@Injectable()
export class AttachmentTransfersService {
  private readonly logger = new Logger('SyncAttachments');

  constructor(
    private readonly dataSource: DataSource,
    private readonly attachments: AttachmentsService,
    private readonly pushes: PushService,
    private readonly audit: AuditService,
  ) {}

  /**
   * Announces a node's file, or answers where its transfer stands (a retry after a cut). The uploader's rights are
   * checked, and a refusal audited, before the transaction opens: a request never holds one pool connection while
   * waiting for another (connection-watch.ts).
   */
  async offer(node: NodeIdentity, offer: AttachmentOffer): Promise<AttachmentProgress> {
    if (!(await this.row(this.dataSource.manager, offer.id))) {
      const [c] = await this.dataSource.query('SELECT * FROM referral_cases WHERE id = $1', [offer.caseId]);
      if (!c || c.facility_id !== node.facilityId) {
        // Not there yet (its text is still in the node's outbox) or not this facility's: the node retries later.
        throw new DomainException(ErrorCode.NotFound, "caseId: the case is not (yet) on the hub for this node's facility");
      }
      try {
        const ability = await this.pushes.abilityAt(node, { actorId: offer.uploadedById, at: offer.createdAt });
        const subject = subjectOf('Case', { id: c.id, missionId: c.mission_id, facilityId: c.facility_id, status: c.status, specialtyCode: c.specialty_code, assignedDoctorId: c.assigned_doctor_id, escalationLevel: c.escalation_level });
        if (!ability.can(Action.Refer, subject)) throw new Refusal('uploadedById: the user could not add files to this case when the file was attached');
      } catch (e) {
        if (!(e instanceof Refusal)) throw e;
        await this.audit.record(
          { action: 'sync.refused', outcome: 'denied', actorId: offer.uploadedById, missionId: node.missionId, subjectType: 'CaseAttachment', subjectId: offer.id, details: { offline: true, nodeId: node.nodeId, reason: e.message } },
        );
        throw new DomainException(ErrorCode.Forbidden, e.message);
      }
      if (offer.size > MAX_UPLOAD_BYTES) throw new DomainException(ErrorCode.PayloadTooLarge, `size: files are limited to ${MAX_UPLOAD_BYTES / 1024 / 1024} MB`);
    }
    return this.dataSource.transaction(async (m) => {
      const existing = await this.row(m, offer.id, true);
      if (existing) {
        if (existing.facility_id !== node.facilityId) throw DomainException.notFound('Attachment');
        if (existing.upload_id !== offer.uploadId || existing.sha256 !== offer.sha256) throw DomainException.conflict('id: another file already has this attachment id', 'attachment_id_taken');
        if (offer.messageId && !existing.message_id) await m.query('UPDATE case_attachments SET message_id = $2 WHERE id = $1', [offer.id, offer.messageId]);
        return this.progress(existing);
      }
      // Checked above; a retry racing this one inserts nothing twice (the id is the key).
      const inserted = await m.query(
        `INSERT INTO case_attachments (id, case_id, message_id, upload_id, filename, size, sha256, status, uploaded_by_id, created_at, received_bytes)
         SELECT $1, $2, $3, $4, $5, $6, $7, 'uploading', $8, $9, 0 WHERE EXISTS (SELECT 1 FROM referral_cases WHERE id = $2 AND facility_id = $10)
         ON CONFLICT (id) DO NOTHING RETURNING id`,
        [offer.id, offer.caseId, offer.messageId, offer.uploadId, offer.filename, offer.size, offer.sha256, offer.uploadedById, offer.createdAt, node.facilityId],
      );
      if (!inserted.length) {
        // Announced at the same moment by another request (a retry): where that one stands.
        const again = await this.row(m, offer.id);
        if (!again || again.facility_id !== node.facilityId) throw DomainException.notFound('Attachment');
        return this.progress(again);
      }
      await writeFile(this.file(offer.uploadId), Buffer.alloc(0), { flag: 'w' });
      await this.audit.record(
        { action: 'case.attachment_upload', outcome: 'success', actorId: offer.uploadedById, missionId: node.missionId, subjectType: 'Case', subjectId: offer.caseId, details: { offline: true, nodeId: node.nodeId, attachmentId: offer.id, size: offer.size } },
        m,
      );
      return { id: offer.id, offset: 0, size: offer.size, status: 'uploading' };
    });
  }

  async progressOf(node: NodeIdentity, id: string): Promise<AttachmentProgress> {
    const a = await this.row(this.dataSource.manager, id);
    if (!a || a.facility_id !== node.facilityId) throw DomainException.notFound('Attachment');
    return this.progress(a);
  }

  /**
   * Writes a chunk at `offset`, which must be the bytes acknowledged so far (else 409 with the offset to resume
   * from). The row is locked while the chunk is written, so a retry racing a late duplicate cannot write twice.
   * The last chunk completes the file: size, SHA-256 and type are checked and a thumbnail is made, as for tus.
   */
  async append(node: NodeIdentity, id: string, offset: number, chunk: Buffer): Promise<AttachmentProgress> {
    const done = await this.dataSource.transaction(async (m) => {
      const a = await this.row(m, id, true);
      if (!a || a.facility_id !== node.facilityId) throw DomainException.notFound('Attachment');
      if (a.status !== 'uploading') return this.progress(a);
      const received = Number(a.received_bytes ?? 0);
      if (offset !== received) {
        throw new DomainException(ErrorCode.Conflict, `Upload-Offset: the hub holds ${received} bytes of this file; resume from there`);
      }
      if (received + chunk.length > Number(a.size)) throw DomainException.invalid('body', `the file has ${a.size} bytes; this chunk goes past its end`);
      const fd = await open(this.file(a.upload_id), existsSync(this.file(a.upload_id)) ? 'r+' : 'w');
      try {
        await fd.write(chunk, 0, chunk.length, received);
        await fd.truncate(received + chunk.length);
        await fd.sync();
      } finally {
        await fd.close();
      }
      const now = received + chunk.length;
      await m.query('UPDATE case_attachments SET received_bytes = $2 WHERE id = $1', [id, now]);
      return { id, offset: now, size: Number(a.size), status: 'uploading' as const, complete: now === Number(a.size), uploadId: a.upload_id };
    });
    if (!('complete' in done) || !done.complete) return done;
    const result = await this.attachments.complete(done.uploadId);
    const a = (await this.row(this.dataSource.manager, id))!;
    if (!result.ok) this.logger.warn(`attachment ${id} from node ${node.nodeId} rejected: ${result.reason}`);
    return this.progress(a);
  }

  /** A thumbnail made on the node, shown to the doctor while the full image is still on its way. */
  async thumbnail(node: NodeIdentity, id: string, jpeg: Buffer): Promise<AttachmentProgress> {
    const a = await this.row(this.dataSource.manager, id);
    if (!a || a.facility_id !== node.facilityId) throw DomainException.notFound('Attachment');
    if (jpeg.length < 4 || jpeg[0] !== 0xff || jpeg[1] !== 0xd8) throw DomainException.invalid('body', 'a thumbnail is a JPEG image');
    if (a.status === 'uploading') {
      await writeFile(`${this.file(a.upload_id)}.thumb.jpg`, jpeg);
      await this.dataSource.query('UPDATE case_attachments SET has_thumbnail = true WHERE id = $1', [id]);
    }
    return this.progress(a);
  }

  /** A ready file (or its thumbnail) of one of the node's facility's cases, from `start` on. */
  async read(node: NodeIdentity, id: string, thumbnail: boolean, start: number) {
    const a = await this.row(this.dataSource.manager, id);
    if (!a || a.facility_id !== node.facilityId || a.status !== 'ready') throw DomainException.notFound('Attachment');
    const path = thumbnail ? `${this.file(a.upload_id)}.thumb.jpg` : this.file(a.upload_id);
    if (!existsSync(path)) throw DomainException.notFound(thumbnail ? 'Thumbnail' : 'Attachment file');
    const size = (await stat(path)).size;
    if (start > size) throw DomainException.invalid('Range', `the file has ${size} bytes`);
    return { size, start, stream: createReadStream(path, { start }) };
  }

  async budget(node: NodeIdentity): Promise<NodeBudget> {
    const [b] = await this.dataSource.query('SELECT rate_kbps, daily_megabytes FROM node_budgets WHERE mission_id = $1', [node.missionId]);
    return { rateKbps: b?.rate_kbps ?? null, dailyMegabytes: b?.daily_megabytes ?? null };
  }

  private file(uploadId: string): string {
    if (!/^[0-9a-zA-Z_-]{8,100}$/.test(uploadId)) throw DomainException.invalid('uploadId', 'letters, digits, - and _ only');
    return join(this.attachments.directory, uploadId);
  }

  private progress(a: AttachmentRow): AttachmentProgress {
    const size = Number(a.size);
    return {
      id: a.id,
      offset: a.status === 'ready' ? size : Number(a.received_bytes ?? 0),
      size,
      status: a.status,
      ...(a.rejection_reason ? { reason: a.rejection_reason } : {}),
    };
  }

  private async row(m: EntityManager, id: string, lock = false): Promise<(AttachmentRow & { sha256: string; message_id: string | null }) | undefined> {
    const [a] = await m.query(
      `SELECT a.*, c.facility_id, c.mission_id FROM case_attachments a JOIN referral_cases c ON c.id = a.case_id WHERE a.id = $1 ${lock ? 'FOR UPDATE OF a' : ''}`,
      [id],
    );
    return a;
  }
}
