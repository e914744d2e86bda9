/**
 * The seller's balance (API.md `GET /v1/sellers/me/balance`): the balance and its entries newest first,
 * each with the balance it left and what of it paid back a negative balance — one Query per page.
 */
import { balanceLines } from '../domain/balance.js';
import { DomainError } from '../domain/errors.js';
import type { Principal } from '../platform/auth.js';
import { decodeCursor, encodeCursor } from '../platform/cursor.js';
import { readBalancePage } from '../store/balance.js';

/**
 * A later page starts below the entry the previous one ended on, from the balance the previous page
 * reached there: the cursor (signed, so nobody edits the figures) carries the key, the balance shown on
 * the first page and the running balance before the last entry shown.
 */
interface PageState {
  key: Record<string, unknown>;
  balance: number;
  running: number;
}

function pageStateOf(cursor: string | undefined, scope: string): PageState | undefined {
  const decoded = decodeCursor(cursor, scope);
  if (decoded === undefined) return undefined;
  const { key, balance, running } = decoded;
  if (typeof key !== 'object' || key === null || !Number.isSafeInteger(balance) || !Number.isSafeInteger(running)) {
    throw new DomainError('INVALID_CURSOR', 'The cursor is not valid for this list.', [{ path: 'cursor', message: 'invalid cursor' }]);
  }
  return { key: key as Record<string, unknown>, balance: balance as number, running: running as number };
}

export async function myBalance(principal: Principal, query: { currency: string; limit: number; cursor?: string | undefined }) {
  const owner = { sellerId: principal.userId, currency: query.currency };
  const scope = `seller-balance:${owner.sellerId}:${owner.currency}`;
  const state = pageStateOf(query.cursor, scope);
  const page = await readBalancePage(owner, query.limit, state?.key);
  const balance = state?.balance ?? page.balance ?? 0;
  const { lines, balanceBefore } = balanceLines(page.entries, state?.running ?? balance);
  const cash = (amount: number) => ({ amount, currency: owner.currency });
  return {
    balance: cash(balance),
    entries: lines.map(({ entry, balanceAfter, repaid }) => ({
      type: entry.type,
      amount: entry.amount,
      orderId: entry.orderId,
      disputeId: entry.disputeId,
      at: entry.at,
      reason: entry.reason,
      balanceAfter: cash(balanceAfter),
      repaid: cash(repaid),
    })),
    nextCursor: page.lastKey ? encodeCursor({ key: page.lastKey, balance, running: balanceBefore }, scope) : null,
  };
}
