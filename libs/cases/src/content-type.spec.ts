import { makeDicom } from '@hub/testing';
import { detectContentType } from './content-type';

describe('detectContentType', () => {
  it('recognises files by their bytes, whatever their name', () => {
    expect(detectContentType(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0]))?.mediaType).toBe('image/jpeg');
    expect(detectContentType(Buffer.from('89504e470d0a1a0a0000', 'hex'))?.mediaType).toBe('image/png');
    expect(detectContentType(Buffer.from('%PDF-1.7\n'))?.mediaType).toBe('application/pdf');
    const dicom = Buffer.alloc(140);
    dicom.write('DICM', 128, 'latin1');
    expect(detectContentType(dicom)?.mediaType).toBe('application/dicom');
    expect(detectContentType(Buffer.from('RIFF\0\0\0\0WEBPVP8 '))?.mediaType).toBe('image/webp');
  });

  it('recognises a whole DICOM file (what a Level 2 X-ray sends) by its bytes', () => {
    expect(detectContentType(makeDicom().subarray(0, 256))).toEqual({ mediaType: 'application/dicom', image: false });
  });

  it('refuses anything else', () => {
    expect(detectContentType(Buffer.from('MZ\x90\0 an executable'))).toBeNull();
    expect(detectContentType(Buffer.from('<html><script>'))).toBeNull();
    expect(detectContentType(Buffer.alloc(0))).toBeNull();
  });
});
