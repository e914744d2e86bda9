import * as z from 'zod';
import { LARGEST_UPLOAD_BYTES, mediaTypes, uploadPurposes } from '../domain/media.js';
import { Timestamp } from './shared.js';

export const UploadPurpose = z.enum(uploadPurposes).meta({ id: 'UploadPurpose' });

export const CreateUpload = z
  .strictObject({
    purpose: UploadPurpose,
    contentType: z.enum(mediaTypes),
    contentLength: z.int().min(1).max(LARGEST_UPLOAD_BYTES).meta({ description: 'The exact size of the file in bytes; the upload form accepts no larger file.' }),
  })
  .meta({ id: 'CreateUpload' });

export const UploadTicket = z
  .object({
    uploadId: z.string(),
    key: z.string(),
    url: z.string().meta({ description: 'POST the file here as multipart/form-data, with `fields` first and the file last.' }),
    fields: z.record(z.string(), z.string()),
    expiresAt: Timestamp,
    maxBytes: z.int().meta({ description: 'The largest file the form accepts: the declared `contentLength`.' }),
  })
  .meta({ id: 'UploadTicket' });
