import { Logger } from '@nestjs/common';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { DomainException, ErrorCode } from '@hub/common';

/** One call from an instance to the media node holding a room: a method of CallHost and its arguments. */
export interface CallRequest {
  method: string;
  args: unknown[];
}

type CallAnswer = { ok: true; data: unknown } | { ok: false; error: { code: ErrorCode; message: string } };

/** Largest request body accepted (a join carries the device's RTP capabilities: a few kB). */
const MAX_BODY = 512 * 1024;
/** How far apart the clocks of two instances may be for a signed call to be accepted. */
const MAX_SKEW_MS = 30_000;

/** The key signing calls between instances: derived from the access-token secret every instance shares. */
export function callKey(sharedSecret: string | undefined): Buffer {
  return createHmac('sha256', sharedSecret ?? randomBytes(32).toString('hex')).update('media-node-call').digest();
}

function sign(key: Buffer, at: string, body: string): string {
  return createHmac('sha256', key).update(`${at}.${body}`).digest('hex');
}

/**
 * The internal call port of a media node: other hub instances send it the signalling of the participants whose
 * sockets they hold (POST /call, JSON `{method, args}`), signed with HMAC-SHA256 over the time and the body under a
 * key derived from JWT_SECRET. It listens on MEDIA_NODE_RPC_HOST (127.0.0.1 by default), never on the public port,
 * and answers nothing but these calls.
 */
export class CallRpcServer {
  private readonly logger = new Logger('CallRpcServer');
  private server?: Server;

  constructor(
    private readonly key: Buffer,
    private readonly handle: (request: CallRequest) => Promise<unknown>,
  ) {}

  async listen(host: string, port: number): Promise<string> {
    const server = createServer((req, res) => {
      void this.answer(req).then((answer) => {
        const body = JSON.stringify(answer);
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
        res.end(body);
      }, (e: Error & { status?: number }) => {
        // No user to audit here: a refused call is logged with the caller's address (a misconfigured or hostile host).
        this.logger.warn(`refused a call from ${req.socket.remoteAddress ?? 'unknown'}: ${e.message}`);
        res.writeHead(e.status ?? 400, { 'Content-Type': 'text/plain' });
        res.end(e.message);
      });
    });
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    return `http://${host.includes(':') ? `[${host}]` : host}:${(server.address() as AddressInfo).port}`;
  }

  private async answer(req: IncomingMessage): Promise<CallAnswer> {
    if (req.method !== 'POST' || req.url !== '/call') throw Object.assign(new Error('not found'), { status: 404 });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY) throw Object.assign(new Error('too large'), { status: 413 });
      chunks.push(chunk as Buffer);
    }
    const body = Buffer.concat(chunks).toString('utf8');
    const [at, mac] = String(req.headers['x-call-signature'] ?? '').split('.');
    const expected = Buffer.from(sign(this.key, at ?? '', body), 'hex');
    const given = Buffer.from(mac ?? '', 'hex');
    if (!at || Math.abs(Date.now() - Number(at)) > MAX_SKEW_MS || given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw Object.assign(new Error('bad signature'), { status: 401 });
    }
    const request = JSON.parse(body) as CallRequest;
    try {
      return { ok: true, data: (await this.handle(request)) ?? null };
    } catch (e) {
      if (e instanceof DomainException) return { ok: false, error: { code: e.code, message: e.message } };
      this.logger.error(`call ${request.method} failed: ${(e as Error).message}`);
      return { ok: false, error: { code: ErrorCode.Internal, message: 'Internal error on the media node' } };
    }
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections?.();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** A node did not answer at all (refused, reset, timed out): probably dead. */
export class NodeUnreachable extends DomainException {
  constructor() {
    super(ErrorCode.Conflict, 'The media server of this consultation is not reachable: your connection is being moved, join again');
  }
}

/** Sends a call to another node; a node that does not answer is reported as a reset media connection. */
export async function callNode(key: Buffer, rpcUrl: string, request: CallRequest, timeoutMs = 8000): Promise<unknown> {
  const body = JSON.stringify(request);
  const at = String(Date.now());
  let res: Response;
  try {
    res = await fetch(`${rpcUrl}/call`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Call-Signature': `${at}.${sign(key, at, body)}` },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch {
    throw new NodeUnreachable();
  }
  if (res.status !== 200) throw new DomainException(ErrorCode.Conflict, `The media server refused the call (${res.status}): join again`);
  const answer = (await res.json()) as CallAnswer;
  if (!answer.ok) throw new DomainException(answer.error.code, answer.error.message);
  return answer.data;
}
