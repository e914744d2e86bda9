/**
 * Penalty points and restrictions through the API (DOMAIN.md "Listings and seller verification"):
 * repeated rejections and admins add points, thresholds start restrictions the API enforces, and the
 * timers job expires each entry after 365 days.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { recordDynamoCalls } from '../../lambdas/store/client.js';
import { CLOSURE_PAGE } from '../../lambdas/services/penalties.js';
import { aListing, anOrder, aShipment, useLocalApi, type Actor } from '../support/local-api.js';

const local = useLocalApi();
afterEach(async () => {
  await local.api.resetClock();
});

interface Penalties {
  points: number;
  entries: { entryId: string; points: number; reason: string; source: Record<string, string>; createdAt: string; expiresAt: string }[];
  restrictions: { code: string; until: string | null; means: string }[];
}

const DAY_MS = 86_400_000;
const penaltiesOf = async (seller: Actor): Promise<Penalties> => (await local.api.get<{ penalties: Penalties }>('/v1/sellers/me', seller)).body.penalties;
async function penalize(seller: Actor, points: number, reason = 'Misleading photos') {
  const response = await local.api.post<Penalties>(`/v1/admin/sellers/${seller.userId}/penalties`, await local.api.actor('admin'), { points, reason });
  expect(response.status, response.text).toBe(200);
  return response.body;
}

describe('penalty points', () => {
  it('costs nothing for the first and second rejection of a listing, and 2 points for the third and every later one', async () => {
    const { api } = local;
    const seller = await api.verifiedSeller();
    const image = await api.listingImage(seller);
    const bad = aListing({ images: [image], category: 'no-such-category' });
    const { productId } = await api.reviewedListing(seller, bad);
    const resubmit = async () => {
      expect((await api.put(`/v1/products/${productId}`, seller, bad)).status).toBe(200);
      await api.drainQueues();
    };
    expect((await penaltiesOf(seller)).points).toBe(0);
    await resubmit();
    expect((await api.get(`/v1/products/${productId}`, seller)).body.status).toBe('REJECTED');
    expect((await penaltiesOf(seller)).points).toBe(0);
    await resubmit();
    const third = await penaltiesOf(seller);
    expect(third.points).toBe(2);
    expect(third.entries).toEqual([expect.objectContaining({ points: 2, source: { kind: 'LISTING_REJECTION', productId }, reason: expect.stringContaining('3 times') })]);
    const entry = third.entries[0];
    expect(new Date(entry?.expiresAt ?? 0).getTime() - new Date(entry?.createdAt ?? 0).getTime()).toBe(365 * DAY_MS);
    await resubmit();
    expect((await penaltiesOf(seller)).points).toBe(4);
  });

  it('counts an admin\'s rejections of a listing like the worker\'s', async () => {
    const { api } = local;
    const seller = await api.verifiedSeller();
    const admin = await api.actor('admin');
    const branded = aListing({ images: [await api.listingImage(seller)], title: 'Sony wireless headphones', category: 'audio' });
    const { productId } = await api.reviewedListing(seller, branded);
    for (let rejection = 1; rejection <= 3; rejection++) {
      if (rejection > 1) {
        expect((await api.put(`/v1/products/${productId}`, seller, branded)).status).toBe(200);
        await api.drainQueues();
      }
      const rejected = await api.post(`/v1/admin/products/${productId}/decision`, admin, { decision: 'REJECT', reasons: ['No proof you may sell this brand'] });
      expect(rejected.status, rejected.text).toBe(200);
      expect((await penaltiesOf(seller)).points).toBe(rejection < 3 ? 0 : 2);
    }
  });

  it('at 12 points refuses new listings for 7 days with SELLER_RESTRICTED, explained in the seller\'s view', async () => {
    const { api } = local;
    const seller = await api.verifiedSeller();
    const now = Date.now();
    const standing = await penalize(seller, 12, 'Repeated prohibited items');
    expect(standing.points).toBe(12);
    expect(standing.entries).toEqual([expect.objectContaining({ points: 12, reason: 'Repeated prohibited items', source: { kind: 'ADMIN', adminId: expect.any(String) } })]);
    const mine = await penaltiesOf(seller);
    expect(mine.restrictions).toEqual([{ code: 'NO_NEW_LISTINGS', until: expect.any(String), means: expect.any(String) }]);
    const until = new Date(mine.restrictions[0]?.until ?? 0).getTime();
    expect(until - now).toBeGreaterThanOrEqual(7 * DAY_MS - 60_000);
    expect(until - now).toBeLessThanOrEqual(7 * DAY_MS + 60_000);

    const refused = await api.post('/v1/products', seller, aListing({ images: [await api.listingImage(seller)] }));
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('SELLER_RESTRICTED');

    await api.moveClock('P7DT1M');
    expect((await penaltiesOf(seller)).restrictions).toEqual([]);
    expect((await api.post('/v1/products', seller, aListing({ images: [await api.listingImage(seller)] }))).status).toBe(201);
  });

  it('at 36 points freezes the store: no new orders, hidden from public lists, while open orders run to their end', async () => {
    const { api } = local;
    const { seller, productId, orderId } = await api.placedOrder();
    const standing = await penalize(seller, 36, 'Counterfeit goods');
    expect(standing.restrictions.map((restriction) => restriction.code)).toEqual(['NO_NEW_LISTINGS', 'HIDDEN', 'FROZEN']);
    const refused = await api.post('/v1/orders', await api.actor('buyer'), anOrder(productId));
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('SELLER_RESTRICTED');
    expect((await api.get<{ items: unknown[] }>(`/v1/sellers/${seller.userId}/products`)).body.items).toEqual([]);
    expect((await api.get<{ items: unknown[] }>(`/v1/sellers/${seller.userId}/products`, seller)).body.items).toHaveLength(1);
    expect((await api.post(`/v1/orders/${orderId}/shipment`, seller, aShipment())).status).toBe(200);
  });

  it('below 36 points still takes orders (the threshold is what freezes)', async () => {
    const { api } = local;
    const { seller, productId } = await api.sellerWithListing();
    await penalize(seller, 35);
    expect((await api.post('/v1/orders', await api.actor('buyer'), anOrder(productId))).status).toBe(201);
  });

  it('at 48 points closes the store: its listings are gone from public view and it takes no orders', async () => {
    const { api } = local;
    const { seller, productId } = await api.sellerWithListing();
    await penalize(seller, 30);
    const closed = await penalize(seller, 18);
    expect(closed.restrictions).toContainEqual({ code: 'CLOSED', until: null, means: expect.any(String) });
    expect((await api.get(`/v1/products/${productId}`)).status).toBe(404);
    expect((await api.post('/v1/orders', await api.actor('buyer'), anOrder(productId))).body.code).toBe('SELLER_RESTRICTED');
    expect((await api.post('/v1/products', seller, aListing({ images: [await api.listingImage(seller)] }))).body.code).toBe('SELLER_RESTRICTED');
  });

  it("answers an anonymous listing read with one Query of the listing's partition, before and after its store closes", async () => {
    const { api } = local;
    const { seller, productId } = await api.sellerWithListing();
    const read = async () => {
      const recording = recordDynamoCalls();
      const response = await api.get(`/v1/products/${productId}`);
      return { status: response.status, calls: recording.stop().map((call) => call.operation) };
    };
    expect(await read()).toEqual({ status: 200, calls: ['Query'] });
    await penalize(seller, 48);
    expect(await read()).toEqual({ status: 404, calls: ['Query'] });
  });

  it('takes every listing of a closed store out of public view, more than one transaction marks, once the timers job ran', async () => {
    const { api } = local;
    const seller = await api.verifiedSeller();
    const count = CLOSURE_PAGE + 3;
    const productIds: string[] = [];
    for (let n = 0; n < count; n++) {
      const created = await api.post('/v1/products', seller, aListing({ images: [await api.listingImage(seller)], title: `Ceramic mug no. ${n}` }));
      expect(created.status, created.text).toBe(201);
      productIds.push(String(created.body.productId));
    }
    await api.drainQueues();
    const publicStatuses = async () => Promise.all(productIds.map(async (productId) => (await api.get(`/v1/products/${productId}`)).status));
    expect(new Set(await publicStatuses())).toEqual(new Set([200]));
    await penalize(seller, 48);
    // The newest page leaves view with the closure's own transaction.
    expect((await publicStatuses()).slice(-CLOSURE_PAGE)).toEqual(Array(CLOSURE_PAGE).fill(404));
    await api.runJob('timers');
    expect(await publicStatuses()).toEqual(Array(count).fill(404));
    await api.runJob('timers');
    expect(await publicStatuses()).toEqual(Array(count).fill(404));
    // The owner still reads them.
    expect((await api.get(`/v1/products/${productIds[0]}`, seller)).status).toBe(200);
  });

  it('takes out of public view the listings created while the store was being closed', async () => {
    const { api } = local;
    const { seller, productId } = await api.sellerWithListing();
    const images = await Promise.all(Array.from({ length: 4 }, () => api.listingImage(seller)));
    await penalize(seller, 30);
    const [, ...created] = await Promise.all([
      penalize(seller, 18),
      ...images.map((image) => api.post('/v1/products', seller, aListing({ images: [image] }))),
    ]);
    // Each creation either beat the closure (201) or was refused by it.
    for (const response of created) expect([201, 409], response.text).toContain(response.status);
    const createdIds = created.filter((response) => response.status === 201).map((response) => String(response.body.productId));
    await api.drainQueues();
    await api.runJob('timers');
    for (const id of [productId, ...createdIds]) {
      expect((await api.get(`/v1/products/${id}`)).status, id).toBe(404);
      expect((await api.get(`/v1/products/${id}`, seller)).status, id).toBe(200);
    }
  });

  it('expires points after 365 days by the timers job; restrictions already started run their own days', async () => {
    const { api } = local;
    const seller = await api.verifiedSeller();
    await penalize(seller, 5, 'Late shipping excuses');
    await api.moveClock('P200D');
    await penalize(seller, 7, 'Rude messages');
    // 12 points from the second entry on: the restriction starts now, for 7 days.
    expect((await penaltiesOf(seller)).restrictions.map((restriction) => restriction.code)).toEqual(['NO_NEW_LISTINGS']);
    await api.moveClock('P164D');
    await api.runJob('timers');
    expect((await penaltiesOf(seller)).points).toBe(12);
    await api.moveClock('P1DT1M');
    await api.runJob('timers');
    const afterFirst = await penaltiesOf(seller);
    expect(afterFirst.points).toBe(7);
    expect(afterFirst.entries.map((entry) => entry.reason)).toEqual(['Rude messages']);
    // Running the job again changes nothing (idempotent).
    await api.runJob('timers');
    expect((await penaltiesOf(seller)).points).toBe(7);
    await api.moveClock('P201D');
    await api.runJob('timers');
    expect(await penaltiesOf(seller)).toEqual({ points: 0, entries: [], restrictions: [] });
  });

  it('refuses a penalty for a seller without a store, and an invalid one', async () => {
    const { api } = local;
    const admin = await api.actor('admin');
    expect((await api.post('/v1/admin/sellers/nobody-here/penalties', admin, { points: 2, reason: 'Misleading photos' })).body.code).toBe('SELLER_NOT_FOUND');
    const seller = await api.verifiedSeller();
    expect((await api.post(`/v1/admin/sellers/${seller.userId}/penalties`, admin, { points: 0, reason: 'Nothing' })).status).toBe(400);
  });
});
