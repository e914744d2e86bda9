/**
 * Refund tracking (DOMAIN.md "Money and escrow"): REQUESTED → PROCESSING → COMPLETED | FAILED, with
 * the date the buyer can expect the money: 15 business days after approval (seed 001: "7–15 business days").
 * The money itself left escrow when the refund was approved (a REFUND ledger entry); this record follows
 * the payment provider paying it out: attempts, retries with backoff, FAILED into the admins' queue.
 */
import { policy } from '../platform/config.js';
import { DomainError } from './errors.js';
import type { Money } from './money.js';

export const REFUND_STATUSES = ['REQUESTED', 'PROCESSING', 'COMPLETED', 'FAILED'] as const;
export type RefundStatus = (typeof REFUND_STATUSES)[number];

export interface Refund {
  refundId: string;
  orderId: string;
  /** The dispute that decided the refund; null for a cancellation's refund of everything held. */
  disputeId: string | null;
  buyerId: string;
  sellerId: string;
  amount: Money;
  paymentReference: string;
  status: RefundStatus;
  requestedAt: string;
  expectedBy: string;
  /** Attempts to have the provider pay it, failed or not. */
  attempts: number;
  /** The attempt after which a failure makes the refund FAILED (each admin retry allows another round). */
  attemptLimit: number;
  /** The provider's id once it accepted the refund; null while none was accepted. */
  providerRefundId: string | null;
  /** Why the last attempt failed, for the admins' queue. */
  lastFailure: string | null;
  /** Set when an admin paid it outside the provider (`markPaid`): who, and the payment's reference. */
  paidManually: { reference: string; by: string } | null;
  /**
   * What a chargeback won by the buyer already paid of this refund (the bank returned that money itself):
   * the provider is asked for the rest only. Null while no chargeback covered any of it.
   */
  chargebackOffset: { chargebackId: string; amount: number } | null;
  history: { status: RefundStatus; at: string }[];
  updatedAt: string;
  version: number;
}

/** Adds business days (Monday–Friday, UTC); bank holidays vary by country and are not modelled. */
export function addBusinessDays(iso: string, days: number): string {
  const date = new Date(iso);
  for (let added = 0; added < days; ) {
    date.setUTCDate(date.getUTCDate() + 1);
    const weekday = date.getUTCDay();
    if (weekday !== 0 && weekday !== 6) added++;
  }
  return date.toISOString();
}

/** DOMAIN.md: up to 4 attempts in all, then FAILED. */
export const MAX_ATTEMPTS = 4;

const HOUR = 60 * 60 * 1000;
/** The wait after a failed attempt: 1 hour, then 4, then 16 (the provider's outage, not the buyer's fault). */
export const retryDelayMs = (failedAttempts: number): number => HOUR * 4 ** (failedAttempts - 1);

export function requestRefund(
  input: Omit<Refund, 'status' | 'requestedAt' | 'expectedBy' | 'attempts' | 'attemptLimit' | 'providerRefundId' | 'lastFailure' | 'paidManually' | 'chargebackOffset' | 'history' | 'updatedAt' | 'version'>,
  now: string,
): Refund {
  return {
    ...input,
    status: 'REQUESTED',
    requestedAt: now,
    expectedBy: addBusinessDays(now, policy.refundExpectedBusinessDays),
    attempts: 0,
    attemptLimit: MAX_ATTEMPTS,
    providerRefundId: null,
    lastFailure: null,
    paidManually: null,
    chargebackOffset: null,
    history: [{ status: 'REQUESTED', at: now }],
    updatedAt: now,
    version: 0,
  };
}

/** How long the provider takes to settle a submitted refund before it is reported complete. */
export const SETTLEMENT_BUSINESS_DAYS = 1;

/** What the refunds job does next with a refund: ask the provider to pay it, ask whether it settled, or nothing. */
export function nextRefundStep(refund: Refund): 'attempt' | 'check' | null {
  if (refund.status === 'COMPLETED' || refund.status === 'FAILED') return null;
  return refund.providerRefundId === null ? 'attempt' : 'check';
}

type Outcome = { refund: Refund; nextCheckAt: string | null };

function moved(refund: Refund, status: RefundStatus, now: string, changes: Partial<Refund>): Refund {
  const history = status === refund.status ? refund.history : [...refund.history, { status, at: now }];
  return { ...refund, ...changes, status, history, updatedAt: now, version: refund.version + 1 };
}

/** A failed attempt: tried again after a growing wait, or FAILED (into the admins' queue) once the round is used up. */
function failed(refund: Refund, attempts: number, reason: string, now: string): Outcome {
  const changes = { attempts, providerRefundId: null, lastFailure: reason };
  if (attempts >= refund.attemptLimit) return { refund: moved(refund, 'FAILED', now, changes), nextCheckAt: null };
  const failuresThisRound = attempts - (refund.attemptLimit - MAX_ATTEMPTS);
  return { refund: moved(refund, 'PROCESSING', now, changes), nextCheckAt: new Date(Date.parse(now) + retryDelayMs(failuresThisRound)).toISOString() };
}

/** What the provider is asked to pay: the refund less what a chargeback already paid of it. */
export const owedByProvider = (refund: Refund): Money => ({ ...refund.amount, amount: refund.amount.amount - (refund.chargebackOffset?.amount ?? 0) });

/**
 * A refund not yet paid when the buyer's bank returned money itself (a chargeback won by the buyer,
 * domain/chargebacks.ts). What the bank paid beyond what escrow counted as refunded by the chargeback
 * (`amount − refunded`) went to money the ledger had already refunded but nobody had paid yet: it is this
 * refund's offset, and only the rest is still owed. Fully covered: COMPLETED, by the chargeback. Null
 * when the chargeback covers none of it (already offset, requested after the bank decided, or nothing
 * left over). Known limit: several refunds of one order unpaid at the bank's decision each see the
 * whole leftover (no refund-by-order index to share it); decision 028.
 */
export function offsetByChargeback(refund: Refund, chargeback: { chargebackId: string; amount: number; refunded: number; closedAt: string | null }, now: string): Refund | null {
  if (refund.chargebackOffset || refund.requestedAt > (chargeback.closedAt ?? now)) return null;
  const offset = Math.min(refund.amount.amount, chargeback.amount - chargeback.refunded);
  if (offset <= 0) return null;
  const chargebackOffset = { chargebackId: chargeback.chargebackId, amount: offset };
  if (offset === refund.amount.amount) return moved(refund, 'COMPLETED', now, { chargebackOffset, lastFailure: null });
  // The rest is paid by the attempt that follows; the version moves with that attempt's write.
  return { ...refund, chargebackOffset };
}

/** After an attempt: the provider took it (check back once it should have settled), or refused it. */
export function afterAttempt(refund: Refund, attempt: { outcome: 'submitted'; providerRefundId: string } | { outcome: 'failed'; reason: string }, now: string): Outcome {
  const attempts = refund.attempts + 1;
  if (attempt.outcome === 'failed') return failed(refund, attempts, attempt.reason, now);
  return { refund: moved(refund, 'PROCESSING', now, { attempts, providerRefundId: attempt.providerRefundId, lastFailure: null }), nextCheckAt: addBusinessDays(now, SETTLEMENT_BUSINESS_DAYS) };
}

/** After asking whether a submitted refund settled. A refund the provider failed later counts as a failed attempt. */
export function afterCheck(refund: Refund, settlement: 'settled' | 'pending' | 'failed', now: string): Outcome {
  if (settlement === 'settled') return { refund: moved(refund, 'COMPLETED', now, {}), nextCheckAt: null };
  if (settlement === 'failed') return failed(refund, refund.attempts, 'the provider reported the refund failed', now);
  return { refund, nextCheckAt: addBusinessDays(now, SETTLEMENT_BUSINESS_DAYS) };
}

/**
 * An admin's answer to a FAILED refund: another round of attempts (PROCESSING, due now), or `markPaid`
 * with the reference of a payment made by hand (COMPLETED). The ledger is not touched: the money left
 * escrow when the refund was approved.
 */
export function retryFailedRefund(refund: Refund, action: { markPaid: true; reference: string; by: string } | { markPaid: false }, now: string): Refund {
  if (refund.status !== 'FAILED') throw new DomainError('REFUND_NOT_FAILED', `Refund ${refund.refundId} is ${refund.status}; only a FAILED refund is retried or marked paid.`);
  if (action.markPaid) return moved(refund, 'COMPLETED', now, { paidManually: { reference: action.reference, by: action.by } });
  return moved(refund, 'PROCESSING', now, { attemptLimit: refund.attempts + MAX_ATTEMPTS, lastFailure: refund.lastFailure });
}
