import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { MembershipView } from '@hub/contracts';
import { patch } from '../api/client';
import { ErrorAlert } from '../components/Alert';
import { useSubmit } from '../components/useLoad';

/** A membership's rotation end (last day, UTC): the rights end by themselves after it. Empty clears it. */
export function RotationEnd({ m, onChanged }: { m: MembershipView; onChanged: () => void }) {
  const { t } = useTranslation();
  const save = useSubmit();
  const lastDay = m.endsAt ? new Date(Date.parse(m.endsAt) - 1).toISOString().slice(0, 10) : '';
  const [value, setValue] = useState(lastDay);
  const submit = () =>
    save.submit(async () => {
      const endsAt = value ? new Date(Date.parse(`${value}T00:00:00Z`) + 24 * 3600 * 1000).toISOString() : null;
      await patch(`/api/memberships/${m.id}`, { endsAt });
      onChanged();
    });
  return (
    <span className="rotation-end">
      <label>
        {t('rotations.lastDay')} <input type="date" value={value} onChange={(e) => setValue(e.target.value)} />
      </label>
      <button type="button" className="secondary small" disabled={save.busy || value === lastDay} onClick={() => void submit()}>
        {t('rotations.saveEnd')}
      </button>
      <ErrorAlert error={save.error} />
    </span>
  );
}
