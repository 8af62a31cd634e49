import { DomainException, ErrorCode } from '@hub/common';
import type { Socket } from 'socket.io';
import type { PrincipalResolver } from './access.guard';
import { socketAuthentication } from './socket-authentication';

/** Issue 12, finding 10: the socket handshake passed internal error text (a database error) to the client. */
describe('socket handshake refusals', () => {
  const socket = (token?: string) => ({ handshake: { auth: token ? { token } : {}, headers: {} }, data: {} }) as unknown as Socket;
  const run = async (resolve: PrincipalResolver['resolve'], token?: string): Promise<Error | undefined> => {
    let got: Error | undefined;
    const accepted = jest.fn();
    await socketAuthentication({ resolve }, accepted)(socket(token), (e) => (got = e));
    if (!got) expect(accepted).toHaveBeenCalled();
    return got;
  };

  it('tells the client a plain refusal, never the text of an internal error', async () => {
    const internal = Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:5432 password authentication failed for user "hub" SELECT * FROM users'), { code: '28P01' });
    const e = await run(async () => Promise.reject(internal), 'a.b.c');
    expect(e?.message).toBe('UNAUTHENTICATED: the access token could not be checked; sign in again');
    expect(e?.message).not.toMatch(/ECONNREFUSED|password|SELECT|5432/);
    expect((e as Error & { data?: unknown }).data).toBeUndefined();
  });

  it("passes the hub's own refusal (an ended session) with its words", async () => {
    const e = await run(async () => Promise.reject(new DomainException(ErrorCode.Unauthenticated, 'Your session has ended; sign in again')), 'a.b.c');
    expect(e?.message).toBe('UNAUTHENTICATED: Your session has ended; sign in again');
  });

  it('refuses a handshake without a token and one of a user who must first enrol MFA', async () => {
    expect((await run(async () => Promise.reject(new Error('unreached'))))?.message).toBe('UNAUTHENTICATED: an access token is required');
    const pending = await run(async () => ({ fullAccess: false }) as never, 'a.b.c');
    expect(pending?.message).toMatch(/^MFA_ENROLMENT_REQUIRED/);
  });
});
