import { detectContentType } from '@hub/cases';

/** Lesson attachments: images, PDF documents and videos, recognised from their first bytes (never the name). */
export function detectLessonMediaType(head: Buffer): string | null {
  const known = detectContentType(head);
  if (known && known.mediaType !== 'application/dicom') return known.mediaType;
  // ISO base media (MP4): size, then "ftyp" at offset 4
  if (head.length >= 12 && head.toString('latin1', 4, 8) === 'ftyp') return 'video/mp4';
  // Matroska/WebM EBML header
  if (head[0] === 0x1a && head[1] === 0x45 && head[2] === 0xdf && head[3] === 0xa3) return 'video/webm';
  return null;
}

export const LESSON_MEDIA_TYPES = 'JPEG, PNG or WebP images, PDF documents, MP4 or WebM videos';
export const MAX_LESSON_ATTACHMENT_BYTES = 50 * 1024 * 1024;
