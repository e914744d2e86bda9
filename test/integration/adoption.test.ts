/**
 * Adoption and claims against the real engines, below HTTP: the purposes no route consumes yet (listing
 * images, identity documents, message attachments), where each kind of copy lands, and that an upload is
 * used once (store/uploads.ts claimUploads, the write the services' transactions include).
 */
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../lambdas/domain/errors.js';
import type { UploadPurpose } from '../../lambdas/domain/media.js';
import { adoptUploads, pinUpload, resolveUploads } from '../../lambdas/services/uploads.js';
import { presignDownload } from '../../lambdas/store/files.js';
import { claimUploads, getUploads } from '../../lambdas/store/uploads.js';
import { ConflictError, transact } from '../../lambdas/store/transactions.js';
import { PNG_BYTES, useLocalApi, type Actor } from '../support/local-api.js';

const local = useLocalApi();

const PDF_BYTES = new TextEncoder().encode('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n');

async function refusal(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

async function uploaded(as: Actor, purpose: UploadPurpose, bytes: Uint8Array, contentType = 'image/png'): Promise<string> {
  return local.api.upload(as, bytes, { purpose, contentType });
}

describe('adoption of each purpose', () => {
  it.each<[UploadPurpose, 'buyer' | 'seller', string, Uint8Array, string]>([
    ['listing-image', 'seller', 'image/png', PNG_BYTES, 'owned/listing-images/'],
    ['message-attachment', 'buyer', 'application/pdf', PDF_BYTES, 'owned/messages/'],
    ['kyc-document', 'seller', 'application/pdf', PDF_BYTES, 'private/kyc/'],
  ])('copies a checked %s to a platform-owned key', async (purpose, role, contentType, bytes, prefix) => {
    const user = await local.api.actor(role);
    const uploadId = await uploaded(user, purpose, bytes, contentType);
    const [adopted] = await adoptUploads(user.userId, [uploadId], purpose, 'body.files');
    expect(adopted).toEqual({ uploadId, key: expect.stringMatching(new RegExp(`^${prefix}${uploadId}\\.[0-9a-f]{12}$`)), contentType });
    const copy = await fetch(await presignDownload(adopted?.key ?? ''));
    expect(new Uint8Array(await copy.arrayBuffer())).toEqual(bytes);
  });

  it('refuses an identity document that is an HTML page, naming it by its path', async () => {
    const seller = await local.api.actor('seller');
    const document = await uploaded(seller, 'kyc-document', PDF_BYTES, 'application/pdf');
    const page = await uploaded(seller, 'kyc-document', new TextEncoder().encode('<html><body>hi</body></html>'), 'application/pdf');
    const error = await refusal(adoptUploads(seller.userId, [document, page], 'kyc-document', 'body.documents'));
    expect(error.code).toBe('UPLOAD_NOT_USABLE');
    expect(error.errors).toEqual([{ path: 'body.documents.1', message: expect.stringContaining('not a valid PDF document') }]);
  });

  it('refuses another user’s upload as it refuses an unknown one', async () => {
    const seller = await local.api.actor('seller');
    const theirs = await uploaded(await local.api.actor('seller'), 'kyc-document', PDF_BYTES, 'application/pdf');
    const error = await refusal(adoptUploads(seller.userId, [theirs], 'kyc-document', 'body.documents'));
    expect(error.errors).toEqual([{ path: 'body.documents.0', message: 'not one of your kyc-document uploads' }]);
  });
});

describe('an upload is used once', () => {
  it('claims an upload for one entity: again for the same one (a retry), never for another, never a missing upload', async () => {
    const buyer = await local.api.actor('buyer');
    const uploadId = await uploaded(buyer, 'dispute-evidence', PNG_BYTES);
    await transact(claimUploads([uploadId], 'dsp_first'));
    await transact(claimUploads([uploadId], 'dsp_first'));
    expect((await getUploads([uploadId])).get(uploadId)?.usedBy).toBe('dsp_first');
    await expect(transact(claimUploads([uploadId], 'dsp_second'))).rejects.toBeInstanceOf(ConflictError);
    await expect(transact(claimUploads(['upl_01ARZ3NDEKTSV4RRFFQ69G5FAV'], 'dsp_first'))).rejects.toBeInstanceOf(ConflictError);
    expect((await getUploads([uploadId])).get(uploadId)?.usedBy).toBe('dsp_first');
  });

  it('refuses at adoption an upload another entity uses, and adopts it again for the entity that uses it', async () => {
    const buyer = await local.api.actor('buyer');
    const uploadId = await uploaded(buyer, 'dispute-evidence', PNG_BYTES);
    await transact(claimUploads([uploadId], 'dsp_first'));
    const error = await refusal(adoptUploads(buyer.userId, [uploadId], 'dispute-evidence', 'body.evidence'));
    expect(error.errors).toEqual([{ path: 'body.evidence.0', message: 'already used; upload the file again' }]);
    await expect(adoptUploads(buyer.userId, [uploadId], 'dispute-evidence', 'body.evidence', { usedBy: 'dsp_first' })).resolves.toHaveLength(1);
  });

  it('resolves review media (checked by moderation, not adoption) for the review that uses them, and for no other', async () => {
    const buyer = await local.api.actor('buyer');
    const uploadId = await uploaded(buyer, 'review-media', PNG_BYTES);
    await transact(claimUploads([uploadId], 'rev_1'));
    const [resolved] = await resolveUploads(buyer.userId, [uploadId], 'review-media', 'body.media', 'rev_1');
    expect(resolved).toEqual({ uploadId, key: `incoming/review-media/${uploadId}`, contentType: 'image/png' });
    const error = await refusal(resolveUploads(buyer.userId, [uploadId], 'review-media', 'body.media', 'rev_2'));
    expect(error.errors).toEqual([{ path: 'body.media.0', message: 'already used; upload the file again' }]);
  });

  it('names the claim that failed: the uploadUnused guard, whatever else the transaction writes', async () => {
    const buyer = await local.api.actor('buyer');
    const [first, second] = [await uploaded(buyer, 'dispute-evidence', PNG_BYTES), await uploaded(buyer, 'dispute-evidence', PNG_BYTES)];
    await transact(claimUploads([second], 'dsp_first'));
    const failed = await transact(claimUploads([first, second], 'dsp_second')).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failed).toBeInstanceOf(ConflictError);
    expect([...(failed as ConflictError).failedGuards]).toEqual(['uploadUnused']);
    expect((await getUploads([first])).get(first)?.usedBy).toBeUndefined();
  });
});

describe('pinning for moderation (pinUpload)', () => {
  it('copies review media and reports what the copy is; an owned key is only checked again', async () => {
    const buyer = await local.api.actor('buyer');
    const page = await uploaded(buyer, 'review-media', new TextEncoder().encode('not a png, just some words'));
    const pinned = await pinUpload({ uploadId: page, key: `incoming/review-media/${page}`, contentType: 'image/png' }, 'review-media');
    expect(pinned.key).toMatch(new RegExp(`^owned/review-media/${page}\\.`));
    expect(pinned.findings.map((finding) => finding.code)).toEqual(['MEDIA_TYPE_MISMATCH']);
    const again = await pinUpload({ uploadId: page, key: pinned.key, contentType: 'image/png' }, 'review-media');
    expect(again).toEqual(pinned);
  });

  it('keeps the key of a missing original and reports it missing', async () => {
    const pinned = await pinUpload({ uploadId: 'upl_missing', key: 'incoming/review-media/upl_missing', contentType: 'image/png' }, 'review-media');
    expect(pinned).toEqual({ key: 'incoming/review-media/upl_missing', findings: [{ code: 'MEDIA_MISSING', message: expect.any(String) }] });
  });
});
