import { Inject, Logger } from '@nestjs/common';
import { OnGatewayConnection, WebSocketGateway, WebSocketServer } from '@nestjs/websockets';
import type { Server, Socket } from 'socket.io';
import { bearerToken, PRINCIPAL_RESOLVER, PrincipalResolver } from '@hub/access';
import type { NotificationEvent } from '@hub/contracts';

export const userRoom = (userId: string) => `user:${userId}`;

/**
 * Live notifications. The socket is authenticated in the handshake (access token in `auth.token` or the
 * Authorization header) and joins only its own user's room; clients send no events here, so none can be abused.
 * Each notification goes to the room of a user who may see its case, decided by the sender.
 */
@WebSocketGateway({ path: '/socket.io', cors: { origin: false } })
export class NotificationsGateway implements OnGatewayConnection {
  private readonly logger = new Logger(NotificationsGateway.name);
  @WebSocketServer() server: Server;

  constructor(@Inject(PRINCIPAL_RESOLVER) private readonly principals: PrincipalResolver) {}

  afterInit(server: Server) {
    server.use(async (socket, next) => {
      const token =
        (typeof socket.handshake.auth?.token === 'string' ? socket.handshake.auth.token : null) ??
        bearerToken(socket.handshake.headers.authorization);
      if (!token) return next(new Error('UNAUTHENTICATED: an access token is required'));
      try {
        const principal = await this.principals.resolve(token);
        if (!principal.fullAccess) return next(new Error('MFA_ENROLMENT_REQUIRED'));
        socket.data.userId = principal.userId;
        next();
      } catch (e) {
        next(new Error(`UNAUTHENTICATED: ${(e as Error).message}`));
      }
    });
  }

  handleConnection(socket: Socket) {
    const userId = socket.data.userId as string | undefined;
    if (!userId) {
      socket.disconnect(true);
      return;
    }
    void socket.join(userRoom(userId));
  }

  emitTo(userIds: string[], event: NotificationEvent) {
    if (!this.server) return;
    for (const id of userIds) this.server.to(userRoom(id)).emit('notification', event);
  }
}
