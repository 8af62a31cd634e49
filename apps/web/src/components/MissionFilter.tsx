import { useTranslation } from 'react-i18next';
import type { MissionView } from '@hub/contracts';
import { Field } from './Field';

/** "All missions" or one of them, for the admin lists. */
export function MissionFilter(props: { missions: MissionView[] | null; value: string; onChange: (id: string) => void }) {
  const { t } = useTranslation();
  return (
    <Field label={t('admin.filter')}>
      {(id) => (
        <select id={id} value={props.value} onChange={(e) => props.onChange(e.target.value)}>
          <option value="">{t('admin.allMissions')}</option>
          {props.missions?.map((m) => (
            <option key={m.id} value={m.id}>{m.code}</option>
          ))}
        </select>
      )}
    </Field>
  );
}
