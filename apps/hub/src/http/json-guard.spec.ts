import { exceedsDepth, findUnstorableText, MAX_JSON_DEPTH } from './json-guard';

describe('json-guard', () => {
  it('measures nesting on the raw bytes, ignoring brackets inside strings', () => {
    expect(exceedsDepth(Buffer.from('['.repeat(100_000)))).toBe(true);
    expect(exceedsDepth(Buffer.from('['.repeat(MAX_JSON_DEPTH) + ']'.repeat(MAX_JSON_DEPTH)))).toBe(false);
    expect(exceedsDepth(Buffer.from('['.repeat(MAX_JSON_DEPTH + 1)))).toBe(true);
    expect(exceedsDepth(Buffer.from(JSON.stringify({ a: '['.repeat(1000) + '\\"[' })))).toBe(false);
  });

  it('names the field holding a NUL or a lone surrogate, and accepts paired surrogates', () => {
    expect(findUnstorableText({ body: 'a\u0000b' })).toEqual({ field: 'body', problem: 'must not contain a NUL character' });
    expect(findUnstorableText({ items: [{ note: '\ud800' }] })?.field).toBe('items[0].note');
    expect(findUnstorableText({ note: 'x\udc00' })?.field).toBe('note');
    expect(findUnstorableText({ note: 'emoji \ud83d\ude00 ok' })).toBeNull();
  });
});
