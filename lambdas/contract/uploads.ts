import * as z from 'zod';
import { Timestamp } from './shared.js';

export const UploadPurpose = z.enum(['review-media', 'dispute-evidence', 'listing-image', 'kyc-document', 'message-attachment']).meta({ id: 'UploadPurpose' });

export const CreateUpload = z
  .strictObject({
    purpose: UploadPurpose,
    contentType: z.enum(['image/jpeg', 'image/png', 'image/webp', 'video/mp4', 'application/pdf']),
    contentLength: z.int().min(1).max(50 * 1024 * 1024),
  })
  .meta({ id: 'CreateUpload' });

export const UploadTicket = z
  .object({
    uploadId: z.string(),
    key: z.string(),
    url: z.string().meta({ description: 'POST the file here as multipart/form-data, with `fields` first and the file last.' }),
    fields: z.record(z.string(), z.string()),
    expiresAt: Timestamp,
    maxBytes: z.int(),
  })
  .meta({ id: 'UploadTicket' });
