/**
 * Uploads through HTTP (API.md "Uploads", docs/decisions/012-uploads.md): the presigned POST form, who may
 * upload what and how often, that its links reach any client, and adoption — an uploaded file is shown
 * only as the platform's own copy, checked by its bytes, and used once.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import type { UploadPurpose } from '../../lambdas/domain/media.js';
import { PNG_BYTES, useLocalApi, type Actor } from '../support/local-api.js';

const local = useLocalApi();

interface Ticket {
  uploadId: string;
  key: string;
  url: string;
  fields: Record<string, string>;
  expiresAt: string;
  maxBytes: number;
}
interface Problem {
  code: string;
  errors?: { path: string; message: string }[];
}
interface DisputeBody {
  disputeId: string;
  evidence: { url: string; contentType: string }[];
}

type Condition = Record<string, string> | [string, string | number, string | number];

/** The emulator does not enforce POST policies, so the policy itself is what we check (S3 enforces it in AWS). */
function policyOf(ticket: Ticket): { expiration: string; conditions: Condition[] } {
  return JSON.parse(Buffer.from(ticket.fields.Policy as string, 'base64').toString('utf8')) as { expiration: string; conditions: Condition[] };
}

const HTML = new TextEncoder().encode('<!doctype html><script>alert(document.cookie)</script>');
const uploaderOf: Record<UploadPurpose, 'buyer' | 'seller'> = { 'review-media': 'buyer', 'dispute-evidence': 'buyer', 'listing-image': 'seller', 'kyc-document': 'seller', 'message-attachment': 'seller' };

async function ticketFor(as: Actor, purpose: UploadPurpose, contentType: string, contentLength: number): Promise<Ticket> {
  const response = await local.api.post<Ticket>('/v1/uploads', as, { purpose, contentType, contentLength });
  expect(response.status, response.text).toBe(201);
  return response.body;
}

const run = promisify(execFile);

/**
 * One HTTP request made by a fresh Node process with its own `fetch` (and `FormData` for a form): unlike
 * this test process, it has no DNS interception for `*.localhost`, like any other client on the machine.
 */
async function fetchFromAnotherProcess(request: { url: string; form?: { fields: Record<string, string>; file: Uint8Array; type: string } }): Promise<{ status: number; body: Uint8Array }> {
  const script = `
    const { url, form } = JSON.parse(process.env.REQUEST);
    let init = {};
    if (form) {
      const body = new FormData();
      for (const [name, value] of Object.entries(form.fields)) body.append(name, value);
      body.append('file', new Blob([Buffer.from(form.file, 'base64')], { type: form.type }));
      init = { method: 'POST', body };
    }
    const response = await fetch(url, init);
    process.stdout.write(JSON.stringify({ status: response.status, body: Buffer.from(await response.arrayBuffer()).toString('base64') }));
  `;
  const input = { url: request.url, ...(request.form && { form: { ...request.form, file: Buffer.from(request.form.file).toString('base64') } }) };
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { env: { REQUEST: JSON.stringify(input) }, timeout: 30_000 });
  const result = JSON.parse(stdout) as { status: number; body: string };
  return { status: result.status, body: new Uint8Array(Buffer.from(result.body, 'base64')) };
}

const aDispute = (evidence: string[]) => ({ reason: 'DAMAGED', request: { type: 'REFUND', amount: { amount: 1000, currency: 'USD' } }, description: 'The lid arrived cracked in two places.', evidence });

describe('the upload form (presigned POST)', () => {
  it.each<[UploadPurpose, string, string]>([
    ['review-media', 'video/mp4', 'incoming/review-media/'],
    ['dispute-evidence', 'application/pdf', 'incoming/dispute-evidence/'],
    ['listing-image', 'image/webp', 'incoming/listing-images/'],
    ['kyc-document', 'image/png', 'incoming/kyc/'],
    ['message-attachment', 'application/pdf', 'incoming/messages/'],
  ])('for %s %s pins the key under incoming/, the type, and the declared length', async (purpose, contentType, prefix) => {
    const user = await local.api.actor(uploaderOf[purpose]);
    const ticket = await ticketFor(user, purpose, contentType, 1000);
    expect(ticket.uploadId).toMatch(/^upl_[0-9A-Z]{26}$/);
    expect(ticket.key).toBe(`${prefix}${ticket.uploadId}`);
    expect(ticket.key).not.toContain(user.userId);
    expect(ticket.maxBytes).toBe(1000);
    expect(ticket.fields).toMatchObject({ key: ticket.key, 'Content-Type': contentType });
    const policy = policyOf(ticket);
    expect(policy.conditions).toContainEqual(['eq', '$key', ticket.key]);
    expect(policy.conditions).toContainEqual(['eq', '$Content-Type', contentType]);
    // The declared length, not the purpose's maximum (10 or 50 MB): a form cannot carry a larger file.
    expect(policy.conditions).toContainEqual(['content-length-range', 1, 1000]);
    expect(policy.conditions.filter((condition) => Array.isArray(condition) && condition[0] === 'content-length-range')).toHaveLength(1);
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

  it('stores the file posted with the form under its key, with the pinned content type', async () => {
    const { api } = local;
    const buyer = await api.actor('buyer');
    const uploadId = await api.upload(buyer, PNG_BYTES);
    const object = await new S3Client({}).send(new GetObjectCommand({ Bucket: process.env.BUCKET_NAME, Key: `incoming/review-media/${uploadId}` }));
    expect(object.ContentType).toBe('image/png');
    expect(await object.Body?.transformToByteArray()).toEqual(PNG_BYTES);
  });

  it('replays the same form for a retried request with the same Idempotency-Key', async () => {
    const { api } = local;
    const buyer = await api.actor('buyer');
    const body = { purpose: 'review-media', contentType: 'image/png', contentLength: 2048 };
    const first = await api.post<Ticket>('/v1/uploads', buyer, body, { 'idempotency-key': 'photo-1' });
    const retry = await api.post<Ticket>('/v1/uploads', buyer, body, { 'idempotency-key': 'photo-1' });
    expect(retry.body.uploadId).toBe(first.body.uploadId);
  });
});

describe('who may upload what', () => {
  it.each<[UploadPurpose, 'buyer' | 'seller']>([
    ['kyc-document', 'buyer'],
    ['listing-image', 'buyer'],
    ['review-media', 'seller'],
  ])('refuses %s to a %s with 403 FORBIDDEN_ROLE on body.purpose', async (purpose, role) => {
    const { api } = local;
    const refused = await api.post<Problem>('/v1/uploads', await api.actor(role), { purpose, contentType: 'image/png', contentLength: 1000 });
    expect(refused.status, refused.text).toBe(403);
    expect(refused.body).toMatchObject({ code: 'FORBIDDEN_ROLE', errors: [{ path: 'body.purpose' }] });
  });

  it.each<[UploadPurpose, 'buyer' | 'seller']>([
    ['dispute-evidence', 'seller'],
    ['message-attachment', 'buyer'],
  ])('lets both parties upload %s (here a %s)', async (purpose, role) => {
    await ticketFor(await local.api.actor(role), purpose, 'image/png', 1000);
  });

  it('refuses admins, who upload nothing, with 403', async () => {
    const refused = await local.api.post<Problem>('/v1/uploads', await local.api.actor('admin'), { purpose: 'dispute-evidence', contentType: 'image/png', contentLength: 1000 });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('FORBIDDEN_ROLE');
  });
});

describe('the hourly upload quota', () => {
  it('allows 100 uploads a user an hour, refuses the 101st with 429 UPLOAD_QUOTA_EXCEEDED, and allows again the next hour', async () => {
    const { api } = local;
    // Mid-hour, so the 101 requests cannot straddle two hours.
    await api.setClock(`${new Date(Date.now() + 3_600_000).toISOString().slice(0, 13)}:20:00.000Z`);
    try {
      const buyer = await api.actor('buyer');
      const other = await api.actor('buyer');
      const body = { purpose: 'review-media', contentType: 'image/png', contentLength: 1000 };
      for (let batch = 0; batch < 10; batch++) {
        const statuses = await Promise.all(Array.from({ length: 10 }, () => api.post('/v1/uploads', buyer, body).then((response) => response.status)));
        expect(statuses).toEqual(Array(10).fill(201));
      }
      const refused = await api.post<Problem>('/v1/uploads', buyer, body);
      expect(refused.status, refused.text).toBe(429);
      expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(refused.body.code).toBe('UPLOAD_QUOTA_EXCEEDED');
      // The quota is per user: another buyer is not affected.
      expect((await api.post('/v1/uploads', other, body)).status).toBe(201);
      await api.moveClock('PT1H');
      expect((await api.post('/v1/uploads', buyer, body)).status).toBe(201);
    } finally {
      await api.resetClock();
    }
  });
});

describe('links any client can use (path-style on 127.0.0.1)', () => {
  it('take a file posted by another process with its own fetch and FormData, and serve it back through the evidence link', async () => {
    const { api } = local;
    const { buyer, seller, orderId } = await api.shippedOrder();
    const ticket = await ticketFor(buyer, 'dispute-evidence', 'image/png', PNG_BYTES.length);
    const form = new URL(ticket.url);
    expect(form.hostname).toBe('127.0.0.1');
    expect(form.pathname).toBe(`/${process.env.BUCKET_NAME}`);
    const posted = await fetchFromAnotherProcess({ url: ticket.url, form: { fields: ticket.fields, file: PNG_BYTES, type: 'image/png' } });
    expect(posted.status).toBeLessThan(300);

    const opened = await api.post<DisputeBody>(`/v1/orders/${orderId}/disputes`, buyer, aDispute([ticket.uploadId]));
    expect(opened.status, opened.text).toBe(201);
    const seen = await api.get<DisputeBody>(`/v1/disputes/${opened.body.disputeId}`, seller);
    const link = new URL(seen.body.evidence[0]?.url ?? '');
    expect(link.hostname).toBe('127.0.0.1');
    expect(link.pathname.startsWith(`/${process.env.BUCKET_NAME}/owned/dispute-evidence/`)).toBe(true);
    const fetched = await fetchFromAnotherProcess({ url: link.toString() });
    expect(fetched.status).toBe(200);
    expect(fetched.body).toEqual(PNG_BYTES);
  });
});

describe('adoption: a file is shown only as a checked copy the platform owns', () => {
  it('refuses HTML uploaded as image/png as dispute evidence, naming the file', async () => {
    const { api } = local;
    const { buyer, orderId } = await api.shippedOrder();
    const photo = await api.upload(buyer, PNG_BYTES, { purpose: 'dispute-evidence' });
    const page = await api.upload(buyer, HTML, { purpose: 'dispute-evidence', contentType: 'image/png' });
    const refused = await api.post<Problem>(`/v1/orders/${orderId}/disputes`, buyer, aDispute([photo, page]));
    expect(refused.status, refused.text).toBe(400);
    expect(refused.body.code).toBe('UPLOAD_NOT_USABLE');
    expect(refused.body.errors).toEqual([{ path: 'body.evidence.1', message: expect.stringContaining('not a valid PNG image') }]);
  });

  it('refuses a file larger than the length declared for it', async () => {
    const { api } = local;
    const { buyer, orderId } = await api.shippedOrder();
    const padded = new Uint8Array(2000);
    padded.set(PNG_BYTES);
    const photo = await api.upload(buyer, padded, { purpose: 'dispute-evidence', declaredLength: 100 });
    const refused = await api.post<Problem>(`/v1/orders/${orderId}/disputes`, buyer, aDispute([photo]));
    expect(refused.status, refused.text).toBe(400);
    expect(refused.body.errors).toEqual([{ path: 'body.evidence.0', message: expect.stringContaining('more than the 100 declared') }]);
  });

  it('refuses an upload whose file never arrived', async () => {
    const { api } = local;
    const { buyer, orderId } = await api.shippedOrder();
    const nothing = await api.upload(buyer, new Uint8Array(), { purpose: 'dispute-evidence' });
    const refused = await api.post<Problem>(`/v1/orders/${orderId}/disputes`, buyer, aDispute([nothing]));
    expect(refused.status, refused.text).toBe(400);
    expect(refused.body).toMatchObject({ code: 'UPLOAD_NOT_USABLE', errors: [{ path: 'body.evidence.0', message: expect.stringContaining('not found') }] });
  });

  it('keeps showing the checked bytes when the uploader posts the form again afterwards', async () => {
    const { api } = local;
    const { buyer, seller, orderId } = await api.shippedOrder();
    const ticket = await ticketFor(buyer, 'dispute-evidence', 'image/png', PNG_BYTES.length);
    const post = async (bytes: Uint8Array) => {
      const form = new FormData();
      for (const [name, value] of Object.entries(ticket.fields)) form.append(name, value);
      form.append('file', new Blob([bytes], { type: 'image/png' }));
      expect((await fetch(ticket.url, { method: 'POST', body: form })).status).toBeLessThan(300);
    };
    await post(PNG_BYTES);
    const opened = await api.post<DisputeBody>(`/v1/orders/${orderId}/disputes`, buyer, aDispute([ticket.uploadId]));
    expect(opened.status, opened.text).toBe(201);
    await post(HTML);
    const seen = await api.get<DisputeBody>(`/v1/disputes/${opened.body.disputeId}`, seller);
    const shown = await fetch(seen.body.evidence[0]?.url ?? '');
    expect(new Uint8Array(await shown.arrayBuffer())).toEqual(PNG_BYTES);
  });
});
