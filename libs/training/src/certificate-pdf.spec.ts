import { certificateLines, certificatePdf, CertificatePdfData } from './certificate-pdf';

const base: CertificatePdfData = {
  holderName: 'Aminata Koné',
  courseTitle: 'Télémédecine en mission',
  courseVersion: 2,
  kind: 'telemedicine_user',
  code: 'ABCD-EFGH-2345',
  issuedAt: new Date('2026-03-01T10:00:00Z'),
  expiresAt: new Date('2028-03-01T10:00:00Z'),
  verifyUrl: 'https://hub.example/api/certificates/verify/ABCD-EFGH-2345',
  revoked: false,
  locale: 'fr',
};

describe('certificate PDF', () => {
  it("speaks the holder's language", () => {
    expect(certificateLines(base)).toEqual([
      'Attestation de formation',
      'Certification « Utilisateur de télémédecine »',
      'Nous attestons que',
      'Aminata Koné',
      'a suivi les leçons, réussi l’évaluation et validé la pratique du cours',
      'Télémédecine en mission (version 2)',
      'Délivrée le 1 mars 2026  ·  Valable jusqu’au 1 mars 2028',
      'Code de vérification : ABCD-EFGH-2345',
      'Vérifiable sur https://hub.example/api/certificates/verify/ABCD-EFGH-2345',
    ]);
    const english = certificateLines({ ...base, locale: 'en', revoked: true });
    expect(english[0]).toBe('Certificate of training');
    expect(english).toContain('Issued 1 March 2026  ·  Valid until 1 March 2028');
    expect(english).toContain('REVOKED');
  });

  it('declares the document language in the PDF', async () => {
    const fr = (await certificatePdf(base)).toString('latin1');
    expect(fr.startsWith('%PDF-')).toBe(true);
    expect(fr).toMatch(/\/Lang \(fr-FR\)/);
    expect((await certificatePdf({ ...base, locale: 'en' })).toString('latin1')).toMatch(/\/Lang \(en-GB\)/);
  });
});
