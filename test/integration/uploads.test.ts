import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { PNG_BYTES, useLocalApi } from '../support/local-api.js';

const local = useLocalApi();

interface Ticket {
  uploadId: string;
  key: string;
  url: string;
  fields: Record<string, string>;
  expiresAt: string;
  maxBytes: number;
}

type Condition = Record<string, string> | [string, string | number, string | number];

/** The emulator does not enforce POST policies, so the policy itself is what we check (S3 enforces it in AWS). */
function policyOf(ticket: Ticket): { expiration: string; conditions: Condition[] } {
  return JSON.parse(Buffer.from(ticket.fields.Policy as string, 'base64').toString('utf8')) as { expiration: string; conditions: Condition[] };
}

describe('presigned uploads', () => {
  it.each([
    ['review-media', 'image/jpeg', 10 * 1024 * 1024, 'review-media/'],
    ['review-media', 'video/mp4', 50 * 1024 * 1024, 'review-media/'],
    ['dispute-evidence', 'application/pdf', 10 * 1024 * 1024, 'dispute-evidence/'],
    ['listing-image', 'image/webp', 10 * 1024 * 1024, 'listing-images/'],
    ['kyc-document', 'image/png', 10 * 1024 * 1024, 'kyc/'],
    ['message-attachment', 'application/pdf', 10 * 1024 * 1024, 'messages/'],
  ])('pins key, type and size for %s %s in the POST policy', async (purpose, contentType, maxBytes, prefix) => {
    const { api } = local;
    const user = await api.actor(purpose === 'listing-image' || purpose === 'kyc-document' ? 'seller' : 'buyer');
    const response = await api.post<Ticket>('/v1/uploads', user, { purpose, contentType, contentLength: 1000 });
    expect(response.status).toBe(201);
    const ticket = response.body;
    expect(ticket.uploadId).toMatch(/^upl_[0-9A-Z]{26}$/);
    expect(ticket.key).toBe(`${prefix}${ticket.uploadId}`);
    expect(ticket.key).not.toContain(user.userId);
    expect(ticket.maxBytes).toBe(maxBytes);
    expect(ticket.fields).toMatchObject({ key: ticket.key, 'Content-Type': contentType });
    const policy = policyOf(ticket);
    expect(policy.conditions).toContainEqual(['eq', '$key', ticket.key]);
    expect(policy.conditions).toContainEqual(['eq', '$Content-Type', contentType]);
    expect(policy.conditions).toContainEqual(['content-length-range', 1, maxBytes]);
    expect(policy.conditions).toContainEqual({ bucket: process.env.BUCKET_NAME });
    const lifetime = new Date(policy.expiration).getTime() - Date.now();
    expect(lifetime).toBeGreaterThan(14 * 60_000);
    expect(lifetime).toBeLessThanOrEqual(15 * 60_000 + 5_000);
  });

  it('refuses a type the purpose does not take, with CONTENT_TYPE_NOT_ALLOWED', async () => {
    const { api } = local;
    const refused = await api.post('/v1/uploads', await api.actor('seller'), { purpose: 'listing-image', contentType: 'video/mp4', contentLength: 1000 });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ code: 'CONTENT_TYPE_NOT_ALLOWED', errors: [{ path: 'body.contentType' }] });
  });

  it('refuses a declared size over the limit with FILE_TOO_LARGE', async () => {
    const { api } = local;
    const refused = await api.post('/v1/uploads', await api.actor('buyer'), { purpose: 'review-media', contentType: 'image/png', contentLength: 10 * 1024 * 1024 + 1 });
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('FILE_TOO_LARGE');
  });

  it('stores the file posted with the ticket under its key, with the pinned content type', async () => {
    const { api } = local;
    const buyer = await api.actor('buyer');
    const uploadId = await api.upload(buyer, PNG_BYTES);
    const object = await new S3Client({}).send(new GetObjectCommand({ Bucket: process.env.BUCKET_NAME, Key: `review-media/${uploadId}` }));
    expect(object.ContentType).toBe('image/png');
    expect(await object.Body?.transformToByteArray()).toEqual(PNG_BYTES);
  });

  it('replays the same ticket for a retried request with the same Idempotency-Key', async () => {
    const { api } = local;
    const buyer = await api.actor('buyer');
    const body = { purpose: 'review-media', contentType: 'image/png', contentLength: 2048 };
    const first = await api.post<Ticket>('/v1/uploads', buyer, body, { 'idempotency-key': 'photo-1' });
    const retry = await api.post<Ticket>('/v1/uploads', buyer, body, { 'idempotency-key': 'photo-1' });
    expect(retry.body.uploadId).toBe(first.body.uploadId);
  });
});
