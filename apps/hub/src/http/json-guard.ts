import type { NextFunction, Request, Response } from 'express';
import { DomainException } from '@hub/common';

/** Deepest nesting of arrays and objects a request body may have. No DTO of the hub comes near it. */
export const MAX_JSON_DEPTH = 32;

/**
 * True when the JSON text nests arrays/objects deeper than `limit`. A linear scan of the raw bytes, run before
 * JSON.parse (body-parser's `verify`), so a body of 100,000 `[` costs one pass instead of a stack overflow.
 */
export function exceedsDepth(buf: Buffer, limit = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped byte
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/** body-parser `verify`: refuses an over-deep body with 400 before it is parsed. */
export function verifyJsonDepth(_req: Request, _res: Response, buf: Buffer): void {
  if (exceedsDepth(buf)) {
    throw Object.assign(new Error(`Request body nests deeper than ${MAX_JSON_DEPTH} levels`), { status: 400, type: 'entity.too.deep', expose: true });
  }
}

// A UTF-16 surrogate without its pair (JSON allows "\ud800"; PostgreSQL and UTF-8 do not).
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The first text that PostgreSQL cannot store (NUL) or UTF-8 cannot encode (lone surrogate), with its path. */
export function findUnstorableText(value: unknown, path = ''): { field: string; problem: string } | null {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) return { field: path || '(body)', problem: 'must not contain a NUL character' };
    if (LONE_SURROGATE.test(value)) return { field: path || '(body)', problem: 'must not contain an unpaired UTF-16 surrogate' };
    return null;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findUnstorableText(value[i], `${path}[${i}]`);
      if (found) return found;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const field = path ? `${path}.${k}` : k;
      const inKey = findUnstorableText(k, field);
      if (inKey) return { field, problem: 'field name ' + inKey.problem.replace('must not', 'must not') };
      const found = findUnstorableText(v, field);
      if (found) return found;
    }
  }
  return null;
}

/**
 * Middleware after the JSON parser: a NUL or a lone surrogate anywhere in the body or query answers 400 naming the
 * field, before any handler could hand it to PostgreSQL (which would fail with a 500).
 */
export function rejectUnstorableText(req: Request, _res: Response, next: NextFunction): void {
  const found = findUnstorableText(req.body) ?? findUnstorableText(req.query) ?? findUnstorableText(req.params);
  if (found) return next(DomainException.invalid(found.field, found.problem));
  next();
}
