/**
 * A small, valid DICOM Part 10 file (explicit VR little endian, one 16-bit monochrome frame), written byte by byte
 * so tests need no downloaded sample. The pixels are a diagonal gradient with a bright square, so a rendered image
 * is visibly not blank and window/level changes show.
 */
export function makeDicom(opts: { rows?: number; columns?: number; windowCenter?: number; windowWidth?: number } = {}): Buffer {
  const rows = opts.rows ?? 64;
  const columns = opts.columns ?? 64;
  const uid = (n: number) => `1.2.826.0.1.3680043.10.999.${n}`;
  const LONG = new Set(['OB', 'OW', 'OF', 'SQ', 'UT', 'UN']);
  const pad = (b: Buffer, fill: number) => (b.length % 2 ? Buffer.concat([b, Buffer.from([fill])]) : b);
  const element = (group: number, el: number, vr: string, value: Buffer): Buffer => {
    const v = pad(value, vr === 'UI' || vr === 'OB' ? 0 : 0x20);
    const head = Buffer.alloc(LONG.has(vr) ? 12 : 8);
    head.writeUInt16LE(group, 0);
    head.writeUInt16LE(el, 2);
    head.write(vr, 4, 'latin1');
    if (LONG.has(vr)) head.writeUInt32LE(v.length, 8);
    else head.writeUInt16LE(v.length, 6);
    return Buffer.concat([head, v]);
  };
  const str = (s: string) => Buffer.from(s, 'latin1');
  const us = (n: number) => {
    const b = Buffer.alloc(2);
    b.writeUInt16LE(n);
    return b;
  };
  const meta = Buffer.concat([
    element(0x0002, 0x0001, 'OB', Buffer.from([0, 1])),
    element(0x0002, 0x0002, 'UI', str('1.2.840.10008.5.1.4.1.1.7')),
    element(0x0002, 0x0003, 'UI', str(uid(3))),
    element(0x0002, 0x0010, 'UI', str('1.2.840.10008.1.2.1')),
    element(0x0002, 0x0012, 'UI', str(uid(12))),
  ]);
  const groupLength = Buffer.alloc(4);
  groupLength.writeUInt32LE(meta.length);
  const pixels = Buffer.alloc(rows * columns * 2);
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < columns; x++) {
      const inSquare = x > columns / 4 && x < columns / 2 && y > rows / 4 && y < rows / 2;
      pixels.writeUInt16LE(inSquare ? 4000 : Math.round(((x + y) / (rows + columns)) * 3000), (y * columns + x) * 2);
    }
  }
  const dataset = Buffer.concat([
    element(0x0008, 0x0016, 'UI', str('1.2.840.10008.5.1.4.1.1.7')),
    element(0x0008, 0x0018, 'UI', str(uid(3))),
    element(0x0008, 0x0060, 'CS', str('OT')),
    element(0x0010, 0x0010, 'PN', str('TEST^PHANTOM')),
    element(0x0010, 0x0020, 'LO', str('PHANTOM-1')),
    element(0x0020, 0x000d, 'UI', str(uid(13))),
    element(0x0020, 0x000e, 'UI', str(uid(14))),
    element(0x0020, 0x0013, 'IS', str('1')),
    element(0x0028, 0x0002, 'US', us(1)),
    element(0x0028, 0x0004, 'CS', str('MONOCHROME2')),
    element(0x0028, 0x0010, 'US', us(rows)),
    element(0x0028, 0x0011, 'US', us(columns)),
    element(0x0028, 0x0100, 'US', us(16)),
    element(0x0028, 0x0101, 'US', us(12)),
    element(0x0028, 0x0102, 'US', us(11)),
    element(0x0028, 0x0103, 'US', us(0)),
    element(0x0028, 0x1050, 'DS', str(String(opts.windowCenter ?? 2000))),
    element(0x0028, 0x1051, 'DS', str(String(opts.windowWidth ?? 4000))),
    element(0x7fe0, 0x0010, 'OW', pixels),
  ]);
  return Buffer.concat([Buffer.alloc(128), str('DICM'), element(0x0002, 0x0000, 'UL', groupLength), meta, dataset]);
}
