import { describe, expect, it } from 'vitest';
import { refusal } from './refusal.js';
import { applyLedger } from '../../lambdas/domain/money.js';
import * as orders from '../../lambdas/domain/orders.js';
import type { Order, Transition } from '../../lambdas/domain/orders.js';
import { aListingSnapshot, anOrder, at, placing, T0 } from './order-builder.js';


/** HOLD = RELEASE − REVERSAL + REFUND + held (escrow.released is net of REVERSAL), for the order and the ledger entries a transition writes. */
function expectBalanced(order: Order, ledgerSoFar: Transition['ledger']) {
  const replayed = applyLedger({ held: 0, released: 0, refunded: 0 }, ledgerSoFar);
  expect(replayed).toEqual(order.escrow);
  const hold = ledgerSoFar.filter((entry) => entry.type === 'HOLD').reduce((sum, entry) => sum + entry.amount.amount, 0);
  expect(hold).toBe(order.total.amount);
  expect(hold).toBe(order.escrow.released + order.escrow.refunded + order.escrow.held);
}

describe('placing an order', () => {
  it('snapshots prices, totals the lines and holds the total in escrow', () => {
    const second = aListingSnapshot({ productId: 'prd_01ARZ3NDEKTSV4RRFFQ69G5FAX', price: { amount: 1000, currency: 'USD' }, handlingDays: 3, guarantee: { returnable: false, returnWindowDays: 0, protectionDays: 90 } });
    const { order, ledger } = orders.placeOrder({
      orderId: 'ord_1',
      buyerId: 'buyer-1',
      lines: [
        { productId: 'prd_01ARZ3NDEKTSV4RRFFQ69G5FAV', quantity: 2 },
        { productId: second.productId, quantity: 3 },
      ],
      listings: new Map([
        ['prd_01ARZ3NDEKTSV4RRFFQ69G5FAV', aListingSnapshot()],
        [second.productId, second],
      ]),
      shippingAddress: { name: 'J', line1: '1', city: 'C', postalCode: '1', country: 'US' },
      paymentReference: 'pay_1',
      now: T0,
    });
    expect(order.status).toBe('AWAITING_SHIPMENT');
    expect(order.total).toEqual({ amount: 2 * 2450 + 3 * 1000, currency: 'USD' });
    expect(order.items.map((item) => item.lineTotal.amount)).toEqual([4900, 3000]);
    expect(ledger).toEqual([{ seq: 1, type: 'HOLD', amount: order.total, at: T0, reason: 'payment captured' }]);
    expect(order.escrow).toEqual({ held: 7900, released: 0, refunded: 0 });
    // The most generous terms of the lines apply to the whole order.
    expect(order.protectionDays).toBe(90);
    expect(order.handlingDeadline).toBe(at(7));
    expectBalanced(order, ledger);
  });

  it('refuses a listing that is not approved with PRODUCT_NOT_AVAILABLE', () => {
    expect(refusal(() => anOrder([aListingSnapshot({ status: 'PENDING_REVIEW' })]))).toBe('PRODUCT_NOT_AVAILABLE');
  });

  it('refuses a product it does not know with PRODUCT_NOT_AVAILABLE', () => {
    const call = () => orders.placeOrder({ orderId: 'o', buyerId: 'b', lines: [{ productId: 'prd_missing', quantity: 1 }], listings: new Map(), shippingAddress: { name: 'J', line1: '1', city: 'C', postalCode: '1', country: 'US' }, paymentReference: 'p', now: T0 });
    expect(refusal(call)).toBe('PRODUCT_NOT_AVAILABLE');
  });

  it('refuses lines from two sellers with MIXED_SELLERS', () => {
    expect(refusal(() => anOrder([aListingSnapshot(), aListingSnapshot({ productId: 'prd_other', sellerId: 'seller-2' })]))).toBe('MIXED_SELLERS');
  });

  it('refuses a buyer whose user id is the listing seller’s with OWN_PRODUCT, whatever its role', () => {
    const call = () =>
      orders.placeOrder({ orderId: 'o', buyerId: 'seller-1', lines: [{ productId: aListingSnapshot().productId, quantity: 1 }], listings: new Map([[aListingSnapshot().productId, aListingSnapshot()]]), shippingAddress: { name: 'J', line1: '1', city: 'C', postalCode: '1', country: 'US' }, paymentReference: 'p', now: T0 });
    expect(refusal(call)).toBe('OWN_PRODUCT');
  });

  it('refuses lines in two currencies with MIXED_CURRENCIES', () => {
    expect(refusal(() => anOrder([aListingSnapshot(), aListingSnapshot({ productId: 'prd_other', price: { amount: 100, currency: 'EUR' } })]))).toBe('MIXED_CURRENCIES');
  });

  it('refuses an order whose total would exceed the largest amount money can hold', () => {
    expect(refusal(() => anOrder([aListingSnapshot({ price: { amount: 9_000_000_000, currency: 'USD' } })], 2))).toBe('VALIDATION_FAILED');
  });

  it('refuses the same product on two lines', () => {
    const listing = aListingSnapshot();
    const call = () =>
      orders.placeOrder({ orderId: 'o', buyerId: 'b', lines: [{ productId: listing.productId, quantity: 1 }, { productId: listing.productId, quantity: 2 }], listings: new Map([[listing.productId, listing]]), shippingAddress: { name: 'J', line1: '1', city: 'C', postalCode: '1', country: 'US' }, paymentReference: 'p', now: T0 });
    expect(refusal(call)).toBe('VALIDATION_FAILED');
  });
});

describe('cancelling', () => {
  it.each(['buyer', 'seller'] as const)('lets the %s cancel before shipment with a full refund', (by) => {
    const placed = anOrder().build();
    const { order, ledger } = orders.cancelOrder(placed, { by, reason: 'out of stock', refundId: 'rfd_1' }, at(1));
    expect(order.status).toBe('CANCELLED');
    expect(order.cancellation).toEqual({ by, reason: 'out of stock', at: at(1), refundId: 'rfd_1' });
    expect(ledger).toEqual([{ seq: 2, type: 'REFUND', amount: placed.total, at: at(1), reason: `cancelled by ${by}` }]);
    expect(order.escrow).toEqual({ held: 0, released: 0, refunded: placed.total.amount });
  });

  it.each([
    ['shipped', anOrder().shipped()],
    ['delivered', anOrder().shipped().delivered()],
    ['completed', anOrder().shipped().completed()],
    ['cancelled', anOrder().cancelled()],
  ])('refuses to cancel a %s order with ORDER_NOT_CANCELLABLE', (_state, builder) => {
    expect(refusal(() => orders.cancelOrder(builder.build(), { by: 'buyer', reason: 'x' }, at(20)))).toBe('ORDER_NOT_CANCELLABLE');
  });
});

describe('auto-cancel of an order never shipped', () => {
  it('is due at placement + handling days + 3 days, shown as shipBy', () => {
    const placed = anOrder([aListingSnapshot({ handlingDays: 4 })]).build();
    expect(orders.shipByOf(placed)).toBe(at(7));
    expect(orders.orderView(placed, 'buyer').shipBy).toBe(at(7));
  });

  it('cancels at shipBy, refunds everything held and cites the rule', () => {
    const placed = anOrder().build();
    const { order, ledger } = orders.autoCancelOrder(placed, 'rfd_2', at(10));
    expect(order.status).toBe('CANCELLED');
    expect(order.cancellation).toMatchObject({ by: 'system', rule: orders.AUTO_CANCEL_RULE, refundId: 'rfd_2', at: at(10) });
    expect(order.cancellation?.reason).toContain(at(10));
    expect(ledger).toEqual([{ seq: 2, type: 'REFUND', amount: placed.total, at: at(10), reason: `cancelled by the platform (${orders.AUTO_CANCEL_RULE})` }]);
    expectBalanced(order, [...placing().ledger, ...ledger]);
  });

  it('refuses before shipBy, and once the order shipped or was cancelled, with ORDER_NOT_CANCELLABLE', () => {
    const oneMsBefore = new Date(new Date(at(10)).getTime() - 1).toISOString();
    expect(refusal(() => orders.autoCancelOrder(anOrder().build(), 'rfd_3', oneMsBefore))).toBe('ORDER_NOT_CANCELLABLE');
    expect(refusal(() => orders.autoCancelOrder(anOrder().shipped(9).build(), 'rfd_3', at(10)))).toBe('ORDER_NOT_CANCELLABLE');
    expect(refusal(() => orders.autoCancelOrder(anOrder().cancelled().build(), 'rfd_3', at(10)))).toBe('ORDER_NOT_CANCELLABLE');
  });
});

describe('shipping', () => {
  it('starts the protection period at shipment and marks a shipment within handling time on time', () => {
    const { order, ledger } = orders.shipOrder(anOrder().build(), { carrier: 'UPS', trackingNumber: '1Z', estimatedDeliveryAt: at(12) }, at(2));
    expect(order.status).toBe('SHIPPED');
    expect(order.protectionEndsAt).toBe(at(62));
    expect(order.shipment).toEqual({ carrier: 'UPS', trackingNumber: '1Z', estimatedDeliveryAt: at(12), shippedAt: at(2), late: false });
    expect(ledger).toEqual([]);
  });

  it('still ships after the handling time, counted as late', () => {
    const { order } = orders.shipOrder(anOrder().build(), { carrier: 'UPS', trackingNumber: '1Z', estimatedDeliveryAt: at(20) }, at(7.5));
    expect(order.shipment?.late).toBe(true);
  });

  it('never ends protection before the delivery promise: max(shipped + protectionDays, estimate + 15 days)', () => {
    const shortPeriod = anOrder([aListingSnapshot({ guarantee: { returnable: true, returnWindowDays: 15, protectionDays: 15 } })]).build();
    // 15 protection days with an 80-day estimate: the promise decides (day 1 + 80 + 15), not day 16.
    const late = orders.shipOrder(shortPeriod, { carrier: 'UPS', trackingNumber: '1Z', estimatedDeliveryAt: at(81) }, at(1)).order;
    expect(late.protectionEndsAt).toBe(at(96));
    expect(refusal(() => orders.confirmReceipt(late, 'system', at(16)))).toBe('ORDER_NOT_CONFIRMABLE');
    // A near estimate leaves a longer protection period in charge (60 days > 3 + 15 days).
    const near = orders.shipOrder(anOrder().build(), { carrier: 'UPS', trackingNumber: '1Z', estimatedDeliveryAt: at(4) }, at(1)).order;
    expect(near.protectionEndsAt).toBe(at(61));
  });

  it('extends the promise-based end by 15 days', () => {
    const shortPeriod = anOrder([aListingSnapshot({ guarantee: { returnable: true, returnWindowDays: 15, protectionDays: 15 } })]).build();
    const shipped = orders.shipOrder(shortPeriod, { carrier: 'UPS', trackingNumber: '1Z', estimatedDeliveryAt: at(81) }, at(1)).order;
    expect(orders.extendProtection(shipped, at(50)).order.protectionEndsAt).toBe(at(111));
  });

  it('refuses an estimated delivery that is not after the shipment with ESTIMATE_IN_PAST', () => {
    expect(refusal(() => orders.shipOrder(anOrder().build(), { carrier: 'UPS', trackingNumber: '1Z', estimatedDeliveryAt: at(1) }, at(1)))).toBe('ESTIMATE_IN_PAST');
  });

  it.each([
    ['shipped', anOrder().shipped()],
    ['cancelled', anOrder().cancelled()],
    ['completed', anOrder().shipped().completed()],
  ])('refuses to ship a %s order with ORDER_NOT_SHIPPABLE', (_state, builder) => {
    expect(refusal(() => orders.shipOrder(builder.build(), { carrier: 'UPS', trackingNumber: '1Z', estimatedDeliveryAt: at(40) }, at(20)))).toBe('ORDER_NOT_SHIPPABLE');
  });
});

describe('tracking events', () => {
  it('keeps the order SHIPPED for in-transit events and moves it to DELIVERED on delivery', () => {
    const shipped = anOrder().shipped(1).build();
    expect(orders.recordTrackingEvent(shipped, { status: 'IN_TRANSIT', occurredAt: at(2) }, at(2), 'admin').order.status).toBe('SHIPPED');
    expect(orders.recordTrackingEvent(shipped, { status: 'EXCEPTION', occurredAt: at(2) }, at(2), 'admin').order.status).toBe('SHIPPED');
    const delivered = orders.recordTrackingEvent(shipped, { status: 'DELIVERED', occurredAt: at(4) }, at(4.1), 'admin').order;
    expect(delivered.status).toBe('DELIVERED');
    expect(delivered.deliveredAt).toBe(at(4));
  });

  it('refuses events for an order that is not in transit with ORDER_NOT_IN_TRANSIT', () => {
    expect(refusal(() => orders.recordTrackingEvent(anOrder().build(), { status: 'IN_TRANSIT', occurredAt: T0 }, T0, 'admin'))).toBe('ORDER_NOT_IN_TRANSIT');
    expect(refusal(() => orders.recordTrackingEvent(anOrder().shipped().delivered().build(), { status: 'DELIVERED', occurredAt: at(6) }, at(6), 'admin'))).toBe('ORDER_NOT_IN_TRANSIT');
  });

  it('refuses events from the future or from before the shipment', () => {
    const shipped = anOrder().shipped(1).build();
    expect(refusal(() => orders.recordTrackingEvent(shipped, { status: 'IN_TRANSIT', occurredAt: at(3) }, at(2), 'admin'))).toBe('VALIDATION_FAILED');
    expect(refusal(() => orders.recordTrackingEvent(shipped, { status: 'IN_TRANSIT', occurredAt: at(0.5) }, at(2), 'admin'))).toBe('VALIDATION_FAILED');
  });
});

describe('confirming receipt', () => {
  it.each([
    ['shipped', anOrder().shipped()],
    ['delivered', anOrder().shipped().delivered()],
  ])('completes a %s order and releases everything held to the seller', (_state, builder) => {
    const before = builder.build();
    const { order, ledger } = orders.confirmReceipt(before, 'buyer', at(8));
    expect(order.status).toBe('COMPLETED');
    expect(order.completedAt).toBe(at(8));
    expect(order.completedBy).toBe('buyer');
    expect(ledger).toEqual([{ seq: 2, type: 'RELEASE', amount: before.total, at: at(8), reason: 'buyer confirmed receipt' }]);
    expect(order.escrow).toEqual({ held: 0, released: before.total.amount, refunded: 0 });
  });

  it.each([
    ['awaiting shipment', anOrder()],
    ['completed', anOrder().shipped().completed()],
    ['cancelled', anOrder().cancelled()],
  ])('refuses a %s order with ORDER_NOT_CONFIRMABLE', (_state, builder) => {
    expect(refusal(() => orders.confirmReceipt(builder.build(), 'buyer', at(9)))).toBe('ORDER_NOT_CONFIRMABLE');
  });

  it('refuses while a dispute is open with ORDER_DISPUTE_OPEN, and allows it once the dispute is resolved', () => {
    expect(refusal(() => orders.confirmReceipt(anOrder().shipped().withDispute('AWAITING_SELLER').build(), 'buyer', at(9)))).toBe('ORDER_DISPUTE_OPEN');
    expect(orders.confirmReceipt(anOrder().shipped().withDispute('RESOLVED').build(), 'buyer', at(9)).order.status).toBe('COMPLETED');
  });

  it('auto-confirms only once the protection period has ended', () => {
    const shipped = anOrder().shipped(1).build();
    expect(shipped.protectionEndsAt).toBe(at(61));
    const oneMsBefore = new Date(new Date(at(61)).getTime() - 1).toISOString();
    expect(refusal(() => orders.confirmReceipt(shipped, 'system', oneMsBefore))).toBe('ORDER_NOT_CONFIRMABLE');
    const { order, ledger } = orders.confirmReceipt(shipped, 'system', at(61));
    expect(order.completedBy).toBe('system');
    expect(ledger[0]?.reason).toBe('protection period ended');
  });
});

describe('extending protection', () => {
  it('adds 15 days once, while the order is shipped and protection has not ended', () => {
    const shipped = anOrder().shipped(1).build();
    const { order } = orders.extendProtection(shipped, at(30));
    expect(order.protectionEndsAt).toBe(at(76));
    expect(order.protectionExtended).toBe(true);
    expect(refusal(() => orders.extendProtection(order, at(31)))).toBe('PROTECTION_ALREADY_EXTENDED');
  });

  it('refuses after protection ended with PROTECTION_ENDED', () => {
    expect(refusal(() => orders.extendProtection(anOrder().shipped(1).build(), at(61)))).toBe('PROTECTION_ENDED');
  });

  it.each([
    ['awaiting shipment', anOrder()],
    ['delivered', anOrder().shipped().delivered()],
    ['completed', anOrder().shipped().completed()],
  ])('refuses a %s order with ORDER_NOT_IN_TRANSIT', (_state, builder) => {
    expect(refusal(() => orders.extendProtection(builder.build(), at(7)))).toBe('ORDER_NOT_IN_TRANSIT');
  });
});

describe('the escrow in the order view', () => {
  it('splits refunds into refunded from escrow and reversed after release, adding up to the total', () => {
    const completed = anOrder().shipped().completed().build();
    const before = orders.refundThroughDispute(anOrder().shipped().build(), 1000, 'RESOLVED', 'dispute d1', at(3)).order;
    const after = orders.refundThroughDispute(completed, 1500, 'RESOLVED', 'dispute d2', at(8)).order;
    const usd = (amount: number) => ({ amount, currency: 'USD' });
    expect(orders.orderView(before, 'buyer').escrow).toEqual({ held: usd(3900), released: usd(0), refunded: usd(1000), reversed: usd(0) });
    expect(orders.orderView(after, 'buyer').escrow).toEqual({ held: usd(0), released: usd(3400), refunded: usd(0), reversed: usd(1500) });
  });
});

describe('the escrow invariant', () => {
  it('holds after every path: place → cancel, place → ship → confirm, place → ship → deliver → auto-confirm', () => {
    const paths: ((order: Order) => Transition)[][] = [
      [(o) => orders.cancelOrder(o, { by: 'seller', reason: 'x' }, at(1))],
      [(o) => orders.shipOrder(o, { carrier: 'c', trackingNumber: 't', estimatedDeliveryAt: at(9) }, at(1)), (o) => orders.confirmReceipt(o, 'buyer', at(3))],
      [
        (o) => orders.shipOrder(o, { carrier: 'c', trackingNumber: 't', estimatedDeliveryAt: at(9) }, at(1)),
        (o) => orders.recordTrackingEvent(o, { status: 'DELIVERED', occurredAt: at(4) }, at(4), 'admin'),
        (o) => orders.confirmReceipt(o, 'system', at(61)),
      ],
    ];
    for (const path of paths) {
      const placed = orders.placeOrder({ orderId: 'o', buyerId: 'b', lines: [{ productId: aListingSnapshot().productId, quantity: 3 }], listings: new Map([[aListingSnapshot().productId, aListingSnapshot()]]), shippingAddress: { name: 'J', line1: '1', city: 'C', postalCode: '1', country: 'US' }, paymentReference: 'p', now: T0 });
      let order = placed.order;
      const ledger = [...placed.ledger];
      expectBalanced(order, ledger);
      for (const step of path) {
        const next = step(order);
        // Every transition bumps the version that guards its write.
        expect(next.order.version).toBe(order.version + 1);
        ledger.push(...next.ledger);
        order = next.order;
        expectBalanced(order, ledger);
      }
      expect(order.escrow.held).toBe(0);
      expect(new Set(ledger.map((entry) => entry.seq)).size).toBe(ledger.length);
    }
  });

  it('never takes more from escrow than it holds', () => {
    expect(() => applyLedger({ held: 100, released: 0, refunded: 0 }, [{ type: 'REFUND', amount: { amount: 101, currency: 'USD' } }])).toThrow(RangeError);
  });
});

describe('who sees the order', () => {
  const order = anOrder().build();
  it('relates the buyer, the seller and admins, and nobody else', () => {
    expect(orders.relationTo(order, { userId: 'buyer-1', roles: ['buyer'] })).toBe('buyer');
    expect(orders.relationTo(order, { userId: 'seller-1', roles: ['seller'] })).toBe('seller');
    expect(orders.relationTo(order, { userId: 'anyone', roles: ['admin'] })).toBe('admin');
    expect(orders.relationTo(order, { userId: 'buyer-2', roles: ['buyer'] })).toBeNull();
    // Holding the right id with the wrong role is not enough.
    expect(orders.relationTo(order, { userId: 'buyer-1', roles: ['seller'] })).toBeNull();
  });

  it("shows the seller the address only while the order is open, and never the buyer's payment reference", () => {
    expect(orders.orderView(order, 'seller')).toMatchObject({ shippingAddress: order.shippingAddress });
    expect(orders.orderView(order, 'seller')).not.toHaveProperty('paymentReference');
    const completed = anOrder().shipped().completed().build();
    expect(orders.orderView(completed, 'seller')).not.toHaveProperty('shippingAddress');
    expect(orders.orderView(completed, 'buyer')).toMatchObject({ shippingAddress: completed.shippingAddress, paymentReference: 'pay_1' });
  });
});

describe('delivery estimates', () => {
  it('refuses an estimate more than 90 days ahead with ESTIMATE_TOO_FAR: buyer protection keys on it', () => {
    expect(orders.shipOrder(anOrder().build(), { carrier: 'UPS', trackingNumber: '1Z', estimatedDeliveryAt: at(91) }, at(1)).order.status).toBe('SHIPPED');
    expect(refusal(() => orders.shipOrder(anOrder().build(), { carrier: 'UPS', trackingNumber: '1Z', estimatedDeliveryAt: at(91.001) }, at(1)))).toBe('ESTIMATE_TOO_FAR');
  });

  it('records when delivery was shown, apart from when the carrier says it happened', () => {
    const delivered = orders.recordTrackingEvent(anOrder().shipped(1).build(), { status: 'DELIVERED', occurredAt: at(2) }, at(9), 'admin').order;
    expect(delivered).toMatchObject({ deliveredAt: at(2), deliveryRecordedAt: at(9) });
  });
});
