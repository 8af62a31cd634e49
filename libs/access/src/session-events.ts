import { Injectable } from '@nestjs/common';
import { EventEmitter } from 'node:events';

/**
 * A session's right ended or changed: `sessionId` set = that session only (logout); absent = every session of the
 * user (deactivation, new password, role or membership change).
 */
export interface SessionChange {
  userId: string;
  sessionId?: string;
  reason: 'logout' | 'deactivated' | 'password' | 'memberships' | 'mfa';
}

/**
 * Tells the socket gateways to cut the sockets of a session whose right ended or changed. Raised after the change is
 * committed (never from inside its transaction); each gateway disconnects the matching sockets at once, so a
 * notification or consultation socket cannot outlive a logout or deactivation. A socket cut for a role or
 * membership change reconnects and is authorised afresh with the new rights. The emitter is in-process; the
 * gateways cut by socket.io room (`user:<id>`, `signin:<session>`), which the cluster adapter carries to every hub
 * instance (docs/security-model.md).
 */
@Injectable()
export class SessionEvents {
  private readonly emitter = new EventEmitter().setMaxListeners(50);

  changed(change: SessionChange): void {
    this.emitter.emit('changed', change);
  }

  onChange(listener: (change: SessionChange) => void): void {
    this.emitter.on('changed', listener);
  }
}

/** True when a socket of (userId, sessionId) is concerned by the change. */
export function concerns(change: SessionChange, userId: string | undefined, sessionId: string | undefined): boolean {
  return userId === change.userId && (!change.sessionId || change.sessionId === sessionId);
}
