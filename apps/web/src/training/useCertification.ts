import { useEffect, useState } from 'react';
import type { CertificationKind, CertificationRequiredBody, CertificationState, MyTrainingStatus } from '@hub/contracts';
import { get } from '../api/client';
import { T } from './api';

export type Needed = CertificationRequiredBody['certification'] & { state: CertificationState; expiresAt: string | null };

/**
 * The certification `kind` when the signed-in user needs it and does not hold it validly now (null when fine or
 * unknown). The server decides in the end; this only lets the page say so before the user fills a form.
 */
export function useMissingCertification(kind: CertificationKind | undefined): Needed | null {
  const [needed, setNeeded] = useState<Needed | null>(null);
  useEffect(() => {
    let gone = false;
    if (!kind) {
      setNeeded(null);
      return;
    }
    get<MyTrainingStatus>(`${T}/me`)
      .then((me) => {
        const r = me.required.find((x) => x.kind === kind);
        if (!gone) setNeeded(r && !r.valid ? { kind: r.kind, label: r.label, courses: r.courses, state: r.state, expiresAt: r.expiresAt } : null);
      })
      .catch(() => undefined);
    return () => {
      gone = true;
    };
  }, [kind]);
  return needed;
}
