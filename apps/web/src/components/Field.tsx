import { ReactNode, useId } from 'react';

/** A labelled form control with the server's problems for that field shown under it. */
export function Field(props: {
  label: string;
  problems?: string[];
  children: (id: string, describedBy?: string) => ReactNode;
}) {
  const id = useId();
  const errorId = `${id}-error`;
  const problems = props.problems ?? [];
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      {props.children(id, problems.length ? errorId : undefined)}
      {problems.length > 0 && (
        <div className="field-error" id={errorId}>
          {problems.join('; ')}
        </div>
      )}
    </div>
  );
}
