import { describe, expect, it } from 'vitest';
import { afterAttempt, afterCheck, MAX_ATTEMPTS, nextRefundStep, offsetByChargeback, owedByProvider, requestRefund, retryFailedRefund, type Refund } from '../../lambdas/domain/refunds.js';

const T0 = '2026-12-01T12:00:00.000Z';
const HOUR = 3_600_000;
const later = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();
const requested = (): Refund =>
  requestRefund({ refundId: 'rfd_1', orderId: 'ord_1', disputeId: null, buyerId: 'b', sellerId: 's', amount: { amount: 1200, currency: 'USD' }, paymentReference: 'pay_1' }, T0);
const failure = { outcome: 'failed' as const, reason: 'card closed' };

describe('a refund through the provider', () => {
  it('waits 1 h, 4 h, 16 h after failed attempts, and is FAILED after the fourth', () => {
    let refund = requested();
    const waits: (string | null)[] = [];
    for (let n = 0; n < MAX_ATTEMPTS; n++) {
      const outcome = afterAttempt(refund, failure, T0);
      refund = outcome.refund;
      waits.push(outcome.nextCheckAt);
    }
    expect(waits).toEqual([later(T0, HOUR), later(T0, 4 * HOUR), later(T0, 16 * HOUR), null]);
    expect(refund).toMatchObject({ status: 'FAILED', attempts: 4, lastFailure: 'card closed' });
    expect(nextRefundStep(refund)).toBeNull();
  });

  it('counts a refund the provider accepted and failed later as a failed attempt, to be made again', () => {
    const submitted = afterAttempt(requested(), { outcome: 'submitted', providerRefundId: 're_1' }, T0).refund;
    expect(nextRefundStep(submitted)).toBe('check');
    const { refund, nextCheckAt } = afterCheck(submitted, 'failed', T0);
    expect(refund).toMatchObject({ status: 'PROCESSING', attempts: 1, providerRefundId: null });
    expect(nextCheckAt).toBe(later(T0, HOUR));
    expect(nextRefundStep(refund)).toBe('attempt');
  });

  it('gives a FAILED refund another round of 4 attempts on an admin retry; refuses one that is not FAILED', () => {
    let refund = requested();
    for (let n = 0; n < MAX_ATTEMPTS; n++) refund = afterAttempt(refund, failure, T0).refund;
    const retried = retryFailedRefund(refund, { markPaid: false }, T0);
    expect(retried).toMatchObject({ status: 'PROCESSING', attempts: 4, attemptLimit: 8 });
    expect(afterAttempt(retried, failure, T0)).toMatchObject({ refund: { status: 'PROCESSING', attempts: 5 }, nextCheckAt: later(T0, HOUR) });
    expect(() => retryFailedRefund(retried, { markPaid: false }, T0)).toThrow(expect.objectContaining({ code: 'REFUND_NOT_FAILED' }));
  });
});

describe("a refund the buyer's bank paid part of (a chargeback won by the buyer)", () => {
  const CLOSED = later(T0, HOUR);
  const won = (amount: number, refunded: number) => ({ chargebackId: 'cb_1', amount, refunded, closedAt: CLOSED });

  it('asks the provider only for what the bank did not pay, and keeps it through a failed attempt', () => {
    // The bank paid 500, none of it counted by escrow (the ledger had refunded everything already).
    const offset = offsetByChargeback(requested(), won(500, 0), CLOSED);
    expect(offset).toMatchObject({ status: 'REQUESTED', chargebackOffset: { chargebackId: 'cb_1', amount: 500 } });
    expect(owedByProvider(offset as Refund)).toEqual({ amount: 700, currency: 'USD' });
    const retried = afterAttempt(offset as Refund, failure, CLOSED).refund;
    expect(owedByProvider(retried)).toEqual({ amount: 700, currency: 'USD' });
    expect(offsetByChargeback(retried, won(500, 0), CLOSED)).toBeNull();
  });

  it('is COMPLETED by a chargeback that paid all of it; only what escrow did not count already offsets it', () => {
    expect(offsetByChargeback(requested(), won(2000, 0), CLOSED)).toMatchObject({ status: 'COMPLETED', attempts: 0, chargebackOffset: { amount: 1200 } });
    // 2000 paid, 1500 of it new refunded money in escrow: 500 left for this refund.
    expect(offsetByChargeback(requested(), won(2000, 1500), CLOSED)).toMatchObject({ status: 'REQUESTED', chargebackOffset: { amount: 500 } });
    expect(offsetByChargeback(requested(), won(1500, 1500), CLOSED)).toBeNull();
  });

  it('does not offset a refund approved after the bank decided', () => {
    expect(offsetByChargeback(requested(), { ...won(2000, 0), closedAt: later(T0, -HOUR) }, T0)).toBeNull();
  });
});
