import { formatTimeSeconds } from '../i18n/format';
import { S } from './strings';

/** "Draft saved on this device at 14:32", beside a form whose draft is kept in IndexedDB. */
export function DraftSaved({ at }: { at: Date | null }) {
  if (!at) return null;
  return (
    <p className="muted draft-saved" role="status" data-testid="draft-saved">
      {S.draftSaved(formatTimeSeconds(at))}
    </p>
  );
}
