/**
 * Chargebacks (issue 9): the buyer's bank disputes the payment with the provider, which tells us through
 * its signed webhook (POST /v1/payment-events/{provider}). The order carries the chargeback: OPEN, then
 * WON_BY_BUYER or WON_BY_SELLER. While it is OPEN no refund is paid through a dispute (the bank may give
 * the money back already). One won by the buyer *is* the refund: the bank returned the money, so escrow
 * records it once — a REFUND of what is still held, a REVERSAL of the seller's release beyond that
 * (orders.ts `chargebackRefund`, the same escrow rule as a dispute refund) — capped by what is still
 * refundable, so money a dispute already refunded is never counted twice.
 */
import { DomainError } from './errors.js';
import type { Money } from './money.js';
import { chargebackRefund, refundable, type Order, type Transition } from './orders.js';

export const CHARGEBACK_STATUSES = ['OPEN', 'WON_BY_BUYER', 'WON_BY_SELLER'] as const;
export type ChargebackStatus = (typeof CHARGEBACK_STATUSES)[number];
export type ChargebackOutcome = Exclude<ChargebackStatus, 'OPEN'>;

export interface Chargeback {
  /** The provider's id of the dispute (Stripe `dp_…`). */
  chargebackId: string;
  provider: string;
  status: ChargebackStatus;
  /** What the bank disputes, in the order's currency (minor units). */
  amount: number;
  openedAt: string;
  closedAt: string | null;
  /** Of a chargeback won by the buyer, what escrow recorded as refunded by it (at most what was still refundable). */
  refunded: number;
}

/** A provider's webhook event, parsed by its adapter (lambdas/payments/): only chargebacks matter to us. */
export interface ChargebackEvent {
  eventId: string;
  kind: 'CHARGEBACK_OPENED' | 'CHARGEBACK_CLOSED';
  chargebackId: string;
  /** The payment the order was placed with (the reference its payment guard holds). */
  paymentReference: string;
  amount: Money;
  /** For a closed one: who won. */
  outcome: ChargebackOutcome | null;
}

export const chargebackOpen = (order: Pick<Order, 'chargeback'>): boolean => order.chargeback?.status === 'OPEN';

/** The refusal of a refund through a dispute while the payment's chargeback is open (409). */
export const chargebackBlocksRefund = (order: Pick<Order, 'chargeback'>): DomainError =>
  new DomainError('CHARGEBACK_OPEN', `The buyer's bank is disputing this payment (chargeback ${order.chargeback?.chargebackId}): no refund is paid through a dispute until the bank decides.`);

/**
 * Another chargeback than the one the order carries: the first one is kept (its outcome decides the
 * money), the other is ignored — overwriting an open one would lose it. A payment is charged back once.
 */
export const otherChargeback = (order: Pick<Order, 'chargeback'>, event: Pick<ChargebackEvent, 'chargebackId'>): boolean =>
  !!order.chargeback && order.chargeback.chargebackId !== event.chargebackId;

/**
 * What an event does to the order: opens its chargeback, or closes it (opening it first if the opening
 * was never seen). Null when it changes nothing: an event about a chargeback already in that state, or
 * about another chargeback than the order's (`otherChargeback`).
 */
export function applyChargebackEvent(order: Order, event: ChargebackEvent, provider: string, now: string): Transition | null {
  if (event.amount.currency !== order.total.currency) {
    throw new DomainError('CURRENCY_MISMATCH', `The chargeback is in ${event.amount.currency}; the order is in ${order.total.currency}.`);
  }
  if (otherChargeback(order, event)) return null;
  const known = order.chargeback ?? null;
  const opened: Chargeback = known ?? { chargebackId: event.chargebackId, provider, status: 'OPEN', amount: event.amount.amount, openedAt: now, closedAt: null, refunded: 0 };
  if (event.kind === 'CHARGEBACK_OPENED') return known ? null : chargebackRefund({ ...order, chargeback: opened }, 0, '', now);
  if (opened.status !== 'OPEN' || !event.outcome) return null;
  if (event.outcome === 'WON_BY_SELLER') return chargebackRefund({ ...order, chargeback: { ...opened, status: 'WON_BY_SELLER', closedAt: now } }, 0, '', now);
  // The bank returned the money: escrow records it once, never beyond what is still refundable.
  const counted = Math.min(event.amount.amount, refundable(order));
  const closed: Chargeback = { ...opened, status: 'WON_BY_BUYER', amount: event.amount.amount, closedAt: now, refunded: counted };
  return chargebackRefund({ ...order, chargeback: closed }, counted, `chargeback ${event.chargebackId} won by the buyer's bank`, now);
}
