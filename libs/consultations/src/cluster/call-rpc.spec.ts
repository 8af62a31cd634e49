import { createHmac } from 'node:crypto';
import { DomainException, ErrorCode } from '@hub/common';
import { callKey, callNode, CallRpcServer, NodeUnreachable } from './call-rpc';

/** The internal call port between hub instances: signed calls answered, anything else refused. */
describe('CallRpcServer', () => {
  const key = callKey('x'.repeat(40));
  const seen: { method: string; args: unknown[] }[] = [];
  const server = new CallRpcServer(key, async (r) => {
    seen.push(r);
    if (r.method === 'fail') throw new DomainException(ErrorCode.NotFound, 'no such peer');
    if (r.method === 'crash') throw new Error('boom with secrets');
    return { echoed: r.args };
  });
  let url: string;

  beforeAll(async () => {
    url = await server.listen('127.0.0.1', 0);
  });
  afterAll(() => server.close());

  it('answers a call signed with the shared key', async () => {
    await expect(callNode(key, url, { method: 'peer', args: ['s', 'p', 1] })).resolves.toEqual({ echoed: ['s', 'p', 1] });
  });

  it('carries a domain error back with its code, and hides an unexpected one', async () => {
    await expect(callNode(key, url, { method: 'fail', args: [] })).rejects.toMatchObject({ code: ErrorCode.NotFound, message: 'no such peer' });
    await expect(callNode(key, url, { method: 'crash', args: [] })).rejects.toMatchObject({ code: ErrorCode.Internal, message: 'Internal error on the media node' });
  });

  it('refuses a call signed with another key, an old signature, and a bad path, without running anything', async () => {
    const before = seen.length;
    await expect(callNode(callKey('y'.repeat(40)), url, { method: 'peer', args: [] })).rejects.toThrow(/refused the call \(401\)/);
    const body = JSON.stringify({ method: 'peer', args: [] });
    const old = String(Date.now() - 60_000);
    const res = await fetch(`${url}/call`, {
      method: 'POST',
      body,
      headers: { 'X-Call-Signature': `${old}.${createHmac('sha256', key).update(`${old}.${body}`).digest('hex')}` },
    });
    expect(res.status).toBe(401);
    expect((await fetch(`${url}/other`, { method: 'POST', body })).status).toBe(404);
    expect(seen.length).toBe(before);
  });

  it('reports a node that does not answer as unreachable', async () => {
    await expect(callNode(key, 'http://127.0.0.1:1', { method: 'peer', args: [] }, 2000)).rejects.toBeInstanceOf(NodeUnreachable);
  });
});
