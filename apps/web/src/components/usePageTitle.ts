import { useCallback, useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';

/**
 * Names the screen in the browser tab ("New case — Field Telemedicine Hub") and moves keyboard and screen-reader
 * focus to the screen's heading when the screen opens, so a reader hears where they arrived. Put the returned ref
 * on the page's <h1> with tabIndex={-1}; a heading that appears only once data has loaded is focused then.
 */
export function usePageTitle(title: string | null | undefined, moveFocus = true) {
  const { t } = useTranslation();
  const app = t('app.name');
  useEffect(() => {
    document.title = title ? `${title} — ${app}` : app;
  }, [title, app]);
  const focused = useRef(false);
  return useCallback((heading: HTMLHeadingElement | null) => {
    if (!heading || focused.current || !moveFocus) return;
    focused.current = true;
    // Leave focus alone when the reader already is in a control of this screen (e.g. an autofocused field).
    const active = document.activeElement;
    if (active && active !== document.body && heading.closest('main')?.contains(active)) return;
    heading.focus();
  }, [moveFocus]);
}
