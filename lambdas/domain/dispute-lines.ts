/**
 * Which order lines a dispute is about, and what the order remembers of past disputes per line (DOMAIN.md
 * "Disputes, returns and refunds"; decision 016): the refund cap is those lines' value less what was
 * already refunded on them, returnability and the return window are each line's product's, and a line
 * whose dispute was decided (agreed or arbitrated) takes no new dispute — only an appeal of that one. A
 * withdrawn dispute may be opened again once. Pure: the service writes the order it returns with the
 * dispute change, in one transaction.
 */
import { DAY_MS } from '../platform/config.js';
import { DomainError } from './errors.js';
import { markDispute, refundThroughDispute, refundable, type Order, type OrderLine, type Transition } from './orders.js';
import { addMs } from './time.js';

export interface DisputeLine {
  productId: string;
  quantity: number;
}

/** What the order keeps per line across all its disputes. */
export interface LineRecord {
  /** Minor units refunded on this line through disputes (appeals included). */
  refunded: number;
  /** The dispute that was decided on this line (agreed or arbitrated): only its appeal remains. */
  decidedBy: string | null;
  /** Disputes on this line the buyer withdrew. */
  withdrawals: number;
}

/** A withdrawn dispute may be opened again once: a second withdrawal closes the line to disputes. */
export const MAX_WITHDRAWALS = 2;

const EMPTY: LineRecord = { refunded: 0, decidedBy: null, withdrawals: 0 };

/**
 * The record of one line. Orders disputed before lines were recorded carry only the last dispute's status:
 * a resolved one decided the whole order.
 */
export function lineRecord(order: Pick<Order, 'disputeLines' | 'disputeStatus' | 'disputeId'>, productId: string): LineRecord {
  const recorded = order.disputeLines?.[productId];
  if (recorded) return recorded;
  if (order.disputeLines === undefined && order.disputeStatus === 'RESOLVED') return { ...EMPTY, decidedBy: order.disputeId ?? 'unknown' };
  return EMPTY;
}

const wholeOrder = (order: Pick<Order, 'items'>): DisputeLine[] => order.items.map((item) => ({ productId: item.productId, quantity: item.quantity }));

/** The lines a dispute names: each a line of the order, at most its quantity, once; none named means the whole order. */
export function disputeLines(order: Pick<Order, 'items'>, requested: readonly DisputeLine[] | undefined): DisputeLine[] {
  if (!requested || requested.length === 0) return wholeOrder(order);
  const seen = new Set<string>();
  return requested.map((line, index) => {
    const item = order.items.find((candidate) => candidate.productId === line.productId);
    const path = `body.lines.${index}`;
    if (!item) throw new DomainError('VALIDATION_FAILED', `Product ${line.productId} is not on this order.`, [{ path: `${path}.productId`, message: 'not a line of the order' }]);
    if (seen.has(line.productId)) throw new DomainError('VALIDATION_FAILED', 'Each line may be named once.', [{ path: `${path}.productId`, message: 'duplicate line' }]);
    if (line.quantity > item.quantity) throw new DomainError('VALIDATION_FAILED', `The order has ${item.quantity} of this product.`, [{ path: `${path}.quantity`, message: `at most ${item.quantity}` }]);
    seen.add(line.productId);
    return { productId: line.productId, quantity: line.quantity };
  });
}

/** The lines of a stored dispute: disputes from before lines were recorded covered the whole order. */
export const linesOf = (dispute: { lines: DisputeLine[] }, order: Pick<Order, 'items'>): DisputeLine[] => (dispute.lines.length > 0 ? dispute.lines : wholeOrder(order));

const itemOf = (order: Pick<Order, 'items'>, productId: string): OrderLine => order.items.find((item) => item.productId === productId) as OrderLine;

/** What one named line may still get back: its disputed units' value, never more than the line has left. */
function lineRoom(order: Order, line: DisputeLine): number {
  const item = itemOf(order, line.productId);
  const left = item.lineTotal.amount - lineRecord(order, line.productId).refunded;
  return Math.max(0, Math.min(item.unitPrice.amount * line.quantity, left));
}

/**
 * The most a dispute on these lines may refund: the lines' value less what was refunded on them, and never
 * more than the order has left (a cancellation or another refund may have taken some). `ownRefund` is what
 * this dispute already refunded (an appeal sets a new total, not an extra).
 */
export function refundCap(order: Order, lines: readonly DisputeLine[], ownRefund = 0): number {
  const room = lines.reduce((total, line) => total + lineRoom(order, line), 0);
  return Math.min(room + ownRefund, refundable(order) + ownRefund);
}

/** A new dispute may name a line only if no dispute on it was decided and it was not withdrawn twice. */
export function assertLinesOpen(order: Order, lines: readonly DisputeLine[]): void {
  for (const line of lines) {
    const record = lineRecord(order, line.productId);
    if (record.decidedBy) {
      throw new DomainError('DISPUTE_ALREADY_DECIDED', `A dispute on ${itemOf(order, line.productId).title} was already decided (${record.decidedBy}): only an appeal of it remains.`);
    }
    if (record.withdrawals >= MAX_WITHDRAWALS) throw new DomainError('DISPUTE_REOPEN_LIMIT', `A withdrawn dispute may be opened again once; ${itemOf(order, line.productId).title} has been disputed and withdrawn twice.`);
  }
}

/** A return needs every named line to be returnable and within its own product's return window. */
export function assertLinesReturnable(order: Order, lines: readonly DisputeLine[], now: string | null): void {
  for (const line of lines) {
    const item = itemOf(order, line.productId);
    if (!item.returnable) throw new DomainError('NOT_RETURNABLE', `${item.title} cannot be returned; request a refund instead.`);
    if (now === null) continue;
    const from = order.deliveredAt ?? order.completedAt;
    const windowEnd = from ? addMs(from, item.returnWindowDays * DAY_MS) : null;
    // The timers job closes the window of the order once its most generous line's has passed.
    if (order.returnWindowClosed || (windowEnd !== null && now > windowEnd)) throw new DomainError('RETURN_WINDOW_CLOSED', `The return window of ${item.title} has ended.`);
  }
}

/** A refund spread over the lines it was for, each up to what it may still get back, in the dispute's line order. */
export function allocate(order: Order, lines: readonly DisputeLine[], amount: number): Map<string, number> {
  const shares = new Map<string, number>();
  let left = amount;
  for (const line of lines) {
    const share = Math.min(left, lineRoom(order, line));
    if (share > 0) shares.set(line.productId, share);
    left -= share;
  }
  // The cap allows no more than the room, so nothing is left; if a legacy record disagrees, the first line carries it.
  const first = lines[0];
  if (left > 0 && first) shares.set(first.productId, (shares.get(first.productId) ?? 0) + left);
  return shares;
}

export type LineOutcome = { kind: 'decided' | 'withdrawn' | 'none'; refund: number };

/** The order's per-line record after one dispute change: a decision, a withdrawal, and the refund it paid. */
export function recordLines(order: Order, disputeId: string, lines: readonly DisputeLine[], outcome: LineOutcome): Order {
  if (outcome.kind === 'none' && outcome.refund === 0) return order;
  const shares = allocate(order, lines, outcome.refund);
  const records: Record<string, LineRecord> = {};
  for (const item of order.items) {
    const record = { ...lineRecord(order, item.productId) };
    const named = lines.some((line) => line.productId === item.productId);
    if (named && outcome.kind === 'decided') record.decidedBy = disputeId;
    if (named && outcome.kind === 'withdrawn') record.withdrawals += 1;
    record.refunded += shares.get(item.productId) ?? 0;
    records[item.productId] = record;
  }
  return { ...order, disputeLines: records };
}

const DECIDED = ['AGREED', 'RESOLVED'];

/** What a change leaves on its lines: the dispute got decided (agreed or arbitrated), withdrawn, or neither. */
function outcomeOf(before: { status: string } | null, after: { status: string }): LineOutcome['kind'] {
  if (!(before !== null && DECIDED.includes(before.status)) && DECIDED.includes(after.status)) return 'decided';
  if (before?.status !== 'CANCELLED' && after.status === 'CANCELLED') return 'withdrawn';
  return 'none';
}

/**
 * The order side of one dispute change, as one transition: the order mirrors the dispute's status, pays
 * the change's refund through escrow (REFUND, or REVERSAL then REFUND after completion), and records the
 * outcome and the refund on the disputed lines — computed from the order as read, so the refund is spread
 * over the room the lines had before it.
 */
export function orderAfterDispute(
  order: Order,
  before: { status: string } | null,
  after: { disputeId: string; status: string; lines: DisputeLine[] },
  refund: number | null,
  now: string,
): Transition {
  const moved = refund === null ? markDispute(order, after.disputeId, after.status, now) : refundThroughDispute(order, refund, after.status, `dispute ${after.disputeId}`, now);
  const recorded = recordLines(order, after.disputeId, linesOf(after, order), { kind: outcomeOf(before, after), refund: refund ?? 0 });
  return recorded === order ? moved : { ...moved, order: { ...moved.order, disputeLines: recorded.disputeLines } };
}
