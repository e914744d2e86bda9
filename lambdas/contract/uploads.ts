import * as z from 'zod/mini';
import { mediaTypes, uploadRules, type UploadPurpose as UploadPurposeValue } from '../domain/media.js';
import { Timestamp, described, enumOf } from './shared.js';

export const UploadPurpose = described(enumOf<UploadPurposeValue>()(['review-media', 'dispute-evidence', 'listing-image', 'kyc-document', 'message-attachment']), { id: 'UploadPurpose' });

/** The largest file any purpose accepts; the service holds each purpose and type to its own limit. */
const largestUpload = Math.max(...Object.values(uploadRules).flatMap((rule) => Object.values(rule.types)));

export const CreateUpload = described(
  z.strictObject({
    purpose: UploadPurpose,
    contentType: z.enum(mediaTypes),
    contentLength: z.int().check(z.minimum(1), z.maximum(largestUpload)),
  }),
  { id: 'CreateUpload' },
);

export const UploadTicket = described(
  z.object({
    uploadId: z.string(),
    key: z.string(),
    url: described(z.string(), { description: 'POST the file here as multipart/form-data, with `fields` first and the file last.' }),
    fields: z.record(z.string(), z.string()),
    expiresAt: Timestamp,
    maxBytes: z.int(),
  }),
  { id: 'UploadTicket' },
);
