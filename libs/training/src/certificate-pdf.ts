import PDFDocument from 'pdfkit';
import type { CertificationKind, Locale } from '@hub/contracts';

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
  /** The holder's language (their stored choice, else the course's). */
  locale: Locale;
}

const WORDS = {
  en: {
    title: 'Certificate of training',
    kinds: { telemedicine_user: 'Telemedicine user', telemedicine_consultant: 'Telemedicine consultant', trainer: 'Trainer' },
    certification: (kind: string) => `${kind} certification`,
    certifies: 'This certifies that',
    completed: 'has completed the lessons, the assessment and the practical sign-off of',
    course: (title: string, version: number) => `${title} (version ${version})`,
    dates: (issued: string, until: string) => `Issued ${issued}  ·  Valid until ${until}`,
    revoked: 'REVOKED',
    code: (code: string) => `Verification code: ${code}`,
    check: (url: string) => `Check it at ${url}`,
    pdfTitle: (code: string) => `Certificate ${code}`,
  },
  fr: {
    title: 'Attestation de formation',
    kinds: { telemedicine_user: 'Utilisateur de télémédecine', telemedicine_consultant: 'Consultant en télémédecine', trainer: 'Formateur' },
    certification: (kind: string) => `Certification « ${kind} »`,
    certifies: 'Nous attestons que',
    completed: 'a suivi les leçons, réussi l’évaluation et validé la pratique du cours',
    course: (title: string, version: number) => `${title} (version ${version})`,
    dates: (issued: string, until: string) => `Délivrée le ${issued}  ·  Valable jusqu’au ${until}`,
    revoked: 'RETIRÉE',
    code: (code: string) => `Code de vérification : ${code}`,
    check: (url: string) => `Vérifiable sur ${url}`,
    pdfTitle: (code: string) => `Attestation ${code}`,
  },
} as const;

const day = (d: Date, locale: Locale) =>
  d.toLocaleDateString(locale === 'fr' ? 'fr-FR' : 'en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

/** The certificate's lines, top to bottom, in the holder's language. */
export function certificateLines(c: CertificatePdfData): string[] {
  const w = WORDS[c.locale] ?? WORDS.en;
  return [
    w.title,
    w.certification(w.kinds[c.kind]),
    w.certifies,
    c.holderName,
    w.completed,
    w.course(c.courseTitle, c.courseVersion),
    w.dates(day(c.issuedAt, c.locale), day(c.expiresAt, c.locale)),
    ...(c.revoked ? [w.revoked] : []),
    w.code(c.code),
    w.check(c.verifyUrl),
  ];
}

/** A one-page A4 landscape certificate with its verification code and where to check it, in the holder's language. */
export function certificatePdf(c: CertificatePdfData): Promise<Buffer> {
  const w = WORDS[c.locale] ?? WORDS.en;
  const [title, certification, certifies, holder, completed, course, dates, ...rest] = certificateLines(c);
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({
      size: 'A4',
      layout: 'landscape',
      margin: 56,
      lang: c.locale === 'fr' ? 'fr-FR' : 'en-GB',
      info: { Title: w.pdfTitle(c.code), Author: 'Field Telemedicine Hub' },
    });
    const chunks: Buffer[] = [];
    doc.on('data', (b: Buffer) => chunks.push(b));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    const width = doc.page.width - 112;
    doc.rect(28, 28, doc.page.width - 56, doc.page.height - 56).lineWidth(2).stroke('#1f4e79');
    doc.moveDown(2).fillColor('#1f4e79').fontSize(30).text(title, { align: 'center', width });
    doc.moveDown(0.5).fillColor('#333').fontSize(14).text(certification, { align: 'center', width });
    doc.moveDown(2).fontSize(14).text(certifies, { align: 'center', width });
    doc.moveDown(0.5).fillColor('#000').fontSize(26).text(holder, { align: 'center', width });
    doc.moveDown(0.5).fillColor('#333').fontSize(14).text(completed, { align: 'center', width });
    doc.moveDown(0.5).fillColor('#000').fontSize(18).text(course, { align: 'center', width });
    doc.moveDown(1.5).fillColor('#333').fontSize(13).text(dates, { align: 'center', width });
    if (c.revoked) doc.moveDown(0.5).fillColor('#b00020').fontSize(16).text(w.revoked, { align: 'center', width });
    const [code, check] = rest.slice(c.revoked ? 1 : 0);
    doc.moveDown(2).fillColor('#333').fontSize(12).text(code, { align: 'center', width });
    doc.fontSize(10).text(check, { align: 'center', width });
    doc.end();
  });
}
