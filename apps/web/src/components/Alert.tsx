import { ApiError } from '../api/client';
import { certificationRequired } from '../training/api';
import { CertificationGate } from './CertificationGate';

/**
 * The server's message for a failed action. When every problem of a validation error is already shown beside its
 * field (`shown` lists the fields the form renders), only a short pointer is given instead of repeating them.
 */
export function ErrorAlert(props: { error: ApiError | string | null | undefined; shown?: string[]; testId?: string }) {
  const { error, shown = [] } = props;
  if (!error) return null;
  // A certification-gated action: say which certificate is missing and link the course that gives it.
  const needed = certificationRequired(error);
  if (needed) return <CertificationGate needed={needed} action="do this" />;
  const fields = error instanceof ApiError ? error.problemFields : [];
  const allShown = fields.length > 0 && fields.every((f) => shown.includes(f.field));
  return (
    <div role="alert" className="alert" data-testid={props.testId}>
      {allShown ? 'Please correct the fields marked above.' : error instanceof ApiError ? error.plainMessage : error}
    </div>
  );
}
