import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { specialtyName } from '../i18n/words';
import { get } from '../api/client';
import { useApi } from './useApi';

interface Specialty {
  code: string;
  name: string;
}

/** Specialty codes as a group of checkboxes (from /api/specialties), or a comma-separated field if that list fails. */
export function SpecialtyPicker(props: { legend: string; value: string[]; onChange: (v: string[]) => void; problems?: string[] }) {
  const list = useApi<Specialty[]>('/api/specialties');
  const id = useId();
  const { t } = useTranslation();
  const problems = props.problems ?? [];
  const known = list.data ?? [];
  // Codes the user already has but that are not (or no longer) in the active list stay visible.
  const extra = props.value.filter((c) => !known.some((s) => s.code === c));
  const toggle = (code: string, on: boolean) =>
    props.onChange(on ? [...props.value, code] : props.value.filter((c) => c !== code));
  return (
    <fieldset className="field specialties" aria-describedby={problems.length ? `${id}-error` : undefined}>
      <legend>{props.legend}</legend>
      {list.error ? (
        <>
          <label htmlFor={`${id}-text`} className="muted">
            {t('admin.specialtyCodesHint')}
          </label>
          <input
            id={`${id}-text`}
            value={props.value.join(', ')}
            onChange={(e) => props.onChange(e.target.value.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean))}
          />
        </>
      ) : (
        <div className="checks">
          {[...known, ...extra.map((code) => ({ code, name: code }))].map((s) => (
            <label key={s.code} className="check">
              <input type="checkbox" checked={props.value.includes(s.code)} onChange={(e) => toggle(s.code, e.target.checked)} /> {specialtyName(t, s.code, s.name)}
            </label>
          ))}
          {!list.data && <span className="muted">{t('admin.loadingSpecialties')}</span>}
        </div>
      )}
      {problems.length > 0 && (
        <div className="field-error" id={`${id}-error`}>
          {problems.join('; ')}
        </div>
      )}
    </fieldset>
  );
}
