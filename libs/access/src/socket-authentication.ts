import { Logger } from '@nestjs/common';
import type { Socket } from 'socket.io';
import { DomainException } from '@hub/common';
import { bearerToken, PrincipalResolver } from './access.guard';
import type { Principal } from './principal';

type Next = (err?: Error) => void;

const logger = new Logger('SocketAuthentication');

/**
 * The socket.io counterpart of the AccessGuard's authentication, shared by every gateway: the access token comes in
 * the handshake (`auth.token`, or an Authorization header), the caller is loaded as for an HTTP request, and a user
 * who still has to enrol an authenticator app is refused. `accept` stores what the gateway needs on `socket.data`.
 */
export function socketAuthentication(principals: PrincipalResolver, accept: (socket: Socket, principal: Principal) => void) {
  return async (socket: Socket, next: Next): Promise<void> => {
    const token =
      (typeof socket.handshake.auth?.token === 'string' ? socket.handshake.auth.token : null) ??
      bearerToken(socket.handshake.headers.authorization);
    if (!token) return next(new Error('UNAUTHENTICATED: an access token is required'));
    try {
      const principal = await principals.resolve(token);
      if (!principal.fullAccess) return next(new Error('MFA_ENROLMENT_REQUIRED: enrol an authenticator app first'));
      accept(socket, principal);
      next();
    } catch (e) {
      // Only the hub's own refusals (expired token, ended session, deactivated account) are told to the client;
      // anything else (a database error) becomes a plain refusal, its text kept out of the answer.
      if (e instanceof DomainException && e.statusCode < 500) return next(new Error(`UNAUTHENTICATED: ${e.message}`));
      logger.warn(`socket handshake failed: ${(e as Error).message}`);
      next(new Error('UNAUTHENTICATED: the access token could not be checked; sign in again'));
    }
  };
}
