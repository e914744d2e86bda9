/** Seller identity verification (DOMAIN.md "Listings and seller verification"), through the API. */
import { describe, expect, it } from 'vitest';
import { aListing, PNG_BYTES, useLocalApi, type Actor } from '../support/local-api.js';

const local = useLocalApi();

interface VerificationBody {
  status: string;
  legalName?: string;
  reasons: string[];
  decidedBy?: string | null;
  documents: { uploadId: string; url: string; expiresAt: string }[];
}

async function sellerWithShop(): Promise<Actor> {
  const { api } = local;
  const seller = await api.actor('seller');
  expect((await api.put('/v1/sellers/me', seller, { storeName: `Store ${seller.userId}`.slice(0, 80), country: 'US' })).status).toBe(200);
  return seller;
}

async function submit(seller: Actor, legalName = 'Sam Seller') {
  const { api } = local;
  const document = await api.upload(seller, PNG_BYTES, { purpose: 'kyc-document' });
  return api.post<VerificationBody>('/v1/sellers/me/verification', seller, { legalName, documents: [document] });
}

describe('identity verification', () => {
  it('refuses a listing from a seller who is not verified with 403 SELLER_NOT_VERIFIED, pending or never submitted', async () => {
    const { api } = local;
    const seller = await sellerWithShop();
    const never = await api.post('/v1/products', seller, aListing());
    expect(never.status).toBe(403);
    expect(never.body.code).toBe('SELLER_NOT_VERIFIED');
    expect((await api.get<{ verification: VerificationBody }>('/v1/sellers/me', seller)).body.verification).toEqual({ status: 'NOT_SUBMITTED', reasons: [], documents: [] });
    expect((await submit(seller)).status).toBe(202);
    expect((await api.post('/v1/products', seller, aListing())).body.code).toBe('SELLER_NOT_VERIFIED');
  });

  it('takes the documents privately, queues them for admins, and records who decided and why; a rejected seller resubmits', async () => {
    const { api } = local;
    const seller = await sellerWithShop();
    const admin = await api.actor('admin');
    const submitted = await submit(seller);
    expect(submitted.status).toBe(202);
    expect(submitted.body).toMatchObject({ status: 'PENDING', legalName: 'Sam Seller', reasons: [] });
    // The seller fetches the platform's private copy through a short-lived link: the bytes uploaded.
    const [document] = submitted.body.documents;
    expect(document?.url).toContain('private/kyc/');
    expect(new Date(document?.expiresAt ?? 0).getTime() - Date.now()).toBeLessThanOrEqual(15 * 60_000);
    const fetched = await fetch(document?.url ?? '');
    expect(fetched.status).toBe(200);
    expect(new Uint8Array(await fetched.arrayBuffer())).toEqual(PNG_BYTES);

    const queue = await api.get<{ items: (VerificationBody & { sellerId: string })[] }>('/v1/admin/sellers?verification=PENDING&limit=100', admin);
    expect(queue.status).toBe(200);
    expect(queue.body.items.find((item) => item.sellerId === seller.userId)).toMatchObject({ status: 'PENDING', legalName: 'Sam Seller' });

    const rejected = await api.post<VerificationBody>(`/v1/admin/sellers/${seller.userId}/verification`, admin, { decision: 'REJECT', reasons: ['The document is unreadable'] });
    expect(rejected.status).toBe(200);
    const mine = await api.get<{ verification: VerificationBody; badges: { code: string }[] }>('/v1/sellers/me', seller);
    expect(mine.body.verification).toMatchObject({ status: 'REJECTED', reasons: ['The document is unreadable'], decidedBy: admin.userId });
    expect(mine.body.badges).toEqual([]);
    const queued = await api.get<{ items: { sellerId: string }[] }>('/v1/admin/sellers?limit=100', admin);
    expect(queued.body.items.map((item) => item.sellerId)).not.toContain(seller.userId);

    const again = await submit(seller, 'Samantha Seller');
    expect(again.body).toMatchObject({ status: 'PENDING', legalName: 'Samantha Seller', reasons: [] });
    expect((await api.post(`/v1/admin/sellers/${seller.userId}/verification`, admin, { decision: 'APPROVE' })).status).toBe(200);
    // The decision marks the seller; the daily badge job grants VERIFIED.
    expect((await api.get<{ badges: { code: string }[] }>(`/v1/sellers/${seller.userId}`)).body.badges).toEqual([]);
    await api.runJob('badges');
    expect((await api.get<{ badges: { code: string }[] }>(`/v1/sellers/${seller.userId}`)).body.badges).toEqual([{ code: 'VERIFIED', reason: 'identity verified by the platform' }]);
    expect((await api.post('/v1/products', seller, aListing({ images: [await api.listingImage(seller)] }))).status).toBe(201);
    // Decided once: there is nothing left to decide, and nothing to resubmit.
    expect((await api.post(`/v1/admin/sellers/${seller.userId}/verification`, admin, { decision: 'REJECT', reasons: ['Changed my mind'] })).body.code).toBe('NOTHING_TO_DECIDE');
    expect((await submit(seller)).body).toMatchObject({ code: 'ALREADY_VERIFIED' });
  });

  it('lists pending verifications oldest first', async () => {
    const { api } = local;
    const [first, second] = [await sellerWithShop(), await sellerWithShop()];
    await submit(first);
    await submit(second);
    const queue = await api.get<{ items: { sellerId: string }[] }>('/v1/admin/sellers?limit=100', await api.actor('admin'));
    const order = queue.body.items.map((item) => item.sellerId).filter((id) => id === first.userId || id === second.userId);
    expect(order).toEqual([first.userId, second.userId]);
  });

  it('refuses a second submission while one is pending, and a rejection without reasons', async () => {
    const { api } = local;
    const seller = await sellerWithShop();
    await submit(seller);
    const twice = await submit(seller);
    expect(twice.status).toBe(409);
    expect(twice.body).toMatchObject({ code: 'VERIFICATION_PENDING' });
    const bare = await api.post(`/v1/admin/sellers/${seller.userId}/verification`, await api.actor('admin'), { decision: 'REJECT' });
    expect(bare.status).toBe(400);
    expect(bare.body.code).toBe('VALIDATION_FAILED');
  });

  it('checks documents by their bytes and refuses uploads that are not the seller\'s own kyc documents', async () => {
    const { api } = local;
    const seller = await sellerWithShop();
    const fake = await api.upload(seller, new TextEncoder().encode('not really a png at all'), { purpose: 'kyc-document' });
    const refused = await api.post('/v1/sellers/me/verification', seller, { legalName: 'Sam Seller', documents: [fake] });
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('UPLOAD_NOT_USABLE');
    const other = await sellerWithShop();
    const theirs = await api.upload(other, PNG_BYTES, { purpose: 'kyc-document' });
    expect((await api.post('/v1/sellers/me/verification', seller, { legalName: 'Sam Seller', documents: [theirs] })).body.code).toBe('UPLOAD_NOT_USABLE');
    const image = await api.upload(seller, PNG_BYTES, { purpose: 'listing-image' });
    expect((await api.post('/v1/sellers/me/verification', seller, { legalName: 'Sam Seller', documents: [image] })).body.code).toBe('UPLOAD_NOT_USABLE');
    expect((await api.get<{ verification: VerificationBody }>('/v1/sellers/me', seller)).body.verification.status).toBe('NOT_SUBMITTED');
  });

  it('refuses verification before the shop exists', async () => {
    const { api } = local;
    const seller = await api.actor('seller');
    const document = await api.upload(seller, PNG_BYTES, { purpose: 'kyc-document' });
    const refused = await api.post('/v1/sellers/me/verification', seller, { legalName: 'Sam Seller', documents: [document] });
    expect(refused.body.code).toBe('SELLER_PROFILE_REQUIRED');
  });
});
