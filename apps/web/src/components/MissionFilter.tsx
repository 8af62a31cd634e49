import type { MissionView } from '@hub/contracts';
import { Field } from './Field';

/** "All missions" or one of them, for the admin lists. */
export function MissionFilter(props: { missions: MissionView[] | null; value: string; onChange: (id: string) => void }) {
  return (
    <Field label="Filter">
      {(id) => (
        <select id={id} value={props.value} onChange={(e) => props.onChange(e.target.value)}>
          <option value="">All missions</option>
          {props.missions?.map((m) => (
            <option key={m.id} value={m.id}>{m.code}</option>
          ))}
        </select>
      )}
    </Field>
  );
}
