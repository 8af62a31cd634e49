import { createHmac } from 'node:crypto';
import { turnCredentials } from './turn-credentials';

describe('turnCredentials', () => {
  const config = { secret: 'north-wind-0123456789', urls: ['turn:turn.example.org:3478'], ttlSeconds: 600 };

  it('signs <expiry>:<userId> with HMAC-SHA1 of the shared secret', () => {
    const now = Date.UTC(2026, 5, 15, 12, 0, 0);
    const c = turnCredentials(config, 'u-1', now);
    const expiry = now / 1000 + 600;
    expect(c.expiresAt).toBe(expiry);
    expect(c.iceServers).toEqual([
      {
        urls: ['turn:turn.example.org:3478'],
        username: `${expiry}:u-1`,
        credential: createHmac('sha1', 'north-wind-0123456789').update(`${expiry}:u-1`).digest('base64'),
      },
    ]);
  });

  it('matches the TURN REST API reference value', () => {
    // coturn's turnutils / the draft's example: secret "north", username "1433895918:alice"
    const c = turnCredentials({ secret: 'north', urls: ['turn:x'], ttlSeconds: 60 }, 'alice', (1433895918 - 60) * 1000);
    expect(c.iceServers[0].username).toBe('1433895918:alice');
    expect(c.iceServers[0].credential).toBe(createHmac('sha1', 'north').update('1433895918:alice').digest('base64'));
    expect(c.iceServers[0].credential).toMatch(/^[A-Za-z0-9+/]{27}=$/);
  });

  it('hands out nothing without a configured TURN server', () => {
    expect(turnCredentials({ urls: [], ttlSeconds: 600 }, 'u-1')).toEqual({ iceServers: [], expiresAt: null });
  });
});
