/** The seller-balance rules (domain/balance.ts): which ledger entries move it, by how much, and what a credit pays back. */
import { describe, expect, it } from 'vitest';
import { balanceDeltas, balanceLines, compensationEntry, movementsOfLedger, signedAmount, type BalanceEntry } from '../../lambdas/domain/balance.js';
import * as orders from '../../lambdas/domain/orders.js';
import { anOrder, at } from './order-builder.js';

const usd = (amount: number) => ({ amount, currency: 'USD' });
const entry = (type: BalanceEntry['type'], amount: number, n = 1): BalanceEntry => ({ sellerId: 'seller-1', type, amount: usd(amount), orderId: `ord_${n}`, disputeId: null, sourceSeq: n, at: at(n), reason: 'r' });

describe('balance movements of an order transition', () => {
  it('credits the release of a confirmation, and nothing for the HOLD of placing or the REFUND of a cancellation', () => {
    const shipped = anOrder().shipped().build();
    const confirmed = orders.confirmReceipt(shipped, 'buyer', at(5));
    expect(movementsOfLedger(confirmed.order, confirmed.ledger, { disputeId: null })).toEqual([
      expect.objectContaining({ sellerId: shipped.sellerId, type: 'RELEASE', amount: shipped.total, orderId: shipped.orderId, disputeId: null, sourceSeq: confirmed.ledger[0]?.seq }),
    ]);
    const placed = anOrder().build();
    const cancelled = orders.cancelOrder(placed, { by: 'buyer', reason: 'changed my mind' }, at(1));
    expect(cancelled.ledger.map((line) => line.type)).toEqual(['REFUND']);
    expect(movementsOfLedger(cancelled.order, cancelled.ledger, { disputeId: null })).toEqual([]);
  });

  it('debits the REVERSAL of a refund after completion, naming the dispute, and not its REFUND', () => {
    const completed = anOrder().shipped(1).completed(6).build();
    const refunded = orders.refundThroughDispute({ ...completed, disputeId: 'dsp_1' }, 1000, 'RESOLVED', 'dispute dsp_1', at(8));
    const moves = movementsOfLedger(refunded.order, refunded.ledger, { disputeId: 'dsp_1' });
    expect(moves).toEqual([expect.objectContaining({ type: 'REVERSAL', amount: usd(1000), disputeId: 'dsp_1' })]);
    expect(balanceDeltas(moves)).toEqual([{ sellerId: completed.sellerId, currency: 'USD', delta: -1000, source: 'dsp_1' }]);
  });

  it('credits a compensation only when there is one', () => {
    const dispute = { disputeId: 'dsp_1', orderId: 'ord_1', sellerId: 'seller-1', currency: 'EUR', version: 9 };
    expect(compensationEntry(dispute, 0, at(1))).toBeNull();
    expect(compensationEntry(dispute, 300, at(1))).toMatchObject({ type: 'COMPENSATION', amount: { amount: 300, currency: 'EUR' }, disputeId: 'dsp_1', sourceSeq: 9 });
  });

  it('adds the movements of one transaction into one delta per seller and currency', () => {
    const moves = [entry('RELEASE', 500), entry('REVERSAL', 200, 2), { ...entry('COMPENSATION', 50, 3), amount: { amount: 50, currency: 'EUR' } }];
    expect(balanceDeltas(moves).map(({ currency, delta }) => [currency, delta])).toEqual([
      ['USD', 300],
      ['EUR', 50],
    ]);
    expect(moves.map(signedAmount)).toEqual([500, -200, 50]);
  });
});

describe('balance lines, newest first', () => {
  it('walks back from the balance: each line shows the balance it left', () => {
    const { lines, balanceBefore } = balanceLines([entry('COMPENSATION', 100, 3), entry('REVERSAL', 400, 2), entry('RELEASE', 1000, 1)], 700);
    expect(lines.map((line) => line.balanceAfter)).toEqual([700, 600, 1000]);
    expect(balanceBefore).toBe(0);
    expect(lines.map((line) => line.repaid)).toEqual([0, 0, 0]);
  });

  it('lets a credit pay back a negative balance first: its repaid part is what the seller owed, at most the credit', () => {
    // Owed 1000, then a release of 600 (all of it repays), then one of 2450 (400 repays).
    const { lines } = balanceLines([entry('RELEASE', 2450, 3), entry('RELEASE', 600, 2), entry('REVERSAL', 1000, 1)], 2050);
    expect(lines.map((line) => [line.balanceAfter, line.repaid])).toEqual([
      [2050, 400],
      [-400, 600],
      [-1000, 0],
    ]);
  });

  it('continues a later page from the balance the previous page ended at', () => {
    const all = [entry('RELEASE', 300, 4), entry('RELEASE', 300, 3), entry('REVERSAL', 500, 2), entry('RELEASE', 100, 1)];
    const whole = balanceLines(all, 200).lines;
    const first = balanceLines(all.slice(0, 2), 200);
    const second = balanceLines(all.slice(2), first.balanceBefore);
    expect([...first.lines, ...second.lines]).toEqual(whole);
  });
});
