import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DomainException, ErrorCode } from '@hub/common';
import { APP_CONFIG, AppConfig } from '@hub/config';
import { MediaError, MediaService } from '@hub/media';
import { CallHost, CallHostApi, EnterRequest, PeerOperation } from './call-host';
import { callKey, callNode, CallRpcServer, NodeUnreachable } from './call-rpc';
import { MediaNodeRegistry } from './media-node-registry';

/**
 * Where each call's media lives, for the signalling gateway: places a session's room on a media node (registry),
 * and gives the CallHostApi of that node — this instance's CallHost, or a client of another instance's call port.
 * On an instance with media it starts the call port and registers the node; every instance watches the registry.
 */
@Injectable()
export class CallNodes implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('CallNodes');
  private readonly key: Buffer;
  private rpc?: CallRpcServer;
  private readonly urls = new Map<string, string>();

  constructor(
    readonly host: CallHost,
    readonly registry: MediaNodeRegistry,
    private readonly media: MediaService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.key = callKey(config.jwtSecret);
  }

  /** This instance's node id. */
  get localId(): string {
    return this.registry.id;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.media.start();
    if (this.media.available) {
      this.rpc = new CallRpcServer(this.key, (r) => this.host.dispatch(r.method, r.args));
      const url = await this.rpc.listen(this.config.cluster.rpcHost, this.config.cluster.rpcPort);
      await this.registry.register(url, this.media.status().workers.length, () => this.host.load());
    }
    this.registry.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.rpc?.close();
  }

  /** The node holding the session's room (placed now by load if it has none or its node died). */
  async place(sessionId: string): Promise<string> {
    const nodeId = await this.registry.place(sessionId);
    if (!nodeId) {
      throw new MediaError('MEDIA_UNAVAILABLE', `live consultations are unavailable: no media node is running${this.media.available ? '' : ` (${this.media.status().reason ?? 'no worker here'})`}`);
    }
    return nodeId;
  }

  /** The calls of one node: local, or over its call port. */
  api(nodeId: string): CallHostApi {
    if (nodeId === this.localId) return this.host;
    const call = async (method: string, ...args: unknown[]): Promise<never> => {
      let url = this.urls.get(nodeId);
      if (!url) {
        url = (await this.registry.rpcUrlOf(nodeId)) ?? undefined;
        if (!url) throw new DomainException(ErrorCode.Conflict, 'The media server of this consultation is gone: join again');
        this.urls.set(nodeId, url);
      }
      try {
        return (await callNode(this.key, url, { method, args })) as never;
      } catch (e) {
        // Dead, most likely: look at the registry now rather than at the next tick, so its calls move sooner.
        if (e instanceof NodeUnreachable) this.registry.checkNow();
        throw e;
      }
    };
    return {
      enter: (request: EnterRequest) => call('enter', request),
      peer: (sessionId: string, participantId: string, socketId: string, operation: PeerOperation) => call('peer', sessionId, participantId, socketId, operation),
      leave: (sessionId: string, participantId: string, socketId: string) => call('leave', sessionId, participantId, socketId),
      remove: (sessionId: string, participantId: string) => call('remove', sessionId, participantId),
      end: (sessionId: string) => call('end', sessionId),
      livePeers: (sessionId: string) => call('livePeers', sessionId),
      recording: (sessionId: string, participantId: string, socketId: string, consent: boolean) => call('recording', sessionId, participantId, socketId, consent),
    };
  }

  /** The participants with a media peer in the session's room, wherever it is (empty when it has none). */
  async livePeers(sessionId: string): Promise<string[]> {
    const nodeId = await this.registry.placementOf(sessionId);
    if (!nodeId) return [];
    return this.api(nodeId).livePeers(sessionId).catch(() => []);
  }

  /** The session ended: its room closes on its node and the placement goes. */
  async end(sessionId: string): Promise<void> {
    const nodeId = await this.registry.placementOf(sessionId);
    if (nodeId) await this.api(nodeId).end(sessionId).catch((e: Error) => this.logger.warn(`ending the room of ${sessionId}: ${e.message}`));
    await this.registry.unplace(sessionId);
  }
}
