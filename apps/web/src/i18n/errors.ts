import type { TFunction } from 'i18next';
import { ApiError } from '../api/client';
import i18n from './index';

/** A field's name in clinical words ("Oxygen saturation (SpO₂)"), or the path itself when none is known. */
export function fieldLabel(t: TFunction, field: string): string {
  const key = `fields.${field}`;
  return i18n.exists(key) ? t(key) : field;
}

/**
 * One field's problems in the reader's language: the validation rules the server names (`rules`), else the
 * server's own words for a domain rule.
 */
export function fieldProblemTexts(t: TFunction, error: ApiError | null | undefined, field: string): string[] {
  const entry = error?.problemFields.find((f) => f.field === field);
  if (!entry) return [];
  // A refusal the server ties to a field (409 with a reason, e.g. an e-mail address in use): its sentence, in French too.
  const reason = error?.body.params?.reason;
  if (i18n.resolvedLanguage !== 'en' && !entry.rules?.length && typeof reason === 'string' && i18n.exists(`reasons.${reason}`)) {
    return [t(`reasons.${reason}`, { ...(error?.body.params ?? {}) })];
  }
  // In English the server's own sentence is the most precise ("must be at least 12 characters"); its field's code
  // name becomes the clinical one ("presentingComplaint must…" → "Presenting complaint must…").
  if (i18n.resolvedLanguage === 'en' || !entry.rules?.length) {
    const label = fieldLabel(t, field);
    return entry.problems.map((p) => (p.startsWith(`${field} `) ? `${label}${p.slice(field.length)}` : p));
  }
  return [...new Set(entry.rules.map((r) => t(i18n.exists(`validation.${r}`) ? `validation.${r}` : 'validation.unknown')))];
}

/**
 * The sentence to show for any failed call, in the reader's language: a specific reason the server names
 * (`params.reason`), else the code's sentence; in English the server's own (more specific) sentence is kept.
 * Validation errors name each field once, by its clinical name.
 */
export function errorText(t: TFunction, e: unknown): string {
  if (!(e instanceof ApiError)) {
    const detail = e instanceof Error && e.message ? e.message : typeof e === 'string' ? e : '';
    return detail ? t('errors.CLIENT', { detail }) : t('errors.generic');
  }
  const body = e.body;
  const params = { ...(body.params ?? {}), errorId: body.errorId, status: e.status };
  const reason = typeof body.params?.reason === 'string' ? `reasons.${body.params.reason}` : null;
  if (reason && i18n.exists(reason)) return t(reason, params);
  if (body.code === 'VALIDATION_FAILED' && e.problemFields.length) {
    if (i18n.resolvedLanguage === 'en') return e.problemFields.flatMap((f) => fieldProblemTexts(t, e, f.field)).join('; ');
    return e.problemFields
      .map((f) => t('errors.fieldProblem', { field: fieldLabel(t, f.field), problem: fieldProblemTexts(t, e, f.field).join(', ') }))
      .join(' · ');
  }
  const local = !['NETWORK', 'HTTP_ERROR', 'CLIENT'].includes(body.code);
  if (local && i18n.resolvedLanguage === 'en' && body.message) return e.plainMessage;
  const key = body.code === 'CONFLICT' ? 'errors.CONFLICT_plain' : `errors.${body.code}`;
  return i18n.exists(key) ? t(key, params) : e.plainMessage;
}
