import { describe, expect, it } from 'vitest';
import { aListing, PNG_BYTES, useLocalApi } from '../support/local-api.js';

const local = useLocalApi();

interface ProductBody {
  productId: string;
  sellerId: string;
  status: string;
  price: { amount: number };
  guarantee: { returnable: boolean; returnWindowDays: number; protectionDays: number };
  handlingDays: number;
  ratingSummary: { count: number; average: number | null; histogram: Record<string, number>; withMedia: number };
  review?: { status: string; reasons: unknown[] };
}

describe('seller shop profiles', () => {
  it('creates the shop with PUT, shows it to its owner with stats, and publicly without them', async () => {
    const { api } = local;
    const seller = await api.actor('seller');
    const saved = await api.put('/v1/sellers/me', seller, { storeName: 'Gadget Corner', country: 'DE' });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ sellerId: seller.userId, storeName: 'Gadget Corner', country: 'DE', yearsActive: 0, stats: { ordersPlaced: 0 } });
    const updated = await api.put('/v1/sellers/me', seller, { storeName: 'Gadget Corner GmbH', country: 'DE' });
    expect(updated.body.memberSince).toBe(saved.body.memberSince);
    const publicView = await api.get(`/v1/sellers/${seller.userId}`);
    expect(publicView.status).toBe(200);
    expect(publicView.body).toEqual({ sellerId: seller.userId, storeName: 'Gadget Corner GmbH', country: 'DE', memberSince: saved.body.memberSince, yearsActive: 0, badges: [], reputation: expect.objectContaining({ feedback: { months: 6, positiveRate: null, positive: 0, neutral: 0, negative: 0, count: 0 } }) });
  });

  it('answers 404 for a seller without a shop', async () => {
    const { api } = local;
    const seller = await api.actor('seller');
    expect((await api.get('/v1/sellers/me', seller)).status).toBe(404);
    expect((await api.get(`/v1/sellers/${seller.userId}`)).body.code).toBe('SELLER_NOT_FOUND');
  });
});

describe('listings', () => {
  it('puts up a listing the review approved, with platform defaults for its guarantee and handling time', async () => {
    const { api } = local;
    const { productId, seller, product } = await api.sellerWithListing();
    expect(product).toMatchObject({ status: 'APPROVED', sellerId: seller.userId, handlingDays: 7, guarantee: { returnable: true, returnWindowDays: 15, protectionDays: 60 }, review: { status: 'APPROVED', reasons: [], decidedBy: null } });
    const publicView = await api.get<ProductBody & { images: { url: string | null }[] }>(`/v1/products/${productId}`);
    expect(publicView.status).toBe(200);
    expect(publicView.body.ratingSummary).toEqual({ count: 0, average: null, histogram: { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 }, withMedia: 0 });
    // The photo is the platform's checked copy, linked for a short while.
    const photo = await fetch(publicView.body.images[0]?.url ?? '');
    expect(photo.status).toBe(200);
    expect(new Uint8Array(await photo.arrayBuffer())).toEqual(PNG_BYTES);
    // Only the owner sees the review outcome.
    expect(publicView.body.review).toBeUndefined();
    expect((await api.get<ProductBody>(`/v1/products/${productId}`, seller)).body.review).toEqual({ status: 'APPROVED', reasons: [], decidedBy: null });
  });

  it('has no return window for a product that is not returnable', async () => {
    const { api } = local;
    const { product } = await api.sellerWithListing({ guarantee: { returnable: false, returnWindowDays: 30 } });
    expect(product).toMatchObject({ guarantee: { returnable: false, returnWindowDays: 0 } });
  });

  it('refuses a listing from a seller without a shop', async () => {
    const { api } = local;
    const refused = await api.post('/v1/products', await api.actor('seller'), aListing());
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('SELLER_NOT_VERIFIED');
  });

  it('lets the owner edit a listing, and nobody else', async () => {
    const { api } = local;
    const { productId, seller } = await api.sellerWithListing();
    const edited = await api.put<ProductBody>(`/v1/products/${productId}`, seller, aListing({ images: [await api.listingImage(seller)], price: { amount: 1999, currency: 'USD' }, handlingDays: 3 }));
    expect(edited.status, edited.text).toBe(200);
    expect(edited.body).toMatchObject({ price: { amount: 1999 }, handlingDays: 3, status: 'PENDING_REVIEW' });
    await api.drainQueues();
    const other = await api.verifiedSeller();
    const refused = await api.put(`/v1/products/${productId}`, other, aListing({ images: [await api.listingImage(other)] }));
    expect(refused.status).toBe(404);
    expect((await api.get<ProductBody>(`/v1/products/${productId}`)).body.price.amount).toBe(1999);
  });

  it("pages a shop's listings newest first", async () => {
    const { api } = local;
    const { seller, productId: first } = await api.sellerWithListing();
    const second = (await api.reviewedListing(seller, { title: 'Second listing of this shop' })).productId;
    const third = (await api.reviewedListing(seller, { title: 'Third listing of this shop' })).productId;
    const page1 = await api.get<{ items: ProductBody[]; nextCursor: string | null }>(`/v1/sellers/${seller.userId}/products?limit=2`);
    expect(page1.body.items.map((p) => p.productId)).toEqual([third, second]);
    const page2 = await api.get<{ items: ProductBody[]; nextCursor: string | null }>(`/v1/sellers/${seller.userId}/products?limit=2&cursor=${encodeURIComponent(page1.body.nextCursor as string)}`);
    expect(page2.body.items.map((p) => p.productId)).toEqual([first]);
  });
});
