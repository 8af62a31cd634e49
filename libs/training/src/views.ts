import type { AttachmentView, CertificateView, ChecklistItemView, LessonView, SignOffView, WaiverView } from '@hub/contracts';
import { certificateStatus, isActiveWaiver } from './certification-state';
import { Certificate, CertificationWaiver } from './entities/certificate.entity';
import { ChecklistItem, Lesson, LessonAttachment } from './entities/course.entity';
import { SignOff } from './entities/progress.entity';

export const attachmentView = (a: LessonAttachment): AttachmentView => ({
  id: a.id,
  filename: a.filename,
  mediaType: a.mediaType,
  size: Number(a.size),
  url: `/api/training/attachments/${a.id}`,
});

export const lessonView = (l: Lesson, attachments: LessonAttachment[]): LessonView => ({
  id: l.id,
  position: l.position,
  title: l.title,
  body: l.body,
  estimatedMinutes: l.estimatedMinutes,
  attachments: attachments.filter((a) => a.lessonId === l.id).map(attachmentView),
});

export const checklistView = (i: ChecklistItem): ChecklistItemView => ({
  id: i.id,
  position: i.position,
  title: i.title,
  description: i.description,
});

export const signOffView = (s: SignOff, trainerName: string): SignOffView => ({
  id: s.id,
  courseId: s.courseId,
  itemId: s.itemId,
  userId: s.userId,
  trainerId: s.trainerId,
  trainerName,
  performedOn: s.performedOn,
  note: s.note,
  createdAt: s.createdAt.toISOString(),
});

export const certificateView = (c: Certificate, userName: string, now: Date): CertificateView => ({
  id: c.id,
  userId: c.userId,
  userName,
  courseId: c.courseId,
  courseTitle: c.courseTitle,
  courseVersion: c.courseVersion,
  kind: c.kind,
  code: c.code,
  issuedAt: c.issuedAt.toISOString(),
  expiresAt: c.expiresAt.toISOString(),
  status: certificateStatus(c, now),
  revokedAt: c.revokedAt?.toISOString() ?? null,
  revocationReason: c.revocationReason,
});

export const waiverView = (w: CertificationWaiver, userName: string, now: Date): WaiverView => ({
  id: w.id,
  userId: w.userId,
  userName,
  missionId: w.missionId,
  kind: w.kind,
  reason: w.reason,
  startsAt: w.startsAt.toISOString(),
  expiresAt: w.expiresAt.toISOString(),
  grantedById: w.grantedById,
  revokedAt: w.revokedAt?.toISOString() ?? null,
  active: isActiveWaiver(w, now),
});
