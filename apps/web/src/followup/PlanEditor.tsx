import { useTranslation } from 'react-i18next';
import { MEDICATION_ROUTES, VITAL_SIGNS } from '@hub/contracts';

/** The plan as typed (strings for numbers, so a half-typed field stays as typed); see toPlanBody. */
export interface PlanDraft {
  instructions: string;
  medications: { drug: string; dose: string; route: string; frequency: string; durationDays: string }[];
  checks: { day: string; vitals: string[]; photo: boolean; question: string }[];
}

export const EMPTY_PLAN: PlanDraft = { instructions: '', medications: [], checks: [] };

/** The plan for the answer's body, or undefined when nothing was entered (no plan). */
export function toPlanBody(p: PlanDraft | undefined): object | undefined {
  if (!p || (!p.instructions.trim() && !p.medications.length && !p.checks.length)) return undefined;
  return {
    ...(p.instructions.trim() ? { instructions: p.instructions.trim() } : {}),
    medications: p.medications.map((m) => ({ ...m, durationDays: Number(m.durationDays) })),
    checks: p.checks.map((k) => ({ day: Number(k.day), vitals: k.vitals, photo: k.photo, ...(k.question.trim() ? { question: k.question.trim() } : {}) })),
  };
}

/** The specialist's follow-up plan, typed with the answer: medications and checks at given days. */
export function PlanEditor({ value, onChange, problems }: { value: PlanDraft; onChange: (p: PlanDraft) => void; problems: (field: string) => string[] }) {
  const { t } = useTranslation();
  const setMed = (i: number, patch: Partial<PlanDraft['medications'][number]>) =>
    onChange({ ...value, medications: value.medications.map((m, j) => (j === i ? { ...m, ...patch } : m)) });
  const setCheck = (i: number, patch: Partial<PlanDraft['checks'][number]>) =>
    onChange({ ...value, checks: value.checks.map((k, j) => (j === i ? { ...k, ...patch } : k)) });
  const err = (field: string) => {
    const p = problems(field);
    return p.length ? <div className="field-error">{p.join('; ')}</div> : null;
  };
  return (
    <fieldset className="plan-editor" data-testid="plan-editor">
      <legend>{t('followUp.planEditor')}</legend>
      {err('plan')}
      <label>
        {t('followUp.instructions')}
        <textarea rows={2} value={value.instructions} onChange={(e) => onChange({ ...value, instructions: e.target.value })} />
      </label>
      <h3>{t('followUp.medications')}</h3>
      {value.medications.map((m, i) => (
        <div key={i} className="plan-row" data-testid={`plan-medication-${i}`}>
          <label>{t('followUp.drug')}<input value={m.drug} onChange={(e) => setMed(i, { drug: e.target.value })} /></label>
          <label>{t('followUp.dose')}<input value={m.dose} onChange={(e) => setMed(i, { dose: e.target.value })} /></label>
          <label>
            {t('followUp.route')}
            <select value={m.route} onChange={(e) => setMed(i, { route: e.target.value })}>
              {MEDICATION_ROUTES.map((r) => <option key={r} value={r}>{t(`followUp.routes.${r}`)}</option>)}
            </select>
          </label>
          <label>{t('followUp.frequency')}<input value={m.frequency} onChange={(e) => setMed(i, { frequency: e.target.value })} /></label>
          <label>{t('followUp.durationDays')}<input type="number" min={1} max={365} value={m.durationDays} onChange={(e) => setMed(i, { durationDays: e.target.value })} /></label>
          <button type="button" className="secondary small" onClick={() => onChange({ ...value, medications: value.medications.filter((_, j) => j !== i) })}>{t('followUp.remove')}</button>
          {['drug', 'dose', 'route', 'frequency', 'durationDays'].map((f) => <span key={f}>{err(`plan.medications.${i}.${f}`)}</span>)}
        </div>
      ))}
      <button type="button" className="secondary small" onClick={() => onChange({ ...value, medications: [...value.medications, { drug: '', dose: '', route: 'oral', frequency: '', durationDays: '5' }] })}>
        {t('followUp.addMedication')}
      </button>
      <h3>{t('followUp.checks')}</h3>
      {value.checks.map((k, i) => (
        <div key={i} className="plan-row" data-testid={`plan-check-${i}`}>
          <label>{t('followUp.day')}<input type="number" min={1} max={365} value={k.day} onChange={(e) => setCheck(i, { day: e.target.value })} /></label>
          <fieldset className="inline">
            <legend>{t('followUp.vitalsToRecord')}</legend>
            {VITAL_SIGNS.map((v) => (
              <label key={v} className="check">
                <input
                  type="checkbox"
                  checked={k.vitals.includes(v)}
                  onChange={(e) => setCheck(i, { vitals: e.target.checked ? [...k.vitals, v] : k.vitals.filter((x) => x !== v) })}
                />{' '}
                {t(`vitals.short.${v}`)}
              </label>
            ))}
          </fieldset>
          <label className="check"><input type="checkbox" checked={k.photo} onChange={(e) => setCheck(i, { photo: e.target.checked })} /> {t('followUp.photo')}</label>
          <label>{t('followUp.question')}<input value={k.question} onChange={(e) => setCheck(i, { question: e.target.value })} /></label>
          <button type="button" className="secondary small" onClick={() => onChange({ ...value, checks: value.checks.filter((_, j) => j !== i) })}>{t('followUp.remove')}</button>
          {err(`plan.checks.${i}`)}
          {['day', 'vitals', 'question'].map((f) => <span key={f}>{err(`plan.checks.${i}.${f}`)}</span>)}
        </div>
      ))}
      <button type="button" className="secondary small" onClick={() => onChange({ ...value, checks: [...value.checks, { day: String((value.checks.length ? Number(value.checks[value.checks.length - 1].day) || 0 : 0) + 3), vitals: [], photo: false, question: '' }] })}>
        {t('followUp.addCheck')}
      </button>
    </fieldset>
  );
}
