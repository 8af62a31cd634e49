import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client';
import { errorText } from '../i18n/errors';
import { certificationRequired } from '../training/api';
import { CertificationGate } from './CertificationGate';

/**
 * The server's answer to a failed action, in the reader's language. When every problem of a validation error is
 * already shown beside its field (`shown` lists the fields the form renders), only a short pointer is given, so a
 * field's problem is said once.
 */
export function ErrorAlert(props: { error: ApiError | string | null | undefined; shown?: string[]; testId?: string }) {
  const { t } = useTranslation();
  const { error, shown = [] } = props;
  if (!error) return null;
  // A certification-gated action: say which certificate is missing and link the course that gives it.
  const needed = certificationRequired(error);
  if (needed) return <CertificationGate needed={needed} action={t('certification.doThis')} />;
  const fields = error instanceof ApiError ? error.problemFields : [];
  const allShown = fields.length > 0 && fields.every((f) => shown.includes(f.field));
  return (
    <div role="alert" className="alert" data-testid={props.testId}>
      {allShown ? t('errors.correctFields') : typeof error === 'string' ? error : errorText(t, error)}
    </div>
  );
}
