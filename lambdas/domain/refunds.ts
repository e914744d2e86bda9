/**
 * Refund tracking (DOMAIN.md "Money and escrow"): REQUESTED → PROCESSING → COMPLETED (or FAILED), with
 * the date the buyer can expect the money: 15 business days after approval (seed 001: "7–15 business days").
 * The money itself left escrow when the refund was approved (a REFUND ledger entry); this record follows
 * the payment provider paying it out.
 */
import { policy } from '../platform/config.js';
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

export function requestRefund(input: Omit<Refund, 'status' | 'requestedAt' | 'expectedBy' | 'history' | 'updatedAt' | 'version'>, now: string): Refund {
  return { ...input, status: 'REQUESTED', requestedAt: now, expectedBy: addBusinessDays(now, policy.refundExpectedBusinessDays), history: [{ status: 'REQUESTED', at: now }], updatedAt: now, version: 0 };
}

/** How long the provider takes to settle a submitted refund before it is reported complete. */
export const SETTLEMENT_BUSINESS_DAYS = 1;

/** The refunds job's step: submit a requested refund, then complete it once settled. Null when done. */
export function advanceRefund(refund: Refund, now: string): { refund: Refund; nextCheckAt: string | null } | null {
  const move = (status: RefundStatus): Refund => ({ ...refund, status, history: [...refund.history, { status, at: now }], updatedAt: now, version: refund.version + 1 });
  switch (refund.status) {
    case 'REQUESTED':
      return { refund: move('PROCESSING'), nextCheckAt: addBusinessDays(now, SETTLEMENT_BUSINESS_DAYS) };
    case 'PROCESSING':
      return { refund: move('COMPLETED'), nextCheckAt: null };
    default:
      return null;
  }
}
