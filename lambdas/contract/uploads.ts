import * as z from 'zod/mini';
import { LARGEST_UPLOAD_BYTES, mediaTypes, uploadPurposes } from '../domain/media.js';
import { Timestamp, described } from './shared.js';

export const UploadPurpose = described(z.enum(uploadPurposes), { id: 'UploadPurpose' });

export const CreateUpload = described(
  z.strictObject({
    purpose: UploadPurpose,
    contentType: z.enum(mediaTypes),
    contentLength: described(z.int().check(z.minimum(1), z.maximum(LARGEST_UPLOAD_BYTES)), { description: 'The exact size of the file in bytes; the upload form accepts no larger file.' }),
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
    maxBytes: described(z.int(), { description: 'The largest file the form accepts: the declared `contentLength`.' }),
  }),
  { id: 'UploadTicket' },
);
