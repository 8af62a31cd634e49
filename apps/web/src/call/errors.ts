import i18n from '../i18n';

/**
 * A call failure in the reader's language. A signalling error carries the server's code: its sentence
 * (`errors.<CODE>`, the one the REST errors use) in French, the server's own (more precise) words in English; the
 * client's own codes (link lost, no answer) have theirs under `callErrors`. Anything else (a browser refusing the
 * camera, say) is said as "Something went wrong: <detail>".
 */
export function callErrorText(e: unknown): string {
  const code = typeof (e as { code?: unknown })?.code === 'string' ? (e as { code: string }).code : null;
  const message = e instanceof Error ? e.message : typeof e === 'string' ? e : '';
  if (code === 'DISCONNECTED') return i18n.t('callErrors.disconnected');
  if (code === 'TIMEOUT') return i18n.t('callErrors.timeout');
  if (code && i18n.exists(`errors.${code}`)) {
    return i18n.resolvedLanguage === 'en' && message ? message : i18n.t(`errors.${code}`, { detail: message, status: '', errorId: '—' });
  }
  return message ? i18n.t('errors.CLIENT', { detail: message }) : i18n.t('errors.generic');
}

/** The sentences the call client sets on its state (reconnecting, media failures), in the reader's language. */
export const callText = {
  mediaUnavailable: (e: unknown) => i18n.t('preCall.mediaUnavailable', { detail: e instanceof Error ? e.message : String(e) }),
  get hubLost() {
    return i18n.t('callErrors.hubLost');
  },
  get mediaServerRestarted() {
    return i18n.t('callErrors.mediaServerRestarted');
  },
  mediaSetupFailed: (e: unknown) => i18n.t('callErrors.mediaSetupFailed', { detail: detailOf(e) }),
  mediaPath: (why: string) => i18n.t(why === 'failed' ? 'callErrors.mediaPathFailed' : 'callErrors.mediaPathLost'),
};

/** What went wrong inside a longer sentence: the coded error's sentence, else the error's own words. */
function detailOf(e: unknown): string {
  const code = (e as { code?: unknown })?.code;
  if (typeof code === 'string' && (code === 'DISCONNECTED' || code === 'TIMEOUT' || i18n.exists(`errors.${code}`))) return callErrorText(e);
  return e instanceof Error ? e.message : String(e);
}
