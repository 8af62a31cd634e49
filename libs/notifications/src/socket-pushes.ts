import { Injectable, Logger } from '@nestjs/common';
import type { Server } from 'socket.io';
import { EntityManager } from 'typeorm';
import { Outbox } from '@hub/database';

/** The outbox topic of socket pushes. */
export const SOCKET_PUSH_TOPIC = 'socket.push';

/** One event to the sockets in some rooms of a namespace ('/' unless said). */
export interface SocketPush {
  namespace?: string;
  rooms: string[];
  event: string;
  data: unknown;
}

/**
 * The one place where the hub pushes to sockets. `enqueue` writes pushes into the business transaction (the
 * outbox); after the commit the instance that claims them emits to the rooms through the socket.io server, whose
 * adapter carries the emit to the sockets on every instance. `emitNow` is for what needs no durability (live
 * signalling already inside a connection's lifetime).
 */
@Injectable()
export class SocketPushes {
  private readonly logger = new Logger('SocketPushes');
  private server?: Server;

  constructor(private readonly outbox: Outbox) {}

  /** Called by the gateway that owns the socket.io server, once it exists. */
  attach(server: Server): void {
    this.server = server;
    this.outbox.handle(SOCKET_PUSH_TOPIC, (payload: { pushes: SocketPush[] }) => this.deliver(payload.pushes));
  }

  /** Writes pushes into the transaction of `manager`; they go out once it commits (then call deliverAfterCommit). */
  async enqueue(manager: EntityManager, pushes: SocketPush[]): Promise<void> {
    if (pushes.length) await this.outbox.enqueue(manager, SOCKET_PUSH_TOPIC, { pushes });
  }

  /** Delivers the current request's pushes as soon as it has committed. */
  deliverAfterCommit(): void {
    this.outbox.deliverAfterCommit();
  }

  emitNow(push: SocketPush): void {
    this.deliver([push]);
  }

  private deliver(pushes: SocketPush[]): void {
    const server = this.server;
    if (!server) throw new Error('the socket server is not ready');
    for (const p of pushes) {
      if (!p.rooms.length) continue;
      server.of(p.namespace ?? '/').to(p.rooms).emit(p.event, p.data);
    }
    this.logger.debug(`pushed ${pushes.length} event(s)`);
  }
}
