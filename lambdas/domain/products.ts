/**
 * Listings and their review (DOMAIN.md "Listings and seller verification"). A create or an edit is a
 * submission that starts PENDING_REVIEW; the listing-review worker (or an admin, for NEEDS_HUMAN) decides
 * it. The last approved version is kept apart from the submission: it stays what the public sees and
 * buyers order while an edit waits for its decision.
 */
import { policy } from '../platform/config.js';
import { DomainError } from './errors.js';
import type { ReviewOutcome, ReviewReason } from './listing-review.js';
import type { Money } from './money.js';
import type { ListingSnapshot } from './orders.js';

export const PRODUCT_STATUSES = ['PENDING_REVIEW', 'APPROVED', 'REJECTED', 'NEEDS_HUMAN'] as const;
export type ProductStatus = (typeof PRODUCT_STATUSES)[number];

export interface RatingSummary {
  count: number;
  sum: number;
  histogram: Record<'1' | '2' | '3' | '4' | '5', number>;
  withMedia: number;
}

/** A listing photo: the upload it came from and where its bytes are (the platform's copy once reviewed). */
export interface ListingImage {
  uploadId: string;
  key: string;
  contentType: string;
}

/** What a seller submits, and what an approval puts up. */
export interface ListingFields {
  title: string;
  description: string;
  price: Money;
  images: ListingImage[];
  category: string;
  guarantee: { returnable: boolean; returnWindowDays: number; protectionDays: number };
  handlingDays: number;
}

export interface ApprovedListing extends ListingFields {
  approvedAt: string;
}

export interface Product extends ListingFields {
  productId: string;
  sellerId: string;
  /** The review status of the latest submission (the fields above). */
  status: ProductStatus;
  reviewReasons: ReviewReason[];
  /** The admin who decided the latest submission; null when the worker did (or nobody yet). */
  reviewedBy: string | null;
  /** The version the public sees and buyers order; null until a submission is first approved. */
  approved: ApprovedListing | null;
  /** Rejections of this listing so far: the third and every later one costs penalty points. */
  rejections: number;
  rating: RatingSummary;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface ListingInput {
  title: string;
  description: string;
  price: Money;
  images: ListingImage[];
  category: string;
  guarantee: { returnable: boolean; returnWindowDays?: number | undefined; protectionDays?: number | undefined };
  handlingDays?: number | undefined;
}

const emptyRating = (): RatingSummary => ({ count: 0, sum: 0, histogram: { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 }, withMedia: 0 });

function listingFields(input: ListingInput): ListingFields {
  return {
    title: input.title,
    description: input.description,
    price: input.price,
    images: input.images,
    category: input.category,
    guarantee: {
      returnable: input.guarantee.returnable,
      // A non-returnable product has no return window, whatever was sent.
      returnWindowDays: input.guarantee.returnable ? (input.guarantee.returnWindowDays ?? policy.returnWindowDays) : 0,
      protectionDays: input.guarantee.protectionDays ?? policy.protectionDays,
    },
    handlingDays: input.handlingDays ?? policy.handlingDays,
  };
}

const fieldsOf = (product: ListingFields): ListingFields => ({
  title: product.title,
  description: product.description,
  price: product.price,
  images: product.images,
  category: product.category,
  guarantee: product.guarantee,
  handlingDays: product.handlingDays,
});

export function createListing(productId: string, sellerId: string, input: ListingInput, now: string): Product {
  return {
    productId,
    sellerId,
    ...listingFields(input),
    status: 'PENDING_REVIEW',
    reviewReasons: [],
    reviewedBy: null,
    approved: null,
    rejections: 0,
    rating: emptyRating(),
    createdAt: now,
    updatedAt: now,
    version: 0,
  };
}

/** An edit or a resubmission: reviewed again, while the approved version (if any) stays up. */
export function editListing(product: Product, input: ListingInput, now: string): Product {
  return { ...product, ...listingFields(input), status: 'PENDING_REVIEW', reviewReasons: [], reviewedBy: null, updatedAt: now, version: product.version + 1 };
}

/** Images the seller names again keep the platform copy already made of them. */
export const keepReviewedImages = (product: Product | undefined, images: readonly ListingImage[]): ListingImage[] => {
  const known = new Map([...(product?.approved?.images ?? []), ...(product?.images ?? [])].map((image) => [image.uploadId, image]));
  return images.map((image) => known.get(image.uploadId) ?? image);
};

/**
 * A review decision on the submission at `version`: approved puts it up (with its images as the
 * platform's copies), rejected counts towards penalties, NEEDS_HUMAN waits for an admin. Undefined when
 * the submission was replaced or decided meanwhile (a redelivered request).
 */
export function applyReview(
  product: Product,
  decision: { version: number; outcome: ReviewOutcome; reasons: ReviewReason[]; images: ListingImage[]; by: string | null },
  now: string,
): Product | undefined {
  if (product.version !== decision.version || product.status !== 'PENDING_REVIEW') return undefined;
  return decided(product, decision, now);
}

function decided(product: Product, decision: { outcome: ReviewOutcome; reasons: ReviewReason[]; images: ListingImage[]; by: string | null }, now: string): Product {
  const submitted = { ...product, images: decision.images };
  return {
    ...submitted,
    status: decision.outcome,
    reviewReasons: decision.reasons,
    reviewedBy: decision.by,
    approved: decision.outcome === 'APPROVED' ? { ...fieldsOf(submitted), approvedAt: now } : product.approved,
    rejections: product.rejections + (decision.outcome === 'REJECTED' ? 1 : 0),
    updatedAt: now,
    version: product.version + 1,
  };
}

/** An admin's decision on a listing the worker left to a person. */
export function decideByAdmin(product: Product, decision: { decision: 'APPROVE' | 'REJECT'; reasons?: string[] | undefined }, adminId: string, now: string): Product {
  if (product.status !== 'NEEDS_HUMAN') throw new DomainError('NOTHING_TO_DECIDE', `This listing is ${product.status}, not waiting for a person.`);
  const reasons = decision.reasons ?? [];
  if (decision.decision === 'REJECT' && reasons.length === 0) {
    throw new DomainError('VALIDATION_FAILED', 'A rejection says why, so the seller can fix it.', [{ path: 'body.reasons', message: 'at least one reason when rejecting' }]);
  }
  const outcome = decision.decision === 'APPROVE' ? 'APPROVED' : 'REJECTED';
  return decided(product, { outcome, reasons: reasons.map((message) => ({ field: 'listing', code: 'ADMIN_DECISION', message })), images: product.images, by: adminId }, now);
}

/** What an order copies: the approved version, whatever edit waits for review. */
export const snapshotOf = (product: Product): ListingSnapshot => {
  const live = product.approved ?? product;
  return {
    productId: product.productId,
    sellerId: product.sellerId,
    title: live.title,
    price: live.price,
    status: product.approved ? 'APPROVED' : product.status,
    handlingDays: live.handlingDays,
    guarantee: live.guarantee,
  };
};

export type ProductViewer = 'owner' | 'admin' | 'public';

/**
 * The listing as its viewer may see it: the public sees the approved version; the owner and admins see
 * the latest submission and its review outcome. Image links are made by the caller (`imageUrl`).
 */
export function productView(product: Product, viewer: ProductViewer, imageUrl: (image: ListingImage) => string | null) {
  const shown: ListingFields = viewer === 'public' && product.approved ? product.approved : product;
  const { rating } = product;
  return {
    productId: product.productId,
    sellerId: product.sellerId,
    ...fieldsOf(shown),
    images: shown.images.map((image) => ({ uploadId: image.uploadId, url: imageUrl(image) })),
    status: viewer === 'public' ? ('APPROVED' as const) : product.status,
    createdAt: product.createdAt,
    updatedAt: product.updatedAt,
    ratingSummary: {
      count: rating.count,
      average: rating.count === 0 ? null : Math.round((rating.sum / rating.count) * 100) / 100,
      histogram: rating.histogram,
      withMedia: rating.withMedia,
    },
    ...(viewer !== 'public' && {
      review: { status: product.status, reasons: product.reviewReasons, decidedBy: product.reviewedBy },
      approvedAt: product.approved?.approvedAt ?? null,
    }),
  };
}

/** Only a listing with an approved version exists for the public. */
export const isListed = (product: Product): boolean => product.approved !== null;
