/** Chargeback rules (domain/chargebacks.ts) and the providers' webhook parsing (lambdas/payments/*-events.ts). */
import { describe, expect, it } from 'vitest';
import { applyChargebackEvent, type ChargebackEvent } from '../../lambdas/domain/chargebacks.js';
import * as orders from '../../lambdas/domain/orders.js';
import type { Order } from '../../lambdas/domain/orders.js';
import { parseSimulatedEvent } from '../../lambdas/payments/simulated-events.js';
import { parseStripeEvent } from '../../lambdas/payments/stripe-events.js';
import { MAX_AMOUNT } from '../../lambdas/domain/money.js';
import { refusal } from './refusal.js';
import { anOrder, at } from './order-builder.js';

const event = (order: Order, kind: ChargebackEvent['kind'], extra: Partial<ChargebackEvent> = {}): ChargebackEvent => ({
  eventId: `evt-${kind}`,
  kind,
  chargebackId: 'dp_1',
  paymentReference: order.paymentReference,
  amount: order.total,
  outcome: kind === 'CHARGEBACK_CLOSED' ? 'WON_BY_BUYER' : null,
  ...extra,
});

describe('a chargeback on an order', () => {
  it('opens without moving money, and a second opening of the same one changes nothing', () => {
    const order = anOrder().shipped().build();
    const opened = applyChargebackEvent(order, event(order, 'CHARGEBACK_OPENED'), 'stripe', at(2));
    expect(opened?.ledger).toEqual([]);
    expect(opened?.order.chargeback).toMatchObject({ chargebackId: 'dp_1', provider: 'stripe', status: 'OPEN', amount: order.total.amount, refunded: 0 });
    expect(applyChargebackEvent(opened!.order, event(order, 'CHARGEBACK_OPENED'), 'stripe', at(3))).toBeNull();
  });

  it('won by the seller: closed, no money moves', () => {
    const order = anOrder().shipped().build();
    const opened = applyChargebackEvent(order, event(order, 'CHARGEBACK_OPENED'), 'stripe', at(2))!.order;
    const closed = applyChargebackEvent(opened, event(order, 'CHARGEBACK_CLOSED', { outcome: 'WON_BY_SELLER' }), 'stripe', at(9));
    expect(closed?.ledger).toEqual([]);
    expect(closed?.order.chargeback).toMatchObject({ status: 'WON_BY_SELLER', closedAt: at(9) });
    expect(applyChargebackEvent(closed!.order, event(order, 'CHARGEBACK_CLOSED'), 'stripe', at(10))).toBeNull();
  });

  it('won by the buyer while escrow holds the money: a REFUND from escrow, and a fully refunded order closes', () => {
    const order = anOrder().shipped().build();
    const closed = applyChargebackEvent(order, event(order, 'CHARGEBACK_CLOSED'), 'stripe', at(9))!;
    expect(closed.ledger.map((line) => [line.type, line.amount.amount])).toEqual([['REFUND', order.total.amount]]);
    expect(closed.order).toMatchObject({ status: 'CLOSED', escrow: { held: 0, refunded: order.total.amount }, chargeback: { refunded: order.total.amount } });
  });

  it('won by the buyer after completion: REVERSAL of the release and REFUND, capped by what a dispute left refundable', () => {
    const completed = anOrder().shipped(1).completed(6).build();
    const refunded = orders.refundThroughDispute(completed, 1000, 'RESOLVED', 'dispute dsp_1', at(7)).order;
    const closed = applyChargebackEvent(refunded, event(refunded, 'CHARGEBACK_CLOSED'), 'stripe', at(20))!;
    const left = completed.total.amount - 1000;
    expect(closed.ledger.map((line) => [line.type, line.amount.amount])).toEqual([
      ['REVERSAL', left],
      ['REFUND', left],
    ]);
    expect(closed.order.chargeback).toMatchObject({ amount: completed.total.amount, refunded: left });
    expect(orders.refundable(closed.order)).toBe(0);
    expect(closed.order.status).toBe('CLOSED');
  });

  it('ignores a closing of another chargeback than the one already closed, and refuses another currency', () => {
    const order = anOrder().shipped().build();
    const closed = applyChargebackEvent(order, event(order, 'CHARGEBACK_CLOSED', { outcome: 'WON_BY_SELLER' }), 'stripe', at(9))!.order;
    expect(applyChargebackEvent(closed, event(order, 'CHARGEBACK_CLOSED', { chargebackId: 'dp_2' }), 'stripe', at(10))).toBeNull();
    // An open one is kept too: another chargeback of the same payment neither replaces nor closes it.
    const open = applyChargebackEvent(order, event(order, 'CHARGEBACK_OPENED'), 'stripe', at(9))!.order;
    expect(applyChargebackEvent(open, event(order, 'CHARGEBACK_OPENED', { chargebackId: 'dp_2' }), 'stripe', at(10))).toBeNull();
    expect(applyChargebackEvent(open, event(order, 'CHARGEBACK_CLOSED', { chargebackId: 'dp_2', outcome: 'WON_BY_BUYER' }), 'stripe', at(10))).toBeNull();
    expect(refusal(() => applyChargebackEvent(order, event(order, 'CHARGEBACK_OPENED', { amount: { amount: 10, currency: 'EUR' } }), 'stripe', at(2)))).toBe('CURRENCY_MISMATCH');
  });
});

const stripeEvent = (type: string, dispute: Record<string, unknown>) => ({
  id: 'evt_1NG8Du2eZvKYlo2CUI79vXWy',
  object: 'event',
  api_version: '2024-06-20',
  created: 1_700_000_000,
  livemode: false,
  type,
  data: { object: { id: 'dp_1NG8Dt2eZvKYlo2C0mZ8Qkbh', object: 'dispute', amount: 2450, currency: 'usd', charge: 'ch_3NG8Ds2eZvKYlo2C1qJ5X4ws', payment_intent: 'pi_3NG8Ds2eZvKYlo2C1n4Nd8Zr', reason: 'fraudulent', status: 'needs_response', ...dispute } },
});

describe("Stripe's dispute events", () => {
  it('reads charge.dispute.created as an opened chargeback on the PaymentIntent', () => {
    expect(parseStripeEvent(stripeEvent('charge.dispute.created', {}))).toEqual({
      eventId: 'evt_1NG8Du2eZvKYlo2CUI79vXWy',
      kind: 'CHARGEBACK_OPENED',
      chargebackId: 'dp_1NG8Dt2eZvKYlo2C0mZ8Qkbh',
      paymentReference: 'pi_3NG8Ds2eZvKYlo2C1n4Nd8Zr',
      amount: { amount: 2450, currency: 'USD' },
      outcome: null,
    });
  });

  it('reads charge.dispute.closed: lost is won by the buyer, won and warning_closed by the seller', () => {
    expect(parseStripeEvent(stripeEvent('charge.dispute.closed', { status: 'lost' }))?.outcome).toBe('WON_BY_BUYER');
    expect(parseStripeEvent(stripeEvent('charge.dispute.closed', { status: 'won' }))?.outcome).toBe('WON_BY_SELLER');
    expect(parseStripeEvent(stripeEvent('charge.dispute.closed', { status: 'warning_closed' }))?.outcome).toBe('WON_BY_SELLER');
    expect(refusal(() => parseStripeEvent(stripeEvent('charge.dispute.closed', { status: 'under_review' })))).toBe('VALIDATION_FAILED');
  });

  it('ignores other event types and refuses a dispute without its PaymentIntent', () => {
    expect(parseStripeEvent(stripeEvent('payment_intent.succeeded', {}))).toBeNull();
    expect(refusal(() => parseStripeEvent(stripeEvent('charge.dispute.created', { payment_intent: null })))).toBe('VALIDATION_FAILED');
    // Like every amount we take in: no more than MAX_AMOUNT (an unsafe sum would otherwise reach escrow).
    expect(refusal(() => parseStripeEvent(stripeEvent('charge.dispute.created', { amount: MAX_AMOUNT + 1 })))).toBe('VALIDATION_FAILED');
    expect(parseStripeEvent(stripeEvent('charge.dispute.created', { amount: MAX_AMOUNT }))?.amount.amount).toBe(MAX_AMOUNT);
  });
});

describe("the simulated provider's events", () => {
  const body = { eventId: 'evt-1', type: 'chargeback.closed', chargebackId: 'cb-1', paymentReference: 'pay_1', amount: { amount: 500, currency: 'USD' }, outcome: 'WON_BY_BUYER' };

  it('reads an opened and a closed chargeback', () => {
    expect(parseSimulatedEvent(body)).toMatchObject({ kind: 'CHARGEBACK_CLOSED', outcome: 'WON_BY_BUYER', paymentReference: 'pay_1' });
    expect(parseSimulatedEvent({ ...body, type: 'chargeback.opened', outcome: undefined })).toMatchObject({ kind: 'CHARGEBACK_OPENED', outcome: null });
  });

  it('refuses a closed one without its outcome', () => {
    expect(refusal(() => parseSimulatedEvent({ ...body, outcome: undefined }))).toBe('VALIDATION_FAILED');
  });
});
