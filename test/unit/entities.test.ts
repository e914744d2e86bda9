import { describe, expect, it } from 'vitest';
import { ledgerEntity, orderEntity, paymentEntity, trackingEntity } from '../../lambdas/store/orders.js';
import { anOrder, at, placing } from './order-builder.js';

/** What DynamoDB gives back: the item as written, minus attributes the client drops (undefined values). */
const stored = (item: Record<string, unknown>): Record<string, unknown> => JSON.parse(JSON.stringify(item)) as Record<string, unknown>;

describe('the order entity', () => {
  const orders = {
    placed: anOrder().build(),
    shipped: anOrder().shipped().build(),
    delivered: anOrder().shipped().delivered().build(),
    completed: anOrder().shipped().delivered().completed().build(),
    cancelled: anOrder().cancelled('seller').build(),
    'with a dispute and closed windows': { ...anOrder().shipped().withDispute('OPEN').build(), disputeId: 'dsp_1', reviewWindowClosed: true, returnWindowClosed: true, deliveryRecordedAt: at(3) },
  };

  it.each(Object.entries(orders))('reads back a %s order exactly as it was written', (_state, order) => {
    expect(orderEntity.parse(stored(orderEntity.item(order)))).toEqual(order);
  });

  it('writes the keys and index keys the access patterns name, and tags the item', () => {
    const order = orders.placed;
    expect(orderEntity.item(order)).toMatchObject({
      PK: `ORDER#${order.orderId}`,
      SK: 'ORDER',
      entity: 'order',
      GSI1PK: 'BUYER#buyer-1',
      GSI1SK: `ORDER#${order.createdAt}#${order.orderId}`,
      GSI2PK: 'SELLER#seller-1',
      GSI2SK: `ORDER#${order.createdAt}#${order.orderId}`,
    });
  });

  it('refuses to read an item whose fields do not match, naming the item and the field', () => {
    const { escrow, ...renamed } = stored(orderEntity.item(orders.placed));
    expect(() => orderEntity.parse({ ...renamed, escrowBalance: escrow })).toThrow(/order ORDER#ord_\w+ \/ ORDER[\s\S]*escrow/);
    expect(() => orderEntity.parse({ ...stored(orderEntity.item(orders.placed)), status: 'LOST' })).toThrow(/status/);
  });
});

describe('the entities stored with an order', () => {
  const { order, ledger } = placing();

  it('keys ledger entries by order and zero-padded sequence, and reads them back', () => {
    const [hold] = ledger;
    if (!hold) throw new Error('placing an order writes its HOLD');
    const item = ledgerEntity.item(hold, { orderId: order.orderId });
    expect(item).toMatchObject({ PK: `ORDER#${order.orderId}`, SK: 'LEDGER#000001', entity: 'ledger' });
    expect(ledgerEntity.parse(stored(item))).toEqual(hold);
  });

  it('keys tracking events by time and the order version, so two events at one instant do not collide', () => {
    const event = { status: 'IN_TRANSIT', location: null, occurredAt: at(2), recordedAt: at(2), source: 'seller' as const };
    const item = trackingEntity.item(event, { orderId: order.orderId, orderVersion: 12 });
    expect(item).toMatchObject({ PK: `ORDER#${order.orderId}`, SK: `TRACK#${at(2)}#000012` });
    expect(trackingEntity.parse(stored(item))).toEqual(event);
  });

  it('keys the payment guard by the provider and its payment reference, so single use is per provider', () => {
    expect(paymentEntity.item({ orderId: order.orderId }, { provider: 'simulated', paymentReference: 'pay_1' })).toEqual({ PK: 'PAYMENT#simulated#pay_1', SK: 'PAYMENT', entity: 'payment', orderId: order.orderId });
  });
});
