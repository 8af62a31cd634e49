import { TokenBucket } from './token-bucket';

describe('TokenBucket', () => {
  it('allows a burst of its capacity, then refills at its rate', () => {
    const b = new TokenBucket(3, 2, 0);
    expect([b.take(0), b.take(0), b.take(0)]).toEqual([0, 0, 0]);
    expect(b.take(0)).toBe(500); // one token every 500 ms
    expect(b.take(250)).toBe(250);
    expect(b.take(500)).toBe(0);
    expect(b.take(500)).toBeGreaterThan(0);
  });

  it('never holds more than its capacity', () => {
    const b = new TokenBucket(2, 10, 0);
    b.take(0);
    const later = 60_000;
    expect([b.take(later), b.take(later), b.take(later)]).toEqual([0, 0, 100]);
  });
});
