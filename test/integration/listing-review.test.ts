/**
 * The listing review through the API (DOMAIN.md "Listings and seller verification"): the listing-review
 * worker decides each submission from its queue, with per-field reasons; a person decides what it
 * cannot; an approved version stays up while an edit waits.
 */
import { describe, expect, it } from 'vitest';
import { aListing, anOrder, useLocalApi, type Actor } from '../support/local-api.js';

const local = useLocalApi();

interface Reason {
  field: string;
  code: string;
  message: string;
}
interface ProductBody {
  productId: string;
  status: string;
  title: string;
  price: { amount: number; currency: string };
  images: { uploadId: string; url: string | null }[];
  review?: { status: string; reasons: Reason[]; decidedBy: string | null };
}

const NOT_AN_IMAGE = new TextEncoder().encode('<html><script>alert(document.cookie)</script></html>');

async function submitted(seller: Actor, overrides: Record<string, unknown> = {}): Promise<ProductBody> {
  const { product } = await local.api.reviewedListing(seller, overrides);
  return product as unknown as ProductBody;
}

describe('the listing review', () => {
  it('starts every submission PENDING_REVIEW, hidden from the public until the worker approves it', async () => {
    const { api } = local;
    const seller = await api.verifiedSeller();
    const created = await api.post<ProductBody>('/v1/products', seller, aListing({ images: [await api.listingImage(seller)] }));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'PENDING_REVIEW', review: { status: 'PENDING_REVIEW', reasons: [] } });
    expect(created.body.images[0]?.url).toBeNull();
    expect((await api.get(`/v1/products/${created.body.productId}`)).status).toBe(404);
    expect((await api.get<{ items: unknown[] }>(`/v1/sellers/${seller.userId}/products`)).body.items).toEqual([]);
    await api.drainQueues();
    expect((await api.get<ProductBody>(`/v1/products/${created.body.productId}`)).body.status).toBe('APPROVED');
    expect((await api.get<{ items: ProductBody[] }>(`/v1/sellers/${seller.userId}/products`)).body.items.map((item) => item.productId)).toEqual([created.body.productId]);
  });

  it('refuses image strings that are not uploads at the edge ("javascript:…" is not an upload id)', async () => {
    const { api } = local;
    const seller = await api.verifiedSeller();
    const refused = await api.post('/v1/products', seller, aListing({ images: ['javascript:alert(document.cookie)'] }));
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('VALIDATION_FAILED');
    const someoneElses = await api.listingImage(await api.verifiedSeller());
    expect((await api.post('/v1/products', seller, aListing({ images: [someoneElses] }))).body.code).toBe('UPLOAD_NOT_USABLE');
  });

  it('rejects a photo that is not an image by its bytes with an images reason', async () => {
    const { api } = local;
    const seller = await api.verifiedSeller();
    const fake = await api.upload(seller, NOT_AN_IMAGE, { purpose: 'listing-image', contentType: 'image/png' });
    const product = await submitted(seller, { images: [fake] });
    expect(product.status).toBe('REJECTED');
    expect(product.review?.reasons).toEqual([expect.objectContaining({ field: 'images', code: 'MEDIA_TYPE_MISMATCH' })]);
    expect((await api.get(`/v1/products/${product.productId}`)).status).toBe(404);
  });

  it('names every field to fix: prohibited words, contact details, links, unknown category, price out of bounds', async () => {
    const { api } = local;
    const seller = await api.verifiedSeller();
    const product = await submitted(seller, {
      title: 'Replica designer handbag, like new',
      description: 'Write to me at deals@example.com or see www.cheap-bags.example for more.',
      category: 'handbags',
    });
    expect(product.status).toBe('REJECTED');
    const reasons = (product.review?.reasons ?? []).map((reason) => `${reason.field}:${reason.code}`);
    expect(reasons).toEqual(expect.arrayContaining(['title:PROHIBITED_WORDS', 'description:CONTACT_DETAILS', 'description:EXTERNAL_LINK', 'category:UNKNOWN_CATEGORY']));
    const pricey = await submitted(seller, { category: 'kitchen', price: { amount: 9_999_999, currency: 'USD' } });
    expect(pricey.review?.reasons).toEqual([expect.objectContaining({ field: 'price', code: 'PRICE_OUT_OF_BOUNDS' })]);
  });

  it('leaves a protected brand to a person: NEEDS_HUMAN, in the admins\' queue, decided with the admin recorded', async () => {
    const { api } = local;
    const seller = await api.verifiedSeller();
    const admin = await api.actor('admin');
    const product = await submitted(seller, { title: 'Sony noise cancelling headphones', category: 'audio' });
    expect(product.status).toBe('NEEDS_HUMAN');
    expect(product.review?.reasons).toEqual([expect.objectContaining({ field: 'title', code: 'PROTECTED_BRAND' })]);
    const queue = await api.get<{ items: ProductBody[] }>('/v1/admin/products?status=NEEDS_HUMAN&limit=100', admin);
    expect(queue.body.items.map((item) => item.productId)).toContain(product.productId);

    const approved = await api.post<ProductBody>(`/v1/admin/products/${product.productId}/decision`, admin, { decision: 'APPROVE' });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'APPROVED', review: { status: 'APPROVED', decidedBy: admin.userId } });
    expect((await api.get<ProductBody>(`/v1/products/${product.productId}`)).status).toBe(200);
    expect((await api.get<{ items: ProductBody[] }>('/v1/admin/products?limit=100', admin)).body.items.map((item) => item.productId)).not.toContain(product.productId);
    const again = await api.post(`/v1/admin/products/${product.productId}/decision`, admin, { decision: 'REJECT', reasons: ['Too late'] });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('NOTHING_TO_DECIDE');

    const other = await submitted(seller, { title: 'Lego city fire station set', category: 'toys' });
    const rejected = await api.post<ProductBody>(`/v1/admin/products/${other.productId}/decision`, admin, { decision: 'REJECT', reasons: ['No proof you may sell this brand'] });
    expect(rejected.body.review).toEqual({ status: 'REJECTED', reasons: [{ field: 'listing', code: 'ADMIN_DECISION', message: 'No proof you may sell this brand' }], decidedBy: admin.userId });
  });

  it('keeps the approved version visible and purchasable while an edit waits, and orders snapshot it', async () => {
    const { api } = local;
    const { seller, productId } = await api.sellerWithListing({ price: { amount: 2450, currency: 'USD' } });
    const edit = await api.put<ProductBody>(`/v1/products/${productId}`, seller, aListing({ images: [await api.listingImage(seller)], title: 'Ceramic pour-over dripper, second edition', price: { amount: 3100, currency: 'USD' } }));
    expect(edit.body).toMatchObject({ status: 'PENDING_REVIEW', price: { amount: 3100 } });
    const publicView = await api.get<ProductBody>(`/v1/products/${productId}`);
    expect(publicView.body).toMatchObject({ status: 'APPROVED', title: 'Ceramic pour-over coffee dripper', price: { amount: 2450 } });
    expect((await api.get<{ items: ProductBody[] }>(`/v1/sellers/${seller.userId}/products`)).body.items.map((item) => item.price.amount)).toEqual([2450]);
    const buyer = await api.actor('buyer');
    const order = await api.post<{ total: { amount: number }; items: { title: string }[] }>('/v1/orders', buyer, anOrder(productId));
    expect(order.status, order.text).toBe(201);
    expect(order.body.total.amount).toBe(2450);
    expect(order.body.items[0]?.title).toBe('Ceramic pour-over coffee dripper');

    await api.drainQueues();
    expect((await api.get<ProductBody>(`/v1/products/${productId}`)).body).toMatchObject({ title: 'Ceramic pour-over dripper, second edition', price: { amount: 3100 } });
  });

  it('keeps the approved version up when an edit is rejected', async () => {
    const { api } = local;
    const { seller, productId } = await api.sellerWithListing();
    await api.put(`/v1/products/${productId}`, seller, aListing({ images: [await api.listingImage(seller)], description: 'Call me on +1 555 123 4567 for a better price.' }));
    await api.drainQueues();
    const own = await api.get<ProductBody>(`/v1/products/${productId}`, seller);
    expect(own.body).toMatchObject({ status: 'REJECTED', review: { reasons: [expect.objectContaining({ field: 'description', code: 'CONTACT_DETAILS' })] } });
    const publicView = await api.get<ProductBody>(`/v1/products/${productId}`);
    expect(publicView.status).toBe(200);
    expect(publicView.body.status).toBe('APPROVED');
    expect(JSON.stringify(publicView.body)).not.toContain('555 123 4567');
    expect((await api.post('/v1/orders', await api.actor('buyer'), anOrder(productId))).status).toBe(201);
  });

  it('lets the seller resubmit a rejected listing, keeping a photo it names again', async () => {
    const { api } = local;
    const seller = await api.verifiedSeller();
    const image = await api.listingImage(seller);
    const rejected = await submitted(seller, { images: [image], category: 'no-such-category' });
    expect(rejected.status).toBe('REJECTED');
    const resubmitted = await api.put<ProductBody>(`/v1/products/${rejected.productId}`, seller, aListing({ images: [image] }));
    expect(resubmitted.status, resubmitted.text).toBe(200);
    await api.drainQueues();
    expect((await api.get<ProductBody>(`/v1/products/${rejected.productId}`)).body.status).toBe('APPROVED');
  });
});
