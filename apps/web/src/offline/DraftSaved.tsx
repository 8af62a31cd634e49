import { S } from './strings';

/** "Draft saved on this device at 14:32", beside a form whose draft is kept in IndexedDB. */
export function DraftSaved({ at }: { at: Date | null }) {
  if (!at) return null;
  return (
    <p className="muted draft-saved" role="status" data-testid="draft-saved">
      {S.draftSaved(at.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' }))}
    </p>
  );
}
