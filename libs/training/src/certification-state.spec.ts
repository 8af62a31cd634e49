import { kindState } from './certification-state';

const DAY = 86_400_000;
const now = new Date('2027-01-01T00:00:00Z');
const at = (days: number) => new Date(now.getTime() + days * DAY);
const cert = (id: string, issued: number, expires: number, revoked: number | null = null) => ({ id, issuedAt: at(issued), expiresAt: at(expires), revokedAt: revoked === null ? null : at(revoked) });

describe('kindState', () => {
  it('is certified, then expiring within 30 days, then expired', () => {
    expect(kindState([cert('a', -10, 100)], [], now)).toMatchObject({ state: 'certified', valid: true, certificateId: 'a' });
    expect(kindState([cert('a', -10, 30)], [], now)).toMatchObject({ state: 'expiring', valid: true });
    expect(kindState([cert('a', -800, -1)], [], now)).toMatchObject({ state: 'expired', valid: false, certificateId: 'a' });
    expect(kindState([], [], now)).toMatchObject({ state: 'missing', valid: false });
  });

  it('takes the longest-valid certificate, ignores revoked ones, and falls back to a waiver', () => {
    expect(kindState([cert('old', -700, 20), cert('new', -1, 729)], [], now)).toMatchObject({ state: 'certified', certificateId: 'new' });
    expect(kindState([cert('r', -10, 700, -1)], [], now)).toMatchObject({ state: 'revoked', valid: false });
    const waiver = { id: 'w', startsAt: at(-1), expiresAt: at(10), revokedAt: null };
    expect(kindState([cert('r', -10, 700, -1)], [waiver], now)).toMatchObject({ state: 'waived', valid: true, waiverId: 'w' });
    expect(kindState([], [{ ...waiver, revokedAt: at(-0.5) }], now)).toMatchObject({ state: 'missing' });
    expect(kindState([], [{ ...waiver, expiresAt: at(-0.1) }], now)).toMatchObject({ state: 'missing' });
  });
});
