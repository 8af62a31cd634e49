/** File types a case may carry, recognised from their first bytes (never from the name or the client's word). */
export interface DetectedType {
  mediaType: string;
  image: boolean;
}

const startsWith = (b: Buffer, bytes: number[], offset = 0) => bytes.every((v, i) => b[offset + i] === v);

export function detectContentType(head: Buffer): DetectedType | null {
  if (startsWith(head, [0xff, 0xd8, 0xff])) return { mediaType: 'image/jpeg', image: true };
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { mediaType: 'image/png', image: true };
  if (startsWith(head, [0x52, 0x49, 0x46, 0x46]) && startsWith(head, [0x57, 0x45, 0x42, 0x50], 8)) return { mediaType: 'image/webp', image: true };
  if (startsWith(head, [0x25, 0x50, 0x44, 0x46, 0x2d])) return { mediaType: 'application/pdf', image: false };
  // DICOM (X-ray, ultrasound): 128-byte preamble then "DICM"
  if (head.length >= 132 && head.toString('latin1', 128, 132) === 'DICM') return { mediaType: 'application/dicom', image: false };
  return null;
}

export const ACCEPTED_TYPES = 'JPEG, PNG or WebP images, PDF documents (e.g. ECG) or DICOM files';
