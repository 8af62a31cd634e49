import { SubscribeMessage } from '@nestjs/websockets';
import type { ConsultationClientEventName } from '@hub/contracts';

/**
 * Who may send a signalling event:
 * - authenticated: any signed-in socket (the handler decides further: `join` checks the right to the session);
 * - joined: a socket that joined a session (waiting or admitted);
 * - admitted: a participant the host admitted, whose right to the session still holds (the consultation policy's join
 *   rules, libs/access/src/policies/consultation.policy.ts, checked by the ability on every event);
 * - host: the doctor hosting the session (the policy's update rule).
 */
export type SignallingPolicy = 'authenticated' | 'joined' | 'admitted' | 'host';

/** Token buckets (capacity, refill per second). Every event takes from `all` and from its own class's bucket. */
export const RATE_LIMITS = {
  all: { capacity: 60, perSecond: 20 },
  join: { capacity: 6, perSecond: 0.5 },
  chat: { capacity: 10, perSecond: 1 },
  stats: { capacity: 4, perSecond: 0.5 },
  ping: { capacity: 20, perSecond: 5 },
  /** Recording consent: each change is a row, an audit record and maybe an ffmpeg start or stop. */
  consent: { capacity: 6, perSecond: 0.5 },
} as const;
export type RateClass = Exclude<keyof typeof RATE_LIMITS, 'all'>;

export interface SignallingDeclaration {
  event: ConsultationClientEventName;
  policy: SignallingPolicy;
  /** The payload's class (class-validator); unknown fields are refused. */
  dto: new () => object;
  rate?: RateClass;
}

export const SIGNALLING_POLICY = 'hub:signalling-policy';

/** Declarations by event, filled by @SignallingEvent; the gateway refuses any event missing here. */
export const SIGNALLING_EVENTS = new Map<string, SignallingDeclaration>();

/**
 * The one way a signalling handler is declared: the event name, its policy, its payload class and its rate class.
 * It registers the socket.io handler and routes every call through the gateway's `dispatch` (rate limit, principal
 * reload, validation, policy), so a handler cannot run without them.
 */
export function SignallingEvent(declaration: SignallingDeclaration): MethodDecorator {
  return (target, key, descriptor: PropertyDescriptor) => {
    const handler = descriptor.value as (...args: unknown[]) => Promise<unknown>;
    descriptor.value = async function (this: { dispatch: Dispatch }, socket: unknown, payload: unknown) {
      return this.dispatch(declaration, socket, payload, handler.bind(this));
    };
    Reflect.defineMetadata(SIGNALLING_POLICY, declaration, descriptor.value);
    // Nest would run the global ValidationPipe on the payload (its default argument) against the declared type and
    // answer failures with an `exception` event instead of the acknowledgement: dispatch validates instead.
    Reflect.defineMetadata('design:paramtypes', [Object, Object], target, key);
    SIGNALLING_EVENTS.set(declaration.event, declaration);
    SubscribeMessage(declaration.event)(target, key, descriptor);
  };
}

type Dispatch = (
  declaration: SignallingDeclaration,
  socket: unknown,
  payload: unknown,
  handler: (...args: unknown[]) => Promise<unknown>,
) => Promise<unknown>;
