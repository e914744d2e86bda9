/**
 * Request bodies for tests and the benchmark: valid, and unique where the platform insists on it
 * (payment references, review texts). No test-runner imports, so scripts/bench can use them too.
 */
import { clock } from '../../lambdas/platform/clock.js';

let counter = 0;
const runId = `${process.pid.toString(36)}${Date.now().toString(36)}`;
/** Unique ids per run, so tests never see each other's data. */
export const uniqueId = (prefix: string): string => `${prefix}-${runId}-${++counter}`;

export const aListing = (overrides: Record<string, unknown> = {}) => ({
  title: 'Ceramic pour-over coffee dripper',
  description: 'Hand-glazed ceramic, fits standard #2 filters.',
  price: { amount: 2450, currency: 'USD' },
  // A well-formed upload id nobody uploaded: tests that need a listing up upload a real image (Api.sellerWithListing).
  images: ['upl_01ARZ3NDEKTSV4RRFFQ69G5FAV'],
  category: 'kitchen',
  guarantee: { returnable: true },
  ...overrides,
});

export const anAddress = () => ({ name: 'Jordan Buyer', line1: '1 Main St', city: 'Springfield', postalCode: '12345', country: 'US' });

/** One payment reference backs one order, so each order gets its own. */
export const anOrder = (productId: string, quantity = 1) => ({
  items: [{ productId, quantity }],
  shippingAddress: anAddress(),
  paymentReference: `pay_${uniqueId('ref')}`,
});

/** The first bytes of a real PNG: enough for moderation's type sniffing. */
export const PNG_BYTES = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89]);

const WORDS = ['sturdy', 'bright', 'quiet', 'compact', 'light', 'solid', 'handy', 'neat', 'smooth', 'warm', 'crisp', 'tidy'];
let reviews = 0;
/**
 * A text no other review of this process repeats (moderation rejects a copy of a published text), made
 * of words only: digits read as look-alike letters ("455" as "ass") and long numbers as phone numbers.
 */
export function reviewText(): string {
  const n = ++reviews;
  const words = [0, 1, 2, 3].map((position) => WORDS[Math.floor(n / WORDS.length ** position) % WORDS.length]);
  return `Arrived quickly and works exactly as described: ${words.join(', ')}.`;
}

export const aReview = (productId: string, overrides: Record<string, unknown> = {}) => ({
  productId,
  rating: 5,
  text: reviewText(),
  media: [],
  sellerRatings: { itemAsDescribed: 5, communication: 4, shippingSpeed: 5 },
  ...overrides,
});

/**
 * By default the estimate is 30 days after the platform clock's now (which tests move): in its future, within
 * the 90-day bound. Each shipment gets its own tracking number: one number names one parcel.
 */
export const aShipment = (estimatedDeliveryAt?: string) => ({
  carrier: 'UPS',
  trackingNumber: aTrackingNumber('1Z'),
  estimatedDeliveryAt: estimatedDeliveryAt ?? new Date(clock.now().getTime() + 30 * 24 * 3600 * 1000).toISOString(),
});

/** A tracking number no other test uses (the carrier webhook matches shipments by it). */
export const aTrackingNumber = (prefix = 'TRK'): string => `${prefix}${uniqueId('').replace(/[^A-Za-z0-9]/g, '').toUpperCase()}`;

export const usd = (amount: number) => ({ amount, currency: 'USD' });
/** A DAMAGED dispute asking a refund of `amount` cents, and the seller's plain acceptance of it. */
export const aRefundDispute = (amount: number) => ({ reason: 'DAMAGED', request: { type: 'REFUND', amount: usd(amount) }, description: 'The lid arrived cracked in two places.', evidence: [] });
export const ACCEPT = { action: 'ACCEPT', message: 'Sorry about that, refund approved.', evidence: [] };
