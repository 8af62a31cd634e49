/**
 * The hand-over from the plain-HTML sign-in form of index.html (apps/web/boot/sign-in.js), which works before the
 * app's scripts arrive, to the app's sign-in page, which replaces it: what the reader typed, which field had the focus,
 * and the answer to a form already sent (the app takes it as its own, so nothing is sent twice).
 */
export interface BootAnswer {
  status: number;
  body: unknown;
}

declare global {
  interface Window {
    __hubLogin?: { email: string; password: string; answer: Promise<BootAnswer> };
  }
}

export interface BootForm {
  email: string;
  password: string;
  focus: 'email' | 'password' | null;
  /** The answer to the form sent before the app arrived, if it was. */
  sent: Promise<BootAnswer> | null;
}

let taken: BootForm | null = null;

/** Reads the plain form once (before React replaces it); later calls give the same. */
export function takeBootForm(): BootForm {
  if (taken) return taken;
  const value = (id: string) => (document.getElementById(id) as HTMLInputElement | null)?.value ?? '';
  const active = document.activeElement?.id;
  const pending = window.__hubLogin;
  delete window.__hubLogin;
  taken = {
    email: pending?.email ?? value('boot-email'),
    password: pending?.password ?? value('boot-password'),
    focus: active === 'boot-email' ? 'email' : active === 'boot-password' ? 'password' : null,
    sent: pending?.answer ?? null,
  };
  return taken;
}

/** Forgets the typed password once it has been used (the form keeps it only while it is shown). */
export function clearBootForm(): void {
  if (taken) taken = { ...taken, password: '', sent: null };
}
