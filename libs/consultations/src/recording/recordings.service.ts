import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, mkdirSync } from 'node:fs';
import { copyFile, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DataSource, EntityManager } from 'typeorm';
import { actorOf, CallerContext } from '@hub/access';
import { AuditService } from '@hub/audit';
import { CaseAttachment } from '@hub/cases';
import { Clock, HubJobs } from '@hub/common';
import { APP_CONFIG, AppConfig } from '@hub/config';
import type { RecordingResult } from '@hub/media';
import { ConsultationParticipant } from '../entities/consultation-participant.entity';
import { ConsultationRecording, RecordingConsenter } from '../entities/consultation-recording.entity';
import { ConsultationSession } from '../entities/consultation-session.entity';
import { RecordingConsent } from '../entities/recording-consent.entity';

export const RECORDING_SWEEP_INTERVAL_MS = 60 * 60_000;
export const RECORDING_MEDIA_TYPE = 'video/webm';
/** A work file untouched this long is not being written (ffmpeg writes a live recording every second or so). */
export const RECORDING_QUIET_MS = 60_000;
const WORK_FILE = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.webm$/;

/**
 * What is stored about recordings of live consultations (docs/consultations.md, "Recording with consent"):
 * - consent rows, one per participant and session, each change audited (`consultation.recording_consent`);
 * - a row per recording; when it stops its WebM becomes a case attachment (`video/webm`, uploaded by the session's
 *   host), audited (`consultation.recording_stored`);
 * - the retention sweep (hourly, once across instances): a recording older than its mission's
 *   `recordingRetentionDays` loses its file and attachment row, audited (`consultation.recording_deleted`).
 * - at start, recordings this instance was making when it died (its work files, rows still `recording`) are stored
 *   as far as they were written (`recoverInterrupted`).
 * The media part (who is present, starting and stopping ffmpeg) is CallRecording's, on the node holding the room.
 */
@Injectable()
export class RecordingsService implements OnApplicationBootstrap {
  private readonly logger = new Logger(RecordingsService.name);
  /** Where ffmpeg writes while recording (beside the attachments, so a finished file is moved, not copied). */
  readonly workDirectory: string;
  private readonly attachmentDirectory: string;

  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    jobs: HubJobs,
  ) {
    this.workDirectory = join(config.dataDir, 'recordings');
    this.attachmentDirectory = join(config.dataDir, 'uploads');
    jobs.every('Recording retention', RECORDING_SWEEP_INTERVAL_MS, () => this.sweep());
  }

  onApplicationBootstrap(): void {
    void this.recoverInterrupted().catch((e: Error) => this.logger.error(`could not recover interrupted recordings: ${e.message}`));
  }

  /**
   * Recordings cut short when this instance died (power cut, SIGKILL) left ffmpeg's file in the work directory and
   * their row `recording`. The part written is the consultation's record too: each such file is stored like a
   * finished recording (stop reason `interrupted`, stopped at the file's last write), or the row marked failed when
   * nothing was written. A work file of a recording already stored or failed is removed. A file written in the last
   * minute is left alone: another instance sharing the data directory may still be recording into it.
   * Answers how many were stored.
   */
  async recoverInterrupted(now = Date.now()): Promise<number> {
    const names = await readdir(this.workDirectory).catch(() => [] as string[]);
    let stored = 0;
    for (const name of names) {
      const id = WORK_FILE.exec(name)?.[1];
      if (!id) continue;
      const path = join(this.workDirectory, name);
      let file = await stat(path).catch(() => null);
      if (!file || now - file.mtimeMs < RECORDING_QUIET_MS) continue;
      const rec = await this.dataSource.getRepository(ConsultationRecording).findOneBy({ id });
      if (!rec) continue; // begin() writes the row before ffmpeg starts: a file without one is not ours to judge
      if (rec.status !== 'recording') {
        await rm(path, { force: true });
        continue;
      }
      // The hub's death does not end its ffmpeg: it waits on its dead RTP input for ever, holding the file and its
      // ports. SIGTERM makes it close the WebM properly (index and duration) before the file is stored.
      const lastWrite = file.mtimeMs; // when the media stopped (closing the WebM below writes it again)
      if (await stopOrphanWriters(path)) file = (await stat(path).catch(() => null)) ?? file;
      if (!file.size) {
        await this.fail(id, 'interrupted', 'the hub stopped before anything was written');
        continue;
      }
      const stoppedAt = new Date(Math.max(lastWrite, rec.startedAt.getTime()));
      await this.store(id, { path, startedAt: rec.startedAt, stoppedAt, durationMs: stoppedAt.getTime() - rec.startedAt.getTime(), bytes: file.size, tracks: [], exitCode: null }, 'interrupted');
      this.logger.warn(`recording ${id} was cut short when the hub stopped; the ${file.size} bytes written are stored with the case`);
      stored++;
    }
    return stored;
  }

  /** Whether the session can be recorded: it has a case to attach the file to. */
  async recordable(sessionId: string): Promise<boolean> {
    const s = await this.dataSource.getRepository(ConsultationSession).findOneBy({ id: sessionId });
    return !!s?.caseId;
  }

  /** The caller gave or withdrew consent in the call: the row and the audit record, in one transaction. */
  async recordConsent(caller: CallerContext, session: ConsultationSession, participant: ConsultationParticipant, consent: boolean): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await this.writeConsent(manager, session.id, participant, consent, consent ? null : 'withdrawn');
      await this.audit.record(
        {
          ...actorOf(caller),
          action: 'consultation.recording_consent',
          outcome: 'success',
          missionId: session.missionId,
          subjectType: 'Consultation',
          subjectId: session.id,
          details: { participantId: participant.id, consent },
        },
        manager,
      );
    });
  }

  /** A participant's consent lapsed without their action (left, declined, came back, reset): row and audit. */
  async lapse(sessionId: string, participantId: string, reason: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const row = await manager.getRepository(RecordingConsent).findOne({ where: { sessionId, participantId }, lock: { mode: 'pessimistic_write' } });
      if (!row?.consented) return;
      await manager.getRepository(RecordingConsent).update(row.id, { consented: false, withdrawnAt: this.clock.now(), withdrawReason: reason });
      const session = await manager.getRepository(ConsultationSession).findOneBy({ id: sessionId });
      await this.audit.record(
        {
          action: 'consultation.recording_consent',
          outcome: 'success',
          actorId: row.userId,
          missionId: session?.missionId ?? null,
          subjectType: 'Consultation',
          subjectId: sessionId,
          details: { participantId, consent: false, reason },
        },
        manager,
      );
    });
  }

  private async writeConsent(manager: EntityManager, sessionId: string, participant: ConsultationParticipant, consent: boolean, reason: string | null) {
    const now = this.clock.now();
    await manager
      .createQueryBuilder()
      .insert()
      .into(RecordingConsent)
      .values({ sessionId, participantId: participant.id, userId: participant.userId, consented: consent, givenAt: consent ? now : null, withdrawnAt: consent ? null : now, withdrawReason: reason })
      .orUpdate(consent ? ['consented', 'given_at', 'withdrawn_at', 'withdraw_reason', 'updated_at'] : ['consented', 'withdrawn_at', 'withdraw_reason', 'updated_at'], ['session_id', 'participant_id'])
      .execute();
  }

  /** A recording starts: its row (who had consented) and the audit record; answers where ffmpeg writes. */
  async begin(sessionId: string, consentedBy: RecordingConsenter[]): Promise<{ recordingId: string; outputPath: string }> {
    mkdirSync(this.workDirectory, { recursive: true });
    return this.dataSource.transaction(async (manager) => {
      const s = await manager.getRepository(ConsultationSession).findOneByOrFail({ id: sessionId });
      if (!s.caseId) throw new Error('a consultation without a case is not recorded');
      const row = await manager.getRepository(ConsultationRecording).save(
        manager.create(ConsultationRecording, { sessionId, missionId: s.missionId, caseId: s.caseId, consentedBy, status: 'recording', startedAt: this.clock.now() }),
      );
      await this.audit.record(
        { action: 'consultation.recording_started', outcome: 'success', actorId: null, missionId: s.missionId, subjectType: 'Consultation', subjectId: sessionId, details: { recordingId: row.id, consentedBy: consentedBy.map((c) => c.userId) } },
        manager,
      );
      return { recordingId: row.id, outputPath: join(this.workDirectory, `${row.id}.webm`) };
    });
  }

  /**
   * A recording stopped and its file is final: the file moves among the case's attachments (a `ready` attachment,
   * `video/webm`, checksum computed here) and the recording row points at it; audited.
   */
  async store(recordingId: string, result: RecordingResult, reason: string): Promise<string> {
    const rec = await this.dataSource.getRepository(ConsultationRecording).findOneByOrFail({ id: recordingId });
    const session = await this.dataSource.getRepository(ConsultationSession).findOneByOrFail({ id: rec.sessionId });
    mkdirSync(this.attachmentDirectory, { recursive: true });
    const uploadId = randomUUID().replace(/-/g, '');
    const target = join(this.attachmentDirectory, uploadId);
    await rename(result.path, target).catch(async () => {
      await copyFile(result.path, target);
      await rm(result.path, { force: true });
    });
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(target)) hash.update(chunk as Buffer);
    const sha256 = hash.digest('hex');
    try {
      return await this.dataSource.transaction(async (manager) => {
        const stamp = result.startedAt.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
        const attachment = await manager.getRepository(CaseAttachment).save(
          manager.create(CaseAttachment, {
            caseId: rec.caseId,
            uploadId,
            filename: `consultation-recording-${stamp}.webm`,
            mediaType: RECORDING_MEDIA_TYPE,
            size: String(result.bytes),
            sha256,
            status: 'ready',
            uploadedById: session.hostId,
          }),
        );
        await manager.getRepository(ConsultationRecording).update(rec.id, {
          status: 'stored',
          attachmentId: attachment.id,
          stoppedAt: result.stoppedAt,
          stopReason: reason,
          durationMs: result.durationMs,
          bytes: String(result.bytes),
        });
        await this.audit.record(
          {
            action: 'consultation.recording_stored',
            outcome: 'success',
            actorId: null,
            missionId: rec.missionId,
            subjectType: 'Case',
            subjectId: rec.caseId,
            details: { recordingId: rec.id, sessionId: rec.sessionId, attachmentId: attachment.id, durationMs: result.durationMs, bytes: result.bytes, reason },
          },
          manager,
        );
        return attachment.id;
      });
    } catch (e) {
      await rm(target, { force: true });
      await this.fail(recordingId, reason, (e as Error).message);
      throw e;
    }
  }

  /** The recording could not be made or kept (ffmpeg failed, no file): the row says so, audited as a failure. */
  async fail(recordingId: string, reason: string, message: string): Promise<void> {
    await rm(join(this.workDirectory, `${recordingId}.webm`), { force: true }).catch(() => undefined);
    await this.dataSource.transaction(async (manager) => {
      const rec = await manager.getRepository(ConsultationRecording).findOneBy({ id: recordingId });
      if (!rec || rec.status !== 'recording') return;
      await manager.getRepository(ConsultationRecording).update(rec.id, { status: 'failed', stoppedAt: this.clock.now(), stopReason: reason });
      await this.audit.record(
        { action: 'consultation.recording_stored', outcome: 'failure', actorId: null, missionId: rec.missionId, subjectType: 'Case', subjectId: rec.caseId, details: { recordingId, reason, error: message.slice(0, 300) } },
        manager,
      );
    });
  }

  /**
   * Deletes the recordings whose mission's retention period has passed (stopped at + recordingRetentionDays <= now):
   * the attachment row and the recording's state in one transaction with the audit record, then the file.
   * Answers how many were deleted.
   */
  async sweep(): Promise<number> {
    const now = this.clock.now();
    const due = await this.dataSource.query<{ id: string }[]>(
      `SELECT r.id FROM consultation_recordings r JOIN missions m ON m.id = r.mission_id
        WHERE r.status = 'stored' AND r.stopped_at + make_interval(days => m.recording_retention_days) <= $1
        ORDER BY r.stopped_at LIMIT 500`,
      [now],
    );
    let deleted = 0;
    for (const { id } of due) {
      const file = await this.dataSource.transaction(async (manager) => {
        const rec = await manager.getRepository(ConsultationRecording).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
        if (!rec || rec.status !== 'stored') return false;
        const attachment = rec.attachmentId ? await manager.getRepository(CaseAttachment).findOneBy({ id: rec.attachmentId }) : null;
        if (attachment) await manager.getRepository(CaseAttachment).delete({ id: attachment.id });
        await manager.getRepository(ConsultationRecording).update(rec.id, { status: 'deleted', attachmentId: null, deletedAt: now });
        const retentionDays = (await manager.query<{ d: number }[]>('SELECT recording_retention_days AS d FROM missions WHERE id = $1', [rec.missionId]))[0]?.d ?? null;
        await this.audit.record(
          {
            action: 'consultation.recording_deleted',
            outcome: 'success',
            actorId: null,
            missionId: rec.missionId,
            subjectType: 'Case',
            subjectId: rec.caseId,
            details: { recordingId: rec.id, sessionId: rec.sessionId, attachmentId: rec.attachmentId, retentionDays, reason: 'retention' },
          },
          manager,
        );
        return attachment ? join(this.attachmentDirectory, attachment.uploadId) : null;
      });
      if (file === false) continue;
      if (file) await rm(file, { force: true }).catch((e: Error) => this.logger.error(`could not delete ${file}: ${e.message}`));
      deleted++;
    }
    if (deleted) this.logger.log(`deleted ${deleted} recording(s) past their retention period`);
    return deleted;
  }
}

/**
 * Stops the processes (an ffmpeg orphaned by the hub's death) whose command line writes this file: SIGTERM, then
 * SIGKILL after 10 s. Linux only (reads /proc); elsewhere nothing is found. Answers whether any was found.
 */
async function stopOrphanWriters(path: string): Promise<boolean> {
  const pids: number[] = [];
  for (const name of (await readdir('/proc').catch(() => [] as string[])).filter((n) => /^\d+$/.test(n))) {
    // a process gone meanwhile, or not ours to read, has no command line here
    const argv = (await readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => '')).split('\0');
    if (argv.includes(path) && Number(name) !== process.pid) pids.push(Number(name));
  }
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  for (const pid of pids) process.kill(pid, 'SIGTERM');
  for (let waited = 0; waited < 10_000 && pids.some(alive); waited += 100) await new Promise((r) => setTimeout(r, 100));
  for (const pid of pids.filter(alive)) process.kill(pid, 'SIGKILL');
  return pids.length > 0;
}
