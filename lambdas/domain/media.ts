/**
 * Uploaded files: who may upload for each purpose, which kinds it accepts, how large they may be, and
 * whether the stored bytes are what the uploader said they were (DOMAIN.md "Reviews": images ≤ 10 MB jpeg/png/webp, videos
 * ≤ 50 MB mp4; moderation rejects media missing from storage or not what its content type claims).
 * The content type of an upload is the uploader's word; only the first bytes of the object are evidence.
 */
import type { Role } from '../../lib/routes/spec.js';

export const uploadPurposes = ['review-media', 'dispute-evidence', 'listing-image', 'kyc-document', 'message-attachment'] as const;
export type UploadPurpose = (typeof uploadPurposes)[number];

export const mediaTypes = ['image/jpeg', 'image/png', 'image/webp', 'video/mp4', 'application/pdf'] as const;
export type MediaType = (typeof mediaTypes)[number];
export type ImageType = Extract<MediaType, `image/${string}`>;
export type VideoType = Extract<MediaType, `video/${string}`>;

const MB = 1024 * 1024;
const IMAGE_MAX_BYTES = 10 * MB;
const VIDEO_MAX_BYTES = 50 * MB;
const DOCUMENT_MAX_BYTES = 10 * MB;
/** The largest file any purpose takes: the bound of a declared length before the purpose is known. */
export const LARGEST_UPLOAD_BYTES = VIDEO_MAX_BYTES;

/** Uploads one user may start per clock hour: far above any honest use, low enough to cap storage abuse. */
export const UPLOADS_PER_HOUR = 100;

const images = { 'image/jpeg': IMAGE_MAX_BYTES, 'image/png': IMAGE_MAX_BYTES, 'image/webp': IMAGE_MAX_BYTES } as const;

export interface UploadRule {
  /** The purpose's folder in storage (the key layout is in store/files.ts). */
  keyPrefix: string;
  /** Who may upload for it: the roles of the use cases that take such files. */
  uploaders: readonly Role[];
  /** Allowed content types and their max size in bytes. */
  types: Partial<Record<MediaType, number>>;
  /** Kept where only the verification code may read it (DOMAIN.md: identity documents are private). */
  private: boolean;
  /**
   * Where the bytes are checked: when a body names the upload (refused with 400), or by the asynchronous
   * review of what uses it (review moderation, the listing review), which rejects it with a reason its
   * author can read (DOMAIN.md "Reviews", "Listings and seller verification").
   */
  checkedBy: 'adoption' | 'moderation';
}

/** Every rule about an upload purpose, in one place. */
export const uploadRules: Record<UploadPurpose, UploadRule> = {
  'review-media': { keyPrefix: 'review-media', uploaders: ['buyer'], types: { ...images, 'video/mp4': VIDEO_MAX_BYTES }, private: false, checkedBy: 'moderation' },
  'dispute-evidence': {
    keyPrefix: 'dispute-evidence',
    uploaders: ['buyer', 'seller'],
    types: { ...images, 'application/pdf': DOCUMENT_MAX_BYTES, 'video/mp4': VIDEO_MAX_BYTES },
    private: false,
    checkedBy: 'adoption',
  },
  // Checked by the listing-review worker, which rejects the listing with an `images` reason the seller reads.
  'listing-image': { keyPrefix: 'listing-images', uploaders: ['seller'], types: { ...images }, private: false, checkedBy: 'moderation' },
  // WebP is left out of identity documents: reviewers and KYC tooling expect a photo or a scan.
  'kyc-document': {
    keyPrefix: 'kyc',
    uploaders: ['seller'],
    types: { 'image/jpeg': IMAGE_MAX_BYTES, 'image/png': IMAGE_MAX_BYTES, 'application/pdf': DOCUMENT_MAX_BYTES },
    private: true,
    checkedBy: 'adoption',
  },
  'message-attachment': { keyPrefix: 'messages', uploaders: ['buyer', 'seller'], types: { ...images, 'application/pdf': DOCUMENT_MAX_BYTES }, private: false, checkedBy: 'adoption' },
};

/** Every role that may upload for some purpose. */
export const uploaderRoles: readonly Role[] = [...new Set(Object.values(uploadRules).flatMap((rule) => rule.uploaders))];

const labels: Record<MediaType, string> = {
  'image/jpeg': 'JPEG image',
  'image/png': 'PNG image',
  'image/webp': 'WebP image',
  'video/mp4': 'MP4 video',
  'application/pdf': 'PDF document',
};

export const isMediaType = (value: string): value is MediaType => (mediaTypes as readonly string[]).includes(value);
export const isImage = (type: MediaType): type is ImageType => type.startsWith('image/');
export const isVideo = (type: MediaType): type is VideoType => type.startsWith('video/');

/**
 * The media type a Content-Type header names, or undefined. Case and parameters (`; charset=…`) are
 * ignored because HTTP clients vary in both, and neither changes what the file is.
 */
export function asMediaType(contentType: string): MediaType | undefined {
  const essence = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  return isMediaType(essence) ? essence : undefined;
}

/** The largest allowed size in bytes, or undefined when the purpose does not accept that type at all. */
export function maxBytesFor(purpose: UploadPurpose, contentType: string): number | undefined {
  const type = asMediaType(contentType);
  // Object.hasOwn: a content type of "constructor" must not find Object.prototype's.
  if (type === undefined || !Object.hasOwn(uploadRules[purpose].types, type)) return undefined;
  return uploadRules[purpose].types[type];
}

/** How many leading bytes of an object sniffMediaType needs; callers range-read this much. */
export const SNIFF_BYTES = 16;

const startsWith = (head: Uint8Array, offset: number, expected: readonly number[]): boolean =>
  head.length >= offset + expected.length && expected.every((byte, index) => head[offset + index] === byte);

const ascii = (text: string): number[] => Array.from(text, (char) => char.charCodeAt(0));

const JPEG = [0xff, 0xd8, 0xff];
const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const RIFF = ascii('RIFF');
const WEBP = ascii('WEBP');
const FTYP = ascii('ftyp');
const PDF = ascii('%PDF-');

/** Major brands of MP4 video files (bytes 8–11); image brands (heic, heix, mif1, avif) and QuickTime are not among them. */
const MP4_BRANDS = new Set(['isom', 'iso2', 'iso3', 'iso4', 'iso5', 'iso6', 'mp41', 'mp42', 'avc1', 'M4V ', 'M4VP', 'dash', 'msnv', 'mmp4', '3gp4', '3gp5', '3gp6', '3g2a', 'f4v ']);
const isVideoBrand = (head: Uint8Array): boolean => head.length >= 12 && MP4_BRANDS.has(String.fromCharCode(...head.slice(8, 12)));

/**
 * The type the bytes really are, from their first bytes (magic numbers), or undefined.
 * Needs ≥ 16 bytes (SNIFF_BYTES) for reliable detection; a shorter head only matches short signatures.
 */
export function sniffMediaType(head: Uint8Array): MediaType | undefined {
  if (startsWith(head, 0, JPEG)) return 'image/jpeg';
  if (startsWith(head, 0, PNG)) return 'image/png';
  if (startsWith(head, 0, RIFF) && startsWith(head, 8, WEBP)) return 'image/webp';
  // ISO BMFF also carries HEIC/AVIF images and QuickTime: only video brands count as MP4, and phones
  // label their MP4s with many of them.
  if (startsWith(head, 4, FTYP) && isVideoBrand(head)) return 'video/mp4';
  if (startsWith(head, 0, PDF)) return 'application/pdf';
  return undefined;
}

export interface StoredObjectFacts {
  exists: boolean;
  size?: number;
  head?: Uint8Array;
}

export interface MediaFinding {
  code: 'MEDIA_MISSING' | 'MEDIA_TOO_LARGE' | 'MEDIA_TYPE_MISMATCH' | 'MEDIA_EMPTY';
  message: string;
}

const describeAllowed = (purpose: UploadPurpose): string => {
  const allowed = Object.keys(uploadRules[purpose].types).filter(isMediaType).map((type) => labels[type]);
  return allowed.length <= 1 ? (allowed[0] ?? 'nothing') : `${allowed.slice(0, -1).join(', ')} or ${allowed.at(-1)}`;
};

// Rounded up, so a file one byte over the limit never reads as being exactly the limit.
const megabytes = (bytes: number): string => `${Math.ceil((bytes / MB) * 10) / 10} MB`;

/**
 * Checks an uploaded object against what its uploader claimed (content type and, when known, the
 * declared length `maxBytes`) and the purpose's limits. [] = fine. Messages are for the uploader: they say what to upload instead.
 *
 * An object that exists but whose first bytes were not read counts as a mismatch: publishing a file
 * nobody looked at is the unsafe default, and re-uploading is cheap for an honest author.
 */
export function checkStoredMedia(claimed: { purpose: UploadPurpose; contentType: string; maxBytes?: number }, facts: StoredObjectFacts): MediaFinding[] {
  if (!facts.exists) {
    return [{ code: 'MEDIA_MISSING', message: 'The file was not found in storage; upload it again.' }];
  }
  // A head shorter than what was asked for is the whole object, so its length stands in for a missing size.
  const size = facts.size ?? facts.head?.length;
  if (size === 0) return [{ code: 'MEDIA_EMPTY', message: 'The file is empty; upload it again.' }];

  const type = asMediaType(claimed.contentType);
  const limit = maxBytesFor(claimed.purpose, claimed.contentType);
  if (type === undefined || limit === undefined) {
    return [
      {
        code: 'MEDIA_TYPE_MISMATCH',
        message: `This kind of file is not accepted here; upload a ${describeAllowed(claimed.purpose)}.`,
      },
    ];
  }

  const findings: MediaFinding[] = [];
  if (size !== undefined && size > limit) {
    findings.push({
      code: 'MEDIA_TOO_LARGE',
      message: `The file is ${megabytes(size)}; a ${labels[type]} may be at most ${megabytes(limit)}.`,
    });
  } else if (size !== undefined && claimed.maxBytes !== undefined && size > claimed.maxBytes) {
    findings.push({ code: 'MEDIA_TOO_LARGE', message: `The file is ${size} bytes, more than the ${claimed.maxBytes} declared for it; upload it again with its real size.` });
  }
  const actual = facts.head === undefined ? undefined : sniffMediaType(facts.head);
  if (actual !== type) {
    findings.push({
      code: 'MEDIA_TYPE_MISMATCH',
      message: `The file is not a valid ${labels[type]} as declared; upload a ${describeAllowed(claimed.purpose)}.`,
    });
  }
  return findings;
}
