import { useEffect, useRef, useState } from 'react';

/**
 * A button for an action that cannot be undone: the first press asks the question in place, and only "yes" acts.
 * Focus goes to the safe answer, so a double press or Enter does not confirm by accident.
 */
export function ConfirmButton(props: { label: string; question: string; yes: string; no: string; onConfirm: () => unknown }) {
  const [asking, setAsking] = useState(false);
  const safe = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (asking) safe.current?.focus();
  }, [asking]);
  if (!asking) {
    return (
      <button type="button" className="secondary" onClick={() => setAsking(true)}>
        {props.label}
      </button>
    );
  }
  return (
    <div role="alertdialog" aria-label={props.label} className="confirm" data-testid="confirm">
      <p>{props.question}</p>
      <div className="buttons">
        <button type="button" ref={safe} className="secondary" onClick={() => setAsking(false)}>
          {props.no}
        </button>
        <button
          type="button"
          className="danger"
          onClick={() => {
            setAsking(false);
            void props.onConfirm();
          }}
        >
          {props.yes}
        </button>
      </div>
    </div>
  );
}
