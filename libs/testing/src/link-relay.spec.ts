import { createSocket, Socket as UdpSocket } from 'node:dgram';
import { AddressInfo, createConnection, createServer, Server, Socket } from 'node:net';
import { LinkRelay } from './link-relay';

/**
 * The link emulator measured: a UDP echo server and a TCP echo server behind a relay; every property is read off
 * the clock and the bytes that come back, not off the relay's own word (its counters are checked against them).
 */
describe('LinkRelay', () => {
  let udpEcho: UdpSocket;
  let tcpEcho: Server;
  let relay: LinkRelay;
  let client: UdpSocket;
  const received: { at: number; size: number; seq: number }[] = [];

  beforeAll(async () => {
    udpEcho = createSocket('udp4');
    udpEcho.on('message', (msg, r) => udpEcho.send(msg, r.port, r.address));
    await new Promise<void>((resolve) => udpEcho.bind(0, '127.0.0.1', resolve));
    tcpEcho = createServer((s) => s.on('error', () => undefined).pipe(s));
    await new Promise<void>((resolve) => tcpEcho.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    udpEcho.close();
    await new Promise((resolve) => tcpEcho.close(resolve));
  });

  beforeEach(async () => {
    relay = await LinkRelay.start({
      udpTarget: { host: '127.0.0.1', port: (udpEcho.address() as AddressInfo).port },
      tcpTarget: { host: '127.0.0.1', port: (tcpEcho.address() as AddressInfo).port },
    });
    received.length = 0;
    client = createSocket('udp4');
    client.on('message', (msg) => received.push({ at: performance.now(), size: msg.length, seq: msg.readUInt32BE(0) }));
    await new Promise<void>((resolve) => client.bind(0, '127.0.0.1', resolve));
  });
  afterEach(async () => {
    client.close();
    await relay.close();
  });

  const packet = (seq: number, size: number) => {
    const b = Buffer.alloc(size);
    b.writeUInt32BE(seq, 0);
    return b;
  };
  const send = (seq: number, size = 100) => client.send(packet(seq, size), relay.udpPort, '127.0.0.1');
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  async function until(cond: () => boolean | Promise<boolean>, ms: number) {
    const end = Date.now() + ms;
    while (!(await cond()) && Date.now() < end) await sleep(10);
  }

  it('adds the one-way delay of each direction (UDP round trip = up + down)', async () => {
    relay.set('up', { delayMs: 120 });
    relay.set('down', { delayMs: 60 });
    await relay.counters(); // applied in the relay's thread
    const rtts: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      send(i);
      await until(() => received.length > i, 2000);
      rtts.push(received[i].at - t0);
    }
    // never less than the delay set; the median not much more (a loaded machine delays a timer now and then)
    for (const rtt of rtts) expect(rtt).toBeGreaterThanOrEqual(178);
    expect([...rtts].sort((a, b) => a - b)[2]).toBeLessThan(300);
    // changed during the run
    relay.set('both', { delayMs: 0 });
    await relay.counters(); // applied in the relay's thread
    const t0 = performance.now();
    send(99);
    await until(() => received.length > 5, 2000);
    expect(received[5].at - t0).toBeLessThan(60);
  });

  it('limits the rate: a burst leaves at the configured rate, none lost with a long enough queue', async () => {
    relay.set('up', { rateKbps: 400, queueMs: 10_000 });
    await relay.counters(); // applied in the relay's thread
    const t0 = performance.now();
    // 800 kbit at 400 kbit/s: 2 s (offered at 4 Mbit/s in bursts of 10, which loopback socket buffers take whole)
    for (let i = 0; i < 100; i++) {
      send(i, 1000);
      if (i % 10 === 9) await sleep(20);
    }
    await until(() => received.length === 100, 6000);
    expect(received).toHaveLength(100);
    const took = received[99].at - t0;
    expect(took).toBeGreaterThan(1900);
    expect(took).toBeLessThan(2800);
    expect(received.map((r) => r.seq)).toEqual([...Array(100).keys()]); // in order
    const c = (await relay.counters());
    expect(c.up).toMatchObject({ packets: 100, bytes: 100_000, deliveredPackets: 100, droppedQueue: 0 });
    expect(c.down.deliveredPackets).toBe(100);
  });

  it('drops at the tail of a full queue (queue length in ms at the rate)', async () => {
    // 80 kbit/s with a 200 ms queue holds 2000 bytes: of a burst of 50 x 1000 bytes, ~2-3 get through
    relay.set('up', { rateKbps: 80, queueMs: 200 });
    await relay.counters(); // applied in the relay's thread
    for (let i = 0; i < 50; i++) send(i, 1000);
    await sleep(800);
    const c = (await relay.counters()).up;
    expect(c.packets).toBe(50);
    expect(c.droppedQueue).toBeGreaterThanOrEqual(45);
    expect(c.deliveredPackets + c.droppedQueue).toBe(50);
    expect(received.length).toBe(c.deliveredPackets);
    expect(received.map((r) => r.seq)).toEqual([...Array(received.length).keys()]); // the head got through
  });

  it('queue length in bytes takes precedence', async () => {
    relay.set('up', { rateKbps: 80, queueMs: 10_000, queueBytes: 5000 });
    await relay.counters(); // applied in the relay's thread
    for (let i = 0; i < 50; i++) send(i, 1000);
    await sleep(1000);
    const c = (await relay.counters()).up;
    expect(c.droppedQueue).toBeGreaterThanOrEqual(42);
    expect(c.droppedQueue).toBeLessThanOrEqual(45);
  });

  it('loses packets at random with the configured probability', async () => {
    relay.set('down', { loss: 0.2 });
    await relay.counters(); // applied in the relay's thread
    // Paced (a pause every 10 packets): a burst overflows loopback socket buffers on a busy machine, and a packet the
    // kernel drops would be counted as the relay's loss.
    for (let i = 0; i < 2000; i++) {
      send(i, 40);
      if (i % 10 === 9) await sleep(5);
    }
    await until(async () => {
      const c = (await relay.counters()).down;
      return c.packets === 2000 && c.deliveredPackets + c.droppedLoss === 2000 && received.length === c.deliveredPackets;
    }, 5000);
    const lost = 2000 - received.length;
    expect((await relay.counters()).up.droppedLoss).toBe(0);
    expect((await relay.counters()).down.droppedLoss).toBe(lost);
    expect(lost).toBeGreaterThan(300);
    expect(lost).toBeLessThan(500);
  });

  it('a UDP cut drops everything until restored; each client tuple gets its own upstream socket', async () => {
    send(0);
    await until(() => received.length === 1, 1000);
    relay.cut(true);
    await relay.counters(); // the thread has applied the cut
    for (let i = 1; i <= 10; i++) send(i);
    await sleep(300);
    expect(received).toHaveLength(1);
    expect((await relay.counters()).up.droppedCut).toBe(10);
    relay.cut(false);
    send(11);
    await until(() => received.length === 2, 1000);
    expect(received[1].seq).toBe(11);

    const other = createSocket('udp4');
    const seenBy = new Set<number>();
    udpEcho.on('message', (_m, r) => seenBy.add(r.port));
    await new Promise<void>((resolve) => other.bind(0, '127.0.0.1', resolve));
    other.send(packet(1, 10), relay.udpPort, '127.0.0.1');
    send(12);
    await until(() => seenBy.size === 2, 1000);
    await relay.counters();
    expect(relay.udpClients).toBe(2);
    other.close();
  });

  describe('TCP', () => {
    const connect = () =>
      new Promise<Socket>((resolve, reject) => {
        const s = createConnection(relay.tcpPort, '127.0.0.1', () => resolve(s));
        s.on('error', reject);
      });
    const collect = (s: Socket) => {
      const got = { bytes: 0, closed: false };
      s.on('data', (d) => (got.bytes += d.length));
      s.on('close', () => (got.closed = true));
      s.on('error', () => undefined);
      return got;
    };

    it('delays and rate-limits a stream without losing a byte', async () => {
      relay.set('both', { delayMs: 100 });
      await relay.counters(); // applied in the relay's thread
      const s = await connect();
      const got = collect(s);
      const t0 = performance.now();
      s.write('x');
      await until(() => got.bytes === 1, 2000);
      expect(performance.now() - t0).toBeGreaterThanOrEqual(195);

      relay.set('up', { rateKbps: 200, queueMs: 200, delayMs: 0 });
      relay.set('down', { delayMs: 0 });
      await relay.counters(); // applied in the relay's thread
      const t1 = performance.now();
      s.write(Buffer.alloc(50_000)); // 400 kbit at 200 kbit/s: 2 s; a full queue pushes back, nothing is dropped
      await until(() => got.bytes === 50_001, 6000);
      expect(got.bytes).toBe(50_001);
      const took = performance.now() - t1;
      expect(took).toBeGreaterThan(1800);
      expect(took).toBeLessThan(3200);
      expect((await relay.counters()).up.droppedQueue).toBe(0);
      s.destroy();
    });

    it("a cut in 'hold' mode keeps the connection and delivers afterwards; 'drop' resets it", async () => {
      const s = await connect();
      const got = collect(s);
      s.write('abc');
      await until(() => got.bytes === 3, 1000);
      relay.cut(true, 'hold');
      await relay.counters();
      s.write('defg');
      await sleep(400);
      expect(got.bytes).toBe(3);
      relay.cut(false);
      await until(() => got.bytes === 7, 1000);
      expect(got.bytes).toBe(7);

      relay.cut(true, 'drop');
      await relay.counters();
      await until(() => got.closed, 1000);
      expect(got.closed).toBe(true);
      await expect(connect().then((c) => new Promise((resolve, reject) => { c.on('close', () => reject(new Error('reset'))); c.write('x'); c.on('data', resolve); }))).rejects.toThrow();
      relay.cut(false);
      await relay.counters();
      const again = await connect();
      const got2 = collect(again);
      again.write('hi');
      await until(() => got2.bytes === 2, 1000);
      expect(got2.bytes).toBe(2);
      again.destroy();
    });
  });
});
