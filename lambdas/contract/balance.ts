/** The seller balance route (API.md `GET /v1/sellers/me/balance`; DOMAIN.md "Money and escrow"). */
import * as z from 'zod/mini';
import { BALANCE_ENTRY_TYPES } from '../domain/balance.js';
import { Currency, ListQuery, Money, Timestamp, described } from './shared.js';

export const BalanceQuery = z.extend(ListQuery, {
  currency: described(z._default(Currency, 'USD'), { description: 'One balance per currency the seller was paid in; USD unless asked.' }),
});

/** Money that may be negative: a seller balance below zero is what the seller owes the platform back. */
export const SignedMoney = described(
  z.strictObject({
    amount: described(z.int(), { description: 'Integer minor units; negative when the seller owes the platform (refunds after release exceeded credits).' }),
    currency: Currency,
  }),
  { id: 'SignedMoney', example: { amount: -1200, currency: 'USD' } },
);

export const BalanceEntry = described(
  z.object({
    type: z.enum(BALANCE_ENTRY_TYPES),
    amount: Money,
    orderId: z.string(),
    disputeId: z.nullable(z.string()),
    at: Timestamp,
    reason: z.string(),
    balanceAfter: described(SignedMoney, { description: 'The balance right after this entry.' }),
    repaid: described(Money, { description: 'Of a credit, the part that paid back what the seller owed (the balance below zero before it); 0 otherwise.' }),
  }),
  { id: 'BalanceEntry' },
);

export const SellerBalance = described(
  z.object({
    balance: described(SignedMoney, { description: 'Σ RELEASE − Σ REVERSAL + Σ COMPENSATION; shown on the first page, and carried by the cursor.' }),
    entries: described(z.array(BalanceEntry), { description: 'RELEASE, REVERSAL and COMPENSATION entries, newest first.' }),
    nextCursor: z.nullable(z.string()),
  }),
  { id: 'SellerBalance' },
);
