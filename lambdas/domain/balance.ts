/**
 * The seller balance (DOMAIN.md "Money and escrow"): what the platform owes a seller, per currency.
 * Every RELEASE of escrow credits it, every REVERSAL (a refund after release) debits it, and every
 * COMPENSATION (the outcome of a seller's appeal, paid by the platform) credits it. It may go negative;
 * the next credits pay that back first. Per seller and currency:
 *   balance = Σ RELEASE − Σ REVERSAL + Σ COMPENSATION
 * Pure: movements come from the ledger entries and dispute decisions that cause them, and are written
 * in the same transaction as those (store/balance.ts).
 */
import type { LedgerEntry, Money } from './money.js';

export const BALANCE_ENTRY_TYPES = ['RELEASE', 'REVERSAL', 'COMPENSATION'] as const;
export type BalanceEntryType = (typeof BALANCE_ENTRY_TYPES)[number];

/** One movement of a seller's balance, as stored: the ledger entry or the decision that caused it. */
export interface BalanceEntry {
  sellerId: string;
  type: BalanceEntryType;
  /** Always positive; the type says which way it moves the balance. */
  amount: Money;
  orderId: string;
  /** The dispute whose decision caused it (a COMPENSATION, a REVERSAL of a dispute refund); null for a release. */
  disputeId: string | null;
  /** What makes the entry unique for its source: the ledger entry's `seq`, or the dispute's version. */
  sourceSeq: number;
  at: string;
  reason: string;
}

/** How an entry moves the balance: credits add, a REVERSAL subtracts. */
export const signedAmount = (entry: Pick<BalanceEntry, 'type' | 'amount'>): number => (entry.type === 'REVERSAL' ? -entry.amount.amount : entry.amount.amount);

/**
 * The balance movements an order's new ledger entries cause: RELEASE credits, REVERSAL debits; HOLD and
 * REFUND stay between buyer and escrow. `source` names the dispute whose refund the transition is — null
 * for a chargeback's (the order's own `disputeId` may point at an unrelated, earlier dispute).
 */
export function movementsOfLedger(order: { orderId: string; sellerId: string }, ledger: readonly LedgerEntry[], source: { disputeId: string | null }): BalanceEntry[] {
  return ledger.flatMap((entry): BalanceEntry[] =>
    entry.type === 'RELEASE' || entry.type === 'REVERSAL'
      ? [
          {
            sellerId: order.sellerId,
            type: entry.type,
            amount: entry.amount,
            orderId: order.orderId,
            disputeId: entry.type === 'REVERSAL' ? source.disputeId : null,
            sourceSeq: entry.seq,
            at: entry.at,
            reason: entry.reason,
          },
        ]
      : [],
  );
}

/** A seller's appeal decided with a compensation: the platform credits the seller (never taken from the buyer). */
export function compensationEntry(dispute: { disputeId: string; orderId: string; sellerId: string; currency: string; version: number }, amount: number, now: string): BalanceEntry | null {
  if (amount <= 0) return null;
  return {
    sellerId: dispute.sellerId,
    type: 'COMPENSATION',
    amount: { amount, currency: dispute.currency },
    orderId: dispute.orderId,
    disputeId: dispute.disputeId,
    sourceSeq: dispute.version,
    at: now,
    reason: `appeal of dispute ${dispute.disputeId} decided: compensation paid by the platform`,
  };
}

/** The total each (seller, currency) balance moves by in one transaction: one counter write per balance. */
export function balanceDeltas(entries: readonly BalanceEntry[]): { sellerId: string; currency: string; delta: number; source: string }[] {
  const byBalance = new Map<string, { sellerId: string; currency: string; delta: number; source: string }>();
  for (const entry of entries) {
    const id = `${entry.sellerId}\n${entry.amount.currency}`;
    const known = byBalance.get(id) ?? { sellerId: entry.sellerId, currency: entry.amount.currency, delta: 0, source: entry.disputeId ?? entry.orderId };
    byBalance.set(id, { ...known, delta: known.delta + signedAmount(entry) });
  }
  return [...byBalance.values()];
}

/** An entry as the seller sees it, with the balance it left and what of it paid back a negative balance. */
export interface BalanceLine {
  entry: BalanceEntry;
  /** The balance right after this entry, in the list's order (newest first: the first line's is the balance). */
  balanceAfter: number;
  /** Of a credit, the part that paid back what the seller owed (the balance below 0 before it); 0 otherwise. */
  repaid: number;
}

/**
 * Walks entries newest first from the balance after the newest one (`balanceAfter`): each entry's balance
 * before it is its balance after minus its own movement. A credit pays back first whatever the balance
 * was below zero before it — "later releases pay that back first" — and that part is its `repaid`.
 * Returns the lines and the balance before the oldest of them (where the next page starts).
 */
export function balanceLines(newestFirst: readonly BalanceEntry[], balanceAfter: number): { lines: BalanceLine[]; balanceBefore: number } {
  let after = balanceAfter;
  const lines = newestFirst.map((entry): BalanceLine => {
    const movement = signedAmount(entry);
    const before = after - movement;
    const repaid = movement > 0 ? Math.min(movement, Math.max(0, -before)) : 0;
    const line = { entry, balanceAfter: after, repaid };
    after = before;
    return line;
  });
  return { lines, balanceBefore: after };
}
