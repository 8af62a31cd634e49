import { canonicalJson, IDEMPOTENCY_KEY_PATTERN, requestFingerprint } from './fingerprint';

describe('idempotency fingerprint', () => {
  it('ignores key order and undefined members, but not values, paths or methods', () => {
    const a = requestFingerprint('POST', '/api/cases', { b: 1, a: { y: [1, 2], x: 'é' } });
    expect(requestFingerprint('post', '/api/cases', { a: { x: 'é', y: [1, 2], z: undefined }, b: 1 })).toBe(a);
    expect(requestFingerprint('POST', '/api/cases', { b: 2, a: { y: [1, 2], x: 'é' } })).not.toBe(a);
    expect(requestFingerprint('POST', '/api/cases', { b: 1, a: { y: [2, 1], x: 'é' } })).not.toBe(a);
    expect(requestFingerprint('POST', '/api/patients', { b: 1, a: { y: [1, 2], x: 'é' } })).not.toBe(a);
    expect(requestFingerprint('PUT', '/api/cases', { b: 1, a: { y: [1, 2], x: 'é' } })).not.toBe(a);
    expect(canonicalJson(undefined)).toBe('null');
  });

  it('accepts 1-200 visible ASCII characters only', () => {
    expect(IDEMPOTENCY_KEY_PATTERN.test('0190f1c2-7d3a-7b8e-9f00-1234567890ab')).toBe(true);
    expect(IDEMPOTENCY_KEY_PATTERN.test('x'.repeat(200))).toBe(true);
    expect(IDEMPOTENCY_KEY_PATTERN.test('x'.repeat(201))).toBe(false);
    expect(IDEMPOTENCY_KEY_PATTERN.test('')).toBe(false);
    expect(IDEMPOTENCY_KEY_PATTERN.test('has space')).toBe(false);
    expect(IDEMPOTENCY_KEY_PATTERN.test('clé')).toBe(false);
  });
});
