import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { FileStore } from '@tus/file-store';
import type { Upload } from '@tus/server';
import { Server as TusServer } from '@tus/server';
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync } from 'node:fs';
import { open, rm, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import sharp from 'sharp';
import { DataSource, EntityManager, In } from 'typeorm';
import { Action, actorOf, attachmentRecordOf, attachmentScopeOf, CallerContext, emergencyAuditDetails, subjectOf, writesInCaseThread } from '@hub/access';
import { AuditService } from '@hub/audit';
import { APP_CONFIG, AppConfig } from '@hub/config';
import { DomainException, ErrorCode, infrastructureProblem, storageHealth } from '@hub/common';
import { AttachmentsRepository } from './attachments.repository';
import { CasesService } from './cases.service';
import { ACCEPTED_TYPES, detectContentType } from './content-type';
import { CaseAttachment } from './entities/attachment.entity';
import { ReferralCase } from './entities/referral-case.entity';

export const UPLOAD_PATH = '/api/uploads';
export const MAX_UPLOAD_BYTES = 25 * 1024 * 1024;

function parseMetadata(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of (header ?? '').split(',')) {
    const [key, value] = pair.trim().split(' ');
    if (key) out[key] = value ? Buffer.from(value, 'base64').toString('utf8') : '';
  }
  return out;
}

/**
 * Case attachments over tus (resumable uploads: a cut satellite link resumes where it stopped). The hub decides
 * who may create, resume or read an upload before tus sees the request: only someone who may write to the case
 * creates one, only its uploader resumes it. At completion the bytes are checked against the declared SHA-256 and
 * their type is read from their content; images get a thumbnail. A failed check deletes the file.
 */
@Injectable()
export class AttachmentsService implements OnModuleInit {
  private readonly logger = new Logger(AttachmentsService.name);
  private tus: TusServer;
  /** The id chosen for an authorised upload creation, handed to tus' naming function through the request. */
  private readonly creating = new WeakMap<IncomingMessage, string>();
  /** Authorised creations waiting for the store: their row and audit record are written once the file exists. */
  private readonly pending = new Map<string, (manager: EntityManager) => Promise<void>>();
  readonly directory: string;

  constructor(
    private readonly dataSource: DataSource,
    private readonly cases: CasesService,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly attachments: AttachmentsRepository,
  ) {
    this.directory = join(config.dataDir, 'uploads');
    this.corsOrigins = config.corsOrigins;
  }

  private readonly corsOrigins: string[];

  onModuleInit() {
    mkdirSync(this.directory, { recursive: true });
    this.tus = new TusServer({
      path: UPLOAD_PATH,
      datastore: new RecordingFileStore({ directory: this.directory }, (upload) => this.recordCreation(upload)),
      maxSize: MAX_UPLOAD_BYTES,
      relativeLocation: true,
      respectForwardedHeaders: false,
      // tus answers `Access-Control-Allow-Origin: *` unless told otherwise: only the hub's configured origins.
      allowedOrigins: (origin: string) => this.corsOrigins.includes(origin),
      namingFunction: (req) => {
        const node = (req as { runtime?: { node?: { req?: IncomingMessage } } }).runtime?.node?.req;
        const id = node && this.creating.get(node);
        if (!id) throw { status_code: 403, body: 'upload not authorised' };
        return id;
      },
      // A full or read-only store: 507/503 in the hub's error format (no server path), the upload's row and files
      // removed, logged at error level, and readiness and the managers' alerts told.
      onResponseError: async (req: Request, error: unknown) => {
        const problem = infrastructureProblem(error);
        if (!problem) return undefined;
        if (problem.component === 'files') {
          storageHealth.report('files', problem.code === ErrorCode.StorageFull ? 'full' : 'read-only');
          const node = (req as { runtime?: { node?: { req?: IncomingMessage } } }).runtime?.node?.req;
          const uploadId = (node && this.creating.get(node)) || new URL(req.url).pathname.split('/').pop() || '';
          await this.discard(uploadId, problem.code);
        } else if (problem.code !== ErrorCode.DatabaseUnavailable) {
          storageHealth.report('database', problem.code === ErrorCode.StorageFull ? 'full' : 'read-only');
        }
        const errorId = randomUUID();
        this.logger.error({ errorId, code: problem.code, err: error }, `${problem.code}: ${problem.message}`);
        const statusCode = problem.code === ErrorCode.StorageFull ? 507 : 503;
        return { status_code: statusCode, body: JSON.stringify({ statusCode, code: problem.code, message: problem.message, errorId }) };
      },
      onUploadFinish: async (_req, upload) => {
        const result = await this.complete(upload.id);
        if (!result.ok) throw { status_code: 422, body: JSON.stringify({ statusCode: 422, code: 'VALIDATION_FAILED', message: result.reason, errorId: randomUUID() }) };
        return { headers: { 'X-Attachment-Id': result.attachmentId } };
      },
    } as ConstructorParameters<typeof TusServer>[0]);
  }

  /** Authorises a tus request for the caller, then hands it to the tus server. */
  async handle(caller: CallerContext, req: IncomingMessage, res: ServerResponse, uploadId?: string): Promise<void> {
    if (req.method === 'OPTIONS') return void (await this.tus.handle(req, res));
    // Attachments are read through the case (GET /api/cases/:id/attachments/:attachmentId), checked and typed;
    // tus' own download and its concatenation extension are not offered.
    if (req.method === 'GET') throw DomainException.invalid('method', 'read attachments through /api/cases/:id/attachments/:attachmentId');
    if (req.headers['upload-concat'] !== undefined) throw DomainException.invalid('Upload-Concat', 'concatenating uploads is not supported; resume the upload instead');
    if (!uploadId) {
      if (req.method !== 'POST') throw new DomainException(ErrorCode.NotFound, 'Upload not found');
      const uploadId = await this.authoriseCreate(caller, req);
      this.creating.set(req, uploadId);
      try {
        await this.tus.handle(req, res);
      } finally {
        this.pending.delete(uploadId);
      }
      return;
    } else {
      const found = await this.attachments.loadUpload(attachmentScopeOf(caller.principal), uploadId);
      // Only the uploader resumes, reads the offset of or deletes an upload, and only while they still see the case
      // (the attachment policy's `uploader` rule).
      const action = req.method === 'DELETE' ? Action.Delete : Action.Update;
      if (!found || !caller.ability.can(action, subjectOf('Attachment', found.access))) {
        const missionId = (found?.access.caseMissionId as string | undefined) ?? null;
        throw new DomainException(ErrorCode.NotFound, 'Upload not found').deniedOn({ missionId, subjectType: 'Upload', subjectId: uploadId.slice(0, 80) });
      }
      if (found.attachment.status !== 'uploading' && req.method === 'PATCH') throw DomainException.conflict('This upload is already complete', 'upload_complete');
    }
    await this.tus.handle(req, res);
  }

  private async authoriseCreate(caller: CallerContext, req: IncomingMessage): Promise<string> {
    const meta = parseMetadata(req.headers['upload-metadata'] as string | undefined);
    const length = Number(req.headers['upload-length']);
    if (!meta.caseId || !/^[0-9a-f-]{36}$/i.test(meta.caseId)) throw DomainException.invalid('Upload-Metadata.caseId', 'name the case (UUID) the file belongs to');
    if (!meta.filename || meta.filename.length > 255) throw DomainException.invalid('Upload-Metadata.filename', 'give the file name (at most 255 characters)');
    // Control characters (CR/LF, NUL) would end up in headers and the database.
    if (/[\u0000-\u001f\u007f]/.test(meta.filename)) throw DomainException.invalid('Upload-Metadata.filename', 'must not contain control characters');
    if (!/^[0-9a-f]{64}$/.test(meta.sha256 ?? '')) throw DomainException.invalid('Upload-Metadata.sha256', 'give the SHA-256 of the file (64 hex digits)');
    if (!Number.isInteger(length) || length <= 0) throw DomainException.invalid('Upload-Length', 'give the size of the file in bytes');
    if (length > MAX_UPLOAD_BYTES) {
      throw new DomainException(ErrorCode.PayloadTooLarge, `Upload-Length: files are limited to ${MAX_UPLOAD_BYTES / 1024 / 1024} MB`);
    }
    const c = await this.cases.load(caller, Action.Read, meta.caseId);
    // The attachment policy's `case-writer` rule (the case's refer rules and its assigned doctor), on the upload to be.
    const upload = attachmentRecordOf({ caseId: c.id, uploadedById: caller.principal.userId }, { ...c });
    if (!caller.ability.can(Action.Create, subjectOf('Attachment', upload))) throw new DomainException(ErrorCode.Forbidden, 'Only the clinic and the assigned specialist add files to a case');
    if (c.status === 'closed' || c.status === 'cancelled') throw DomainException.conflict(`The case is ${c.status}`, 'case_closed', { status: c.status });
    const uploadId = randomUUID().replace(/-/g, '');
    // Written by the store once the upload's file exists (RecordingFileStore), in one transaction: a store that
    // cannot take the file leaves neither a row nor a success audit record.
    this.pending.set(uploadId, async (manager) => {
      await manager.getRepository(CaseAttachment).insert({
        caseId: c.id,
        uploadId,
        filename: meta.filename,
        size: String(length),
        sha256: meta.sha256,
        uploadedById: caller.principal.userId,
      });
      await this.audit.record({ action: 'case.attachment_upload', outcome: 'success', ...actorOf(caller), missionId: c.missionId, subjectType: 'Case', subjectId: c.id, details: { uploadId, size: length } }, manager);
    });
    return uploadId;
  }

  private async recordCreation(upload: Upload): Promise<void> {
    const write = this.pending.get(upload.id);
    this.pending.delete(upload.id);
    if (!write) throw { status_code: 403, body: 'upload not authorised' };
    await this.dataSource.transaction(write);
  }

  /**
   * Removes an upload that could not be stored: its files, and its row while still uploading, with a failure audit
   * record beside the creation's (the trail is append-only).
   */
  private async discard(uploadId: string, reason: string): Promise<void> {
    if (!/^[0-9a-f]{32}$/.test(uploadId)) return;
    this.pending.delete(uploadId);
    const file = join(this.directory, uploadId);
    for (const f of [file, `${file}.json`, `${file}.thumb.jpg`]) await rm(f, { force: true }).catch(() => undefined);
    await this.dataSource
      .transaction(async (manager) => {
        const a = await manager.getRepository(CaseAttachment).findOneBy({ uploadId, status: 'uploading' });
        if (!a) return;
        await manager.getRepository(CaseAttachment).delete({ id: a.id });
        const c = await manager.getRepository(ReferralCase).findOneBy({ id: a.caseId });
        await this.audit.record({ action: 'case.attachment_upload', outcome: 'failure', actorId: a.uploadedById, missionId: c?.missionId ?? null, subjectType: 'Case', subjectId: a.caseId, details: { uploadId, reason } }, manager);
      })
      .catch((e) => this.logger.error({ err: e }, `could not remove the failed upload ${uploadId}`));
  }

  /** Checks a finished upload; marks it ready (with a thumbnail for images) or rejects and deletes it. */
  async complete(uploadId: string): Promise<{ ok: true; attachmentId: string } | { ok: false; reason: string }> {
    const repo = this.dataSource.getRepository(CaseAttachment);
    const a = await repo.findOneByOrFail({ uploadId });
    const file = join(this.directory, uploadId);
    const reject = async (reason: string) => {
      await repo.update(a.id, { status: 'rejected', rejectionReason: reason });
      await rm(file, { force: true });
      await rm(`${file}.json`, { force: true });
      return { ok: false as const, reason };
    };
    const size = (await stat(file)).size;
    if (String(size) !== a.size) return reject(`the file has ${size} bytes, ${a.size} were announced`);
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
    if (hash.digest('hex') !== a.sha256) return reject('checksum mismatch: the file was damaged in transit; send it again');
    const fd = await open(file, 'r');
    const head = Buffer.alloc(256);
    await fd.read(head, 0, 256, 0);
    await fd.close();
    const type = detectContentType(head);
    if (!type) return reject(`this kind of file is not accepted; send ${ACCEPTED_TYPES}`);
    let hasThumbnail = false;
    if (type.image) {
      try {
        await sharp(file).rotate().resize(320, 320, { fit: 'inside' }).jpeg({ quality: 70 }).toFile(`${file}.thumb.jpg`);
        hasThumbnail = true;
      } catch (e) {
        // No room for the thumbnail is the disk's fault, not the image's: the store error answers (507/503).
        if (infrastructureProblem(e)) {
          await rm(`${file}.thumb.jpg`, { force: true });
          throw e;
        }
        return reject(`the image cannot be read (${(e as Error).message})`);
      }
    }
    await repo.update(a.id, { status: 'ready', mediaType: type.mediaType, hasThumbnail });
    return { ok: true, attachmentId: a.id };
  }

  /** The file (or its thumbnail) of an attachment of a case the caller may read. */
  async open(caller: CallerContext, caseId: string, attachmentId: string, thumbnail: boolean) {
    const c = await this.cases.load(caller, Action.Read, caseId);
    // The thumbnail of a photo still arriving from a field node is shown before its full size.
    const a = await this.attachments.findReadable(attachmentScopeOf(caller.principal), c.id, attachmentId, thumbnail ? ['ready', 'uploading'] : ['ready']);
    if (!a) throw DomainException.notFound('Attachment');
    const path = join(this.directory, thumbnail ? `${a.uploadId}.thumb.jpg` : a.uploadId);
    if (!existsSync(path)) throw DomainException.notFound(thumbnail ? 'Thumbnail' : 'Attachment file');
    const emergency = emergencyAuditDetails(caller.principal, { ...c });
    await this.audit.record({
      action: thumbnail ? 'case.attachment_thumbnail' : 'case.attachment_read',
      outcome: 'success',
      ...actorOf(caller),
      missionId: c.missionId,
      subjectType: 'CaseAttachment',
      subjectId: a.id,
      ...(emergency.emergencyAccess ? { details: emergency } : {}),
    });
    return { path, mediaType: thumbnail ? 'image/jpeg' : (a.mediaType ?? 'application/octet-stream'), filename: a.filename };
  }
}

/** tus' file store, which records the upload (row and audit, via `onCreated`) once its file exists. */
class RecordingFileStore extends FileStore {
  constructor(
    options: ConstructorParameters<typeof FileStore>[0],
    private readonly onCreated: (upload: Upload) => Promise<void>,
  ) {
    super(options);
  }

  override async create(upload: Upload): Promise<Upload> {
    const created = await super.create(upload);
    try {
      await this.onCreated(upload);
    } catch (e) {
      await this.remove(upload.id).catch(() => undefined);
      throw e;
    }
    return created;
  }
}
