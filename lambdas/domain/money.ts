/** Money is integer minor units plus one ISO-4217 currency; never floats (DOMAIN.md "Money and escrow"). */
export interface Money {
  amount: number;
  currency: string;
}

/** The largest amount the API accepts or produces (minor units); also bounds an order's total. */
export const MAX_AMOUNT = 10_000_000_000;

export const money = (amount: number, currency: string): Money => {
  if (!Number.isSafeInteger(amount) || amount < 0) throw new RangeError(`Money amounts are non-negative integers, got ${amount}`);
  return { amount, currency };
};

export function multiply(price: Money, quantity: number): Money {
  return money(price.amount * quantity, price.currency);
}

export function sum(amounts: Money[], currency: string): Money {
  return money(
    amounts.reduce((total, next) => {
      if (next.currency !== currency) throw new RangeError(`Cannot add ${next.currency} to ${currency}`);
      return total + next.amount;
    }, 0),
    currency,
  );
}

/** The escrow position of one order: what is still held, and what has left it and how. */
export interface EscrowBalance {
  held: number;
  /** Released to the seller, less what was taken back (REVERSAL). */
  released: number;
  /** Every REFUND to the buyer, the part taken back from the seller included. */
  refunded: number;
  /** Of `refunded`, what was taken back from the seller after release (Σ REVERSAL); absent until one happens. */
  reversed?: number | undefined;
}

/**
 * HOLD puts the buyer's payment in escrow; RELEASE pays the seller; REFUND pays the buyer back.
 * REVERSAL takes back from the seller what was released (a refund decided after completion), so that
 * HOLD = RELEASE − REVERSAL + REFUND + held on every order.
 */
export const LEDGER_TYPES = ['HOLD', 'RELEASE', 'REFUND', 'REVERSAL'] as const;
export type LedgerType = (typeof LEDGER_TYPES)[number];

export interface LedgerEntry {
  seq: number;
  type: LedgerType;
  amount: Money;
  at: string;
  reason: string;
}

/** Applies ledger entries to a balance; the only way escrow changes, so HOLD = RELEASE − REVERSAL + REFUND + held. */
export function applyLedger(balance: EscrowBalance, entries: readonly Pick<LedgerEntry, 'type' | 'amount'>[]): EscrowBalance {
  return entries.reduce((next, entry) => {
    const amount = entry.amount.amount;
    switch (entry.type) {
      case 'HOLD':
        return { ...next, held: next.held + amount };
      case 'REVERSAL':
        if (amount > next.released) throw new RangeError(`Cannot reverse ${amount} of ${next.released} released`);
        return { ...next, held: next.held + amount, released: next.released - amount, reversed: (next.reversed ?? 0) + amount };
      case 'RELEASE':
      case 'REFUND':
        if (amount > next.held) throw new RangeError(`Cannot take ${amount} from escrow holding ${next.held}`);
        return entry.type === 'RELEASE'
          ? { ...next, held: next.held - amount, released: next.released + amount }
          : { ...next, held: next.held - amount, refunded: next.refunded + amount };
    }
  }, balance);
}
