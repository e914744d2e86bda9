/**
 * Order rules that keep the guarantee from being gamed (issue 8): protection never ends before the
 * delivery promise, unshipped orders are cancelled and refunded, and nobody deals with its own store.
 * Through the HTTP API on the local host, the timers job fired by moving the platform clock.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { aShipment, useLocalApi } from '../support/local-api.js';

const local = useLocalApi();
const DAY_MS = 86_400_000;
const plus = (iso: string, ms: number): string => new Date(new Date(iso).getTime() + ms).toISOString();

interface OrderBody {
  orderId: string;
  status: string;
  protectionEndsAt: string | null;
  shipment: { shippedAt: string; estimatedDeliveryAt: string } | null;
  completedBy: string | null;
}
interface LedgerBody {
  items: { type: string; amount: { amount: number } }[];
}

afterEach(async () => {
  await local.api.resetClock();
});

describe('protection is never shorter than the delivery promise', () => {
  it('15 protection days with an 80-day estimate: not released on day 15, released 15 days after the estimate', async () => {
    const { api } = local;
    const { seller, buyer, orderId } = await api.placedOrder({ listing: { guarantee: { returnable: true, protectionDays: 15 } } });
    const now = await api.moveClock('PT1M');
    const estimate = plus(now, 80 * DAY_MS);
    const shipped = await api.post<OrderBody>(`/v1/orders/${orderId}/shipment`, seller, aShipment(estimate));
    expect(shipped.status, shipped.text).toBe(200);
    expect(shipped.body.protectionEndsAt).toBe(plus(estimate, 15 * DAY_MS));

    await api.setClock(plus(shipped.body.shipment!.shippedAt, 15 * DAY_MS + 1000));
    await api.runJob('timers');
    expect((await api.get<OrderBody>(`/v1/orders/${orderId}`, buyer)).body.status).toBe('SHIPPED');
    expect((await api.get<LedgerBody>(`/v1/orders/${orderId}/ledger`, buyer)).body.items.map((entry) => entry.type)).toEqual(['HOLD']);

    await api.setClock(shipped.body.protectionEndsAt!);
    await api.runJob('timers');
    expect((await api.get<OrderBody>(`/v1/orders/${orderId}`, buyer)).body).toMatchObject({ status: 'COMPLETED', completedBy: 'system' });
    expect(await api.expectEscrowBalanced(orderId, buyer)).toMatchObject({ held: 0, released: 2450 });
  });
});
