import { describe, expect, it } from 'vitest';
import { checkStoredMedia, isImage, isVideo, maxBytesFor, sniffMediaType, SNIFF_BYTES, uploadRules } from '../../lambdas/domain/media.js';
import type { MediaType, UploadPurpose } from '../../lambdas/domain/media.js';

const MB = 1024 * 1024;

/** The first bytes of a file: byte values and ASCII text, zero-padded to what a caller range-reads. */
function bytes(...parts: (readonly number[] | string)[]): Uint8Array {
  const values = parts.flatMap((part) => (typeof part === 'string' ? Array.from(part, (char) => char.charCodeAt(0)) : [...part]));
  const head = new Uint8Array(Math.max(SNIFF_BYTES, values.length));
  head.set(values);
  return head;
}

const heads = {
  jpeg: bytes([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10], 'JFIF', [0x00, 0x01]),
  png: bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], [0x00, 0x00, 0x00, 0x0d], 'IHDR'),
  webp: bytes('RIFF', [0x24, 0x00, 0x01, 0x00], 'WEBP', 'VP8 '),
  mp4: bytes([0x00, 0x00, 0x00, 0x20], 'ftyp', 'isom', [0x00, 0x00, 0x02, 0x00]),
  mp4OtherBrand: bytes([0x00, 0x00, 0x00, 0x18], 'ftyp', 'mp42', [0x00, 0x00, 0x00, 0x00]),
  pdf: bytes('%PDF-1.7\n%', [0xe2, 0xe3, 0xcf, 0xd3]),
  text: bytes('Hello, this is a plain text file.'),
};

describe('upload rules', () => {
  it.each<[UploadPurpose, string, number]>([
    ['review-media', 'image/jpeg', 10 * MB],
    ['review-media', 'image/png', 10 * MB],
    ['review-media', 'image/webp', 10 * MB],
    ['review-media', 'video/mp4', 50 * MB],
    ['dispute-evidence', 'image/webp', 10 * MB],
    ['dispute-evidence', 'application/pdf', 10 * MB],
    ['dispute-evidence', 'video/mp4', 50 * MB],
    ['listing-image', 'image/png', 10 * MB],
    ['kyc-document', 'image/jpeg', 10 * MB],
    ['kyc-document', 'application/pdf', 10 * MB],
    ['message-attachment', 'image/webp', 10 * MB],
    ['message-attachment', 'application/pdf', 10 * MB],
  ])('allows %s to be %s up to %i bytes', (purpose, contentType, limit) => {
    expect(maxBytesFor(purpose, contentType)).toBe(limit);
  });

  it.each<[UploadPurpose, string]>([
    ['review-media', 'application/pdf'],
    ['listing-image', 'video/mp4'],
    ['listing-image', 'application/pdf'],
    ['kyc-document', 'image/webp'],
    ['kyc-document', 'video/mp4'],
    ['message-attachment', 'video/mp4'],
    ['review-media', 'text/plain'],
    ['review-media', 'image/gif'],
    ['review-media', ''],
    ['review-media', 'constructor'],
    ['review-media', '__proto__'],
  ])('does not allow %s to be %j (undefined)', (purpose, contentType) => {
    expect(maxBytesFor(purpose, contentType)).toBeUndefined();
  });

  it('ignores the case and parameters of a Content-Type header', () => {
    expect(maxBytesFor('review-media', 'IMAGE/PNG; charset=binary')).toBe(10 * MB);
  });

  it('stores each purpose under its own key prefix', () => {
    expect(Object.fromEntries(Object.entries(uploadRules).map(([purpose, rule]) => [purpose, rule.keyPrefix]))).toEqual({
      'review-media': 'review-media',
      'dispute-evidence': 'dispute-evidence',
      'listing-image': 'listing-images',
      'kyc-document': 'kyc',
      'message-attachment': 'messages',
    });
  });

  it('lets each purpose be uploaded only by the roles whose use cases take it', () => {
    expect(Object.fromEntries(Object.entries(uploadRules).map(([purpose, rule]) => [purpose, rule.uploaders]))).toEqual({
      'review-media': ['buyer'],
      'dispute-evidence': ['buyer', 'seller'],
      'listing-image': ['seller'],
      'kyc-document': ['seller'],
      'message-attachment': ['buyer', 'seller'],
    });
    expect(Object.entries(uploadRules).filter(([, rule]) => rule.private).map(([purpose]) => purpose)).toEqual(['kyc-document']);
  });

  it('tells images from videos', () => {
    expect(isImage('image/webp')).toBe(true);
    expect(isImage('video/mp4')).toBe(false);
    expect(isVideo('video/mp4')).toBe(true);
    expect(isVideo('application/pdf')).toBe(false);
  });
});

describe('sniffing the real type from the first bytes', () => {
  it.each<[keyof typeof heads, MediaType]>([
    ['jpeg', 'image/jpeg'],
    ['png', 'image/png'],
    ['webp', 'image/webp'],
    ['mp4', 'video/mp4'],
    ['mp4OtherBrand', 'video/mp4'],
    ['pdf', 'application/pdf'],
  ])('recognises a %s file as %s', (file, type) => {
    expect(sniffMediaType(heads[file])).toBe(type);
  });

  it.each(['heic', 'heix', 'mif1', 'avif', 'qt  '])('does not take an ISO BMFF file of brand %s (an image or QuickTime) for an MP4 video', (brand) => {
    expect(sniffMediaType(bytes([0x00, 0x00, 0x00, 0x18], 'ftyp', brand, [0x00, 0x00, 0x00, 0x00]))).toBeUndefined();
  });

  it('recognises nothing in a text file, an empty head or a truncated signature', () => {
    expect(sniffMediaType(heads.text)).toBeUndefined();
    expect(sniffMediaType(new Uint8Array())).toBeUndefined();
    expect(sniffMediaType(new Uint8Array([0x89, 0x50, 0x4e, 0x47]))).toBeUndefined();
    expect(sniffMediaType(bytes('RIFF', [0, 0, 0, 0], 'WAVE', 'fmt '))).toBeUndefined();
  });
});

describe('checking a stored upload against its claim', () => {
  const stored = (head: Uint8Array, size = 200_000) => ({ exists: true, size, head });

  it('finds nothing wrong with a real image of an allowed size', () => {
    expect(checkStoredMedia({ purpose: 'review-media', contentType: 'image/png' }, stored(heads.png))).toEqual([]);
    expect(checkStoredMedia({ purpose: 'review-media', contentType: 'video/mp4' }, stored(heads.mp4, 50 * MB))).toEqual([]);
    expect(checkStoredMedia({ purpose: 'kyc-document', contentType: 'application/pdf' }, stored(heads.pdf))).toEqual([]);
  });

  it('rejects a text file claimed as image/png with MEDIA_TYPE_MISMATCH', () => {
    const findings = checkStoredMedia({ purpose: 'review-media', contentType: 'image/png' }, stored(heads.text));
    expect(findings.map((finding) => finding.code)).toEqual(['MEDIA_TYPE_MISMATCH']);
    expect(findings[0]?.message).toMatch(/PNG image/);
  });

  it('rejects a JPEG claimed as PNG with MEDIA_TYPE_MISMATCH', () => {
    expect(checkStoredMedia({ purpose: 'listing-image', contentType: 'image/png' }, stored(heads.jpeg))).toEqual([
      expect.objectContaining({ code: 'MEDIA_TYPE_MISMATCH' }),
    ]);
  });

  it('rejects a type the purpose does not accept with MEDIA_TYPE_MISMATCH, naming what it accepts', () => {
    const findings = checkStoredMedia({ purpose: 'listing-image', contentType: 'video/mp4' }, stored(heads.mp4));
    expect(findings.map((finding) => finding.code)).toEqual(['MEDIA_TYPE_MISMATCH']);
    expect(findings[0]?.message).toMatch(/JPEG image, PNG image or WebP image/);
  });

  it('rejects a file over the limit with MEDIA_TOO_LARGE, and accepts one exactly at it', () => {
    const findings = checkStoredMedia({ purpose: 'review-media', contentType: 'image/jpeg' }, stored(heads.jpeg, 10 * MB + 1));
    expect(findings.map((finding) => finding.code)).toEqual(['MEDIA_TOO_LARGE']);
    expect(findings[0]?.message).toMatch(/10\.1 MB.*at most 10 MB/);
    expect(checkStoredMedia({ purpose: 'review-media', contentType: 'image/jpeg' }, stored(heads.jpeg, 10 * MB))).toEqual([]);
  });

  it('rejects a file larger than its declared length with MEDIA_TOO_LARGE, and accepts one exactly at it', () => {
    const findings = checkStoredMedia({ purpose: 'dispute-evidence', contentType: 'image/png', maxBytes: 1000 }, stored(heads.png, 1001));
    expect(findings.map((finding) => finding.code)).toEqual(['MEDIA_TOO_LARGE']);
    expect(findings[0]?.message).toMatch(/1001 bytes, more than the 1000 declared/);
    expect(checkStoredMedia({ purpose: 'dispute-evidence', contentType: 'image/png', maxBytes: 1000 }, stored(heads.png, 1000))).toEqual([]);
  });

  it('reports both when a file is too large and not what it claims', () => {
    const findings = checkStoredMedia({ purpose: 'review-media', contentType: 'video/mp4' }, stored(heads.text, 60 * MB));
    expect(findings.map((finding) => finding.code)).toEqual(['MEDIA_TOO_LARGE', 'MEDIA_TYPE_MISMATCH']);
  });

  it('rejects a file that is not in storage with MEDIA_MISSING only', () => {
    expect(checkStoredMedia({ purpose: 'review-media', contentType: 'image/png' }, { exists: false })).toEqual([
      { code: 'MEDIA_MISSING', message: expect.any(String) },
    ]);
  });

  it('rejects a zero-byte file with MEDIA_EMPTY only', () => {
    expect(checkStoredMedia({ purpose: 'review-media', contentType: 'image/png' }, { exists: true, size: 0, head: new Uint8Array() })).toEqual([
      { code: 'MEDIA_EMPTY', message: expect.any(String) },
    ]);
    expect(checkStoredMedia({ purpose: 'review-media', contentType: 'image/png' }, { exists: true, head: new Uint8Array() })).toEqual([
      expect.objectContaining({ code: 'MEDIA_EMPTY' }),
    ]);
  });

  it('treats a stored file whose bytes were not read as MEDIA_TYPE_MISMATCH rather than trusting the claim', () => {
    expect(checkStoredMedia({ purpose: 'review-media', contentType: 'image/png' }, { exists: true, size: 1000 })).toEqual([
      expect.objectContaining({ code: 'MEDIA_TYPE_MISMATCH' }),
    ]);
  });
});
