/**
 * The carrier webhook through the API (issue 8): signatures (good, bad, stale, replayed event), batches,
 * matching by tracking number, proof of delivery with and without a signature, and AfterShip's webhook
 * as it documents it. Events are signed with the carrier's key of this run, over the exact bytes sent.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { signWebhook } from '../../lambdas/platform/webhook-signature.js';
import { aTrackingNumber, carrierSecretOfThisRun, useLocalApi, type Api } from '../support/local-api.js';

const local = useLocalApi();
afterEach(() => local.api.resetClock());

interface Received {
  matched: number;
  unmatched: number;
  duplicates: number;
}
interface OrderBody {
  status: string;
  deliveredAt: string | null;
  shipment: { trackingNumber: string };
  total: { amount: number; currency: string };
}
interface TrackingBody {
  items: { status: string; source: string; signedBy?: string | null; occurredAt: string }[];
}

const nowIso = () => new Date().toISOString();
let sequence = 0;
const anEventId = () => `evt-${process.pid}-${Date.now()}-${++sequence}`;
const delivered = (trackingNumber: string, extra: Record<string, unknown> = {}) => ({ eventId: anEventId(), trackingNumber, status: 'DELIVERED', occurredAt: nowIso(), location: 'Front porch', ...extra });

async function shipped(api: Api, listing: Record<string, unknown> = {}) {
  const order = await api.shippedOrder({ listing });
  return { ...order, trackingNumber: String((order.order as { shipment: { trackingNumber: string } }).shipment.trackingNumber) };
}

describe('signed carrier events', () => {
  it('a signed DELIVERED is proof: the order is DELIVERED, the tracking shows the carrier, NOT_RECEIVED is refused', async () => {
    const { api } = local;
    const { buyer, orderId, trackingNumber } = await shipped(api);
    const event = delivered(trackingNumber.toLowerCase(), { signedBy: 'J. DOE' });
    const received = await api.request<Received>('POST', '/v1/carrier-events/ups', { body: { events: [event] }, signAs: 'ups' });
    expect(received.status, received.text).toBe(202);
    expect(received.body).toEqual({ matched: 1, unmatched: 0, duplicates: 0 });
    expect((await api.get<OrderBody>(`/v1/orders/${orderId}`, buyer)).body).toMatchObject({ status: 'DELIVERED', deliveredAt: event.occurredAt });
    const tracking = (await api.get<TrackingBody>(`/v1/orders/${orderId}/tracking`, buyer)).body.items;
    expect(tracking).toEqual([expect.objectContaining({ status: 'DELIVERED', source: 'carrier', signedBy: 'J. DOE' })]);
    const refused = await api.post(`/v1/orders/${orderId}/disputes`, buyer, { reason: 'NOT_RECEIVED', request: { type: 'REFUND', amount: { amount: 100, currency: 'USD' } }, description: 'It never came, honestly.' });
    expect(refused.status, refused.text).toBe(409);
    expect(refused.body.code).toBe('ALREADY_DELIVERED');
  });

  it('answers 401 to an unsigned request, a wrong key, a body changed after signing and a stale signature; nothing is applied', async () => {
    const { api } = local;
    const { buyer, orderId, trackingNumber } = await shipped(api);
    const raw = JSON.stringify({ events: [delivered(trackingNumber)] });
    const t = Math.floor(Date.now() / 1000);
    const attempts: Record<string, string>[] = [
      {},
      { 'aftersale-signature': signWebhook('not-the-key', raw, t) },
      { 'aftersale-signature': signWebhook(carrierSecretOfThisRun('ups'), raw.replace('Front porch', 'Back porch'), t) },
      { 'aftersale-signature': signWebhook(carrierSecretOfThisRun('ups'), raw, t - 301) },
      // Signed for another carrier: each carrier has its own key.
      { 'aftersale-signature': signWebhook(carrierSecretOfThisRun('usps'), raw, t) },
      { 'aftersale-signature': 't=abc,v1=zz' },
    ];
    for (const headers of attempts) {
      const refused = await api.request('POST', '/v1/carrier-events/ups', { rawBody: raw, headers });
      expect(refused.status, `${JSON.stringify(headers)}: ${refused.text}`).toBe(401);
      expect(refused.body.code).toBe('INVALID_SIGNATURE');
    }
    expect((await api.get<OrderBody>(`/v1/orders/${orderId}`, buyer)).body.status).toBe('SHIPPED');
    // The same bytes, correctly signed now, go through.
    const accepted = await api.request<Received>('POST', '/v1/carrier-events/ups', { rawBody: raw, headers: { 'aftersale-signature': signWebhook(carrierSecretOfThisRun('ups'), raw, Math.floor(Date.now() / 1000)) } });
    expect(accepted.status, accepted.text).toBe(202);
  });

  it('counts matched, unmatched and duplicate events; a replayed eventId changes nothing', async () => {
    const { api } = local;
    const { buyer, orderId, trackingNumber } = await shipped(api);
    const inTransit = { eventId: anEventId(), trackingNumber, status: 'IN_TRANSIT', occurredAt: nowIso() };
    const stranger = { eventId: anEventId(), trackingNumber: aTrackingNumber('ZZ'), status: 'DELIVERED', occurredAt: nowIso() };
    const first = await api.carrierEvents('ups', { events: [inTransit, stranger, inTransit] });
    expect(first.status, first.text).toBe(202);
    expect(first.body).toEqual({ matched: 1, unmatched: 1, duplicates: 1 });
    const again = await api.carrierEvents('ups', { events: [inTransit] });
    expect(again.body).toEqual({ matched: 0, unmatched: 0, duplicates: 1 });
    expect((await api.get<TrackingBody>(`/v1/orders/${orderId}/tracking`, buyer)).body.items).toHaveLength(1);
  });

  it('refuses a batch of more than 100 events with 400, and an event from the future', async () => {
    const { api } = local;
    const { trackingNumber } = await shipped(api);
    const events = Array.from({ length: 101 }, () => ({ eventId: anEventId(), trackingNumber, status: 'IN_TRANSIT', occurredAt: nowIso() }));
    const tooMany = await api.request('POST', '/v1/carrier-events/ups', { body: { events }, signAs: 'ups' });
    expect(tooMany.status, tooMany.text).toBe(400);
    expect(tooMany.body.code).toBe('VALIDATION_FAILED');
    const future = await api.carrierEvents('ups', { events: [{ eventId: anEventId(), trackingNumber, status: 'IN_TRANSIT', occurredAt: new Date(Date.now() + 3_600_000).toISOString() }] });
    expect(future.status, JSON.stringify(future.body)).toBe(400);
  });

  it('above $250 a carrier delivery is proof only when someone signed for it', async () => {
    const { api } = local;
    const { buyer, orderId, trackingNumber } = await shipped(api, { price: { amount: 30_000, currency: 'USD' } });
    expect((await api.carrierEvents('fedex', { events: [delivered(trackingNumber)] })).body).toEqual({ matched: 1, unmatched: 0, duplicates: 0 });
    expect((await api.get<OrderBody>(`/v1/orders/${orderId}`, buyer)).body).toMatchObject({ status: 'SHIPPED', deliveredAt: null });
    await api.carrierEvents('fedex', { events: [delivered(trackingNumber, { signedBy: 'R. ROE' })] });
    expect((await api.get<OrderBody>(`/v1/orders/${orderId}`, buyer)).body.status).toBe('DELIVERED');
  });

  it('a tracking number names one shipment: shipping a second order with it is 409 TRACKING_NUMBER_IN_USE', async () => {
    const { api } = local;
    const { trackingNumber } = await shipped(api);
    const other = await api.placedOrder();
    const refused = await api.post(`/v1/orders/${other.orderId}/shipment`, other.seller, { carrier: 'UPS', trackingNumber: trackingNumber.toLowerCase(), estimatedDeliveryAt: new Date(Date.now() + 5 * 86_400_000).toISOString() });
    expect(refused.status, refused.text).toBe(409);
    expect(refused.body.code).toBe('TRACKING_NUMBER_IN_USE');
  });
});

describe("AfterShip's webhook", () => {
  /** Shaped like AfterShip's documented tracking_update payload (fields we do not read included). */
  const afterShipDelivered = (trackingNumber: string, eventId: string, deliveredAt: string) => ({
    event: 'tracking_update',
    event_id: eventId,
    is_tracking_first_tag: true,
    ts: Math.floor(Date.now() / 1000),
    msg: {
      id: 'k5lh7dy7vvqeck71p5loe011',
      tracking_number: trackingNumber,
      slug: 'ups',
      active: false,
      tag: 'Delivered',
      subtag: 'Delivered_001',
      subtag_message: 'Delivered',
      signed_by: 'JANE',
      shipment_delivery_date: deliveredAt.replace('Z', '+00:00'),
      updated_at: deliveredAt,
      checkpoints: [
        { checkpoint_time: new Date(Date.parse(deliveredAt) - 3_600_000).toISOString(), location: 'Springfield, IL', tag: 'OutForDelivery', subtag: 'OutForDelivery_001', message: 'Out for delivery' },
        { checkpoint_time: deliveredAt, location: 'Springfield, IL', tag: 'Delivered', subtag: 'Delivered_001', message: 'Delivered, front door' },
      ],
    },
  });

  it('verifies aftership-hmac-sha256 and maps a Delivered tracking_update onto proof of delivery', async () => {
    const { api } = local;
    const { buyer, orderId, trackingNumber } = await shipped(api);
    const deliveredAt = new Date(Date.now() - 60_000).toISOString();
    const payload = afterShipDelivered(trackingNumber, anEventId(), deliveredAt);
    const unsigned = await api.request('POST', '/v1/carrier-events/aftership', { body: payload, headers: { 'aftership-hmac-sha256': 'bm90IGEgc2lnbmF0dXJl' } });
    expect(unsigned.status, unsigned.text).toBe(401);
    const received = await api.request<Received>('POST', '/v1/carrier-events/aftership', { body: payload, signAs: 'aftership' });
    expect(received.status, received.text).toBe(202);
    expect(received.body).toEqual({ matched: 1, unmatched: 0, duplicates: 0 });
    expect((await api.get<OrderBody>(`/v1/orders/${orderId}`, buyer)).body).toMatchObject({ status: 'DELIVERED', deliveredAt });
    expect((await api.get<TrackingBody>(`/v1/orders/${orderId}/tracking`, buyer)).body.items).toEqual([expect.objectContaining({ status: 'DELIVERED', source: 'carrier', signedBy: 'JANE' })]);
    // AfterShip retries a webhook it thinks failed: the same event_id is a duplicate.
    expect((await api.request<Received>('POST', '/v1/carrier-events/aftership', { body: payload, signAs: 'aftership' })).body).toEqual({ matched: 0, unmatched: 0, duplicates: 1 });
  });

  it('takes events it does not track (edd_revise, InfoReceived) without applying anything', async () => {
    const { api } = local;
    const { trackingNumber } = await shipped(api);
    const payload = afterShipDelivered(trackingNumber, anEventId(), nowIso());
    const info = { ...payload, msg: { ...payload.msg, tag: 'InfoReceived' } };
    expect((await api.request<Received>('POST', '/v1/carrier-events/aftership', { body: info, signAs: 'aftership' })).body).toEqual({ matched: 0, unmatched: 0, duplicates: 0 });
    const edd = { ...payload, event: 'edd_revise' };
    expect((await api.request<Received>('POST', '/v1/carrier-events/aftership', { body: edd, signAs: 'aftership' })).body).toEqual({ matched: 0, unmatched: 0, duplicates: 0 });
  });
});
