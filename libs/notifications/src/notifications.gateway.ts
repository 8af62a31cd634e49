import { Inject, Logger } from '@nestjs/common';
import { OnGatewayConnection, WebSocketGateway, WebSocketServer } from '@nestjs/websockets';
import type { Server, Socket } from 'socket.io';
import { PRINCIPAL_RESOLVER, PrincipalResolver, SessionEvents, socketAuthentication } from '@hub/access';
import { SocketPushes } from './socket-pushes';

export const userRoom = (userId: string) => `user:${userId}`;
/** The sockets of one sign-in session (refresh family): a logout cuts them, on whichever instance they are. */
export const signInRoom = (sessionId: string) => `signin:${sessionId}`;

/**
 * Live notifications. The socket is authenticated in the handshake (access token in `auth.token` or the
 * Authorization header) and joins only its own user's room; clients send no events here, so none can be abused.
 * Each notification goes to the room of a user who may see its case, decided by the sender, through SocketPushes
 * (the outbox), which this gateway hands the socket.io server to.
 */
@WebSocketGateway({ path: '/socket.io', cors: { origin: false } })
export class NotificationsGateway implements OnGatewayConnection {
  private readonly logger = new Logger(NotificationsGateway.name);
  @WebSocketServer() server: Server;

  constructor(
    @Inject(PRINCIPAL_RESOLVER) private readonly principals: PrincipalResolver,
    sessions: SessionEvents,
    private readonly pushes: SocketPushes,
  ) {
    // Logout, deactivation, a new password or changed memberships cut the user's sockets at once, on every hub
    // instance (the room is resolved by the socket.io cluster adapter).
    sessions.onChange((change) => {
      if (!this.server) return;
      this.server.of('/').in(change.sessionId ? signInRoom(change.sessionId) : userRoom(change.userId)).disconnectSockets(true);
    });
  }

  afterInit(server: Server) {
    this.pushes.attach(server);
    server.use(
      socketAuthentication(this.principals, (socket, principal) => {
        socket.data.userId = principal.userId;
        socket.data.sessionId = principal.sessionId;
      }),
    );
  }

  handleConnection(socket: Socket) {
    const userId = socket.data.userId as string | undefined;
    if (!userId) {
      socket.disconnect(true);
      return;
    }
    void socket.join([userRoom(userId), signInRoom(socket.data.sessionId as string)]);
  }
}
