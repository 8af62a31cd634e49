import PDFDocument from 'pdfkit';
import { CERTIFICATION_LABELS, CertificationKind } from '@hub/contracts';

export interface CertificatePdfData {
  holderName: string;
  courseTitle: string;
  courseVersion: number;
  kind: CertificationKind;
  code: string;
  issuedAt: Date;
  expiresAt: Date;
  /** Absolute URL of the public verification endpoint for this code. */
  verifyUrl: string;
  revoked: boolean;
}

const day = (d: Date) => d.toISOString().slice(0, 10);

/** A one-page A4 landscape certificate with its verification code and where to check it. */
export function certificatePdf(c: CertificatePdfData): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', layout: 'landscape', margin: 56, info: { Title: `Certificate ${c.code}`, Author: 'Field Telemedicine Hub' } });
    const chunks: Buffer[] = [];
    doc.on('data', (b: Buffer) => chunks.push(b));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    const width = doc.page.width - 112;
    doc.rect(28, 28, doc.page.width - 56, doc.page.height - 56).lineWidth(2).stroke('#1f4e79');
    doc.moveDown(2).fillColor('#1f4e79').fontSize(30).text('Certificate of training', { align: 'center', width });
    doc.moveDown(0.5).fillColor('#333').fontSize(14).text(`${CERTIFICATION_LABELS[c.kind]} certification`, { align: 'center', width });
    doc.moveDown(2).fontSize(14).text('This certifies that', { align: 'center', width });
    doc.moveDown(0.5).fillColor('#000').fontSize(26).text(c.holderName, { align: 'center', width });
    doc.moveDown(0.5).fillColor('#333').fontSize(14).text('has completed the lessons, the assessment and the practical sign-off of', { align: 'center', width });
    doc.moveDown(0.5).fillColor('#000').fontSize(18).text(`${c.courseTitle} (version ${c.courseVersion})`, { align: 'center', width });
    doc.moveDown(1.5).fillColor('#333').fontSize(13).text(`Issued ${day(c.issuedAt)}  ·  Valid until ${day(c.expiresAt)}`, { align: 'center', width });
    if (c.revoked) doc.moveDown(0.5).fillColor('#b00020').fontSize(16).text('REVOKED', { align: 'center', width });
    doc.moveDown(2).fillColor('#333').fontSize(12).text(`Verification code: ${c.code}`, { align: 'center', width });
    doc.fontSize(10).text(`Check it at ${c.verifyUrl}`, { align: 'center', width });
    doc.end();
  });
}
