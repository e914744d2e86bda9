/**
 * Listings. For now a valid listing is APPROVED as soon as it is saved; the listing-review worker
 * (DOMAIN.md "Listings and seller verification") will take over the decision.
 */
import { policy } from '../platform/config.js';
import type { Money } from './money.js';
import type { ListingSnapshot } from './orders.js';

/** What the API contract lists; a saved listing is APPROVED until the listing review (DOMAIN.md) decides. */
export const PRODUCT_STATUSES = ['PENDING_REVIEW', 'APPROVED', 'REJECTED', 'NEEDS_HUMAN'] as const;
export type ProductStatus = (typeof PRODUCT_STATUSES)[number];

export interface RatingSummary {
  count: number;
  sum: number;
  histogram: Record<'1' | '2' | '3' | '4' | '5', number>;
  withMedia: number;
}

export interface Product {
  productId: string;
  sellerId: string;
  title: string;
  description: string;
  price: Money;
  images: string[];
  category: string;
  guarantee: { returnable: boolean; returnWindowDays: number; protectionDays: number };
  handlingDays: number;
  status: ProductStatus;
  reviewReasons: { field: string; code: string; message: string }[];
  rating: RatingSummary;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface ListingInput {
  title: string;
  description: string;
  price: Money;
  images: string[];
  category: string;
  guarantee: { returnable: boolean; returnWindowDays?: number | undefined; protectionDays?: number | undefined };
  handlingDays?: number | undefined;
}

const emptyRating = (): RatingSummary => ({ count: 0, sum: 0, histogram: { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 }, withMedia: 0 });

function listingFields(input: ListingInput) {
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

export function createListing(productId: string, sellerId: string, input: ListingInput, now: string): Product {
  return {
    productId,
    sellerId,
    ...listingFields(input),
    status: 'APPROVED',
    reviewReasons: [],
    rating: emptyRating(),
    createdAt: now,
    updatedAt: now,
    version: 0,
  };
}

export function editListing(product: Product, input: ListingInput, now: string): Product {
  return { ...product, ...listingFields(input), status: 'APPROVED', reviewReasons: [], updatedAt: now, version: product.version + 1 };
}

export const snapshotOf = (product: Product): ListingSnapshot => ({
  productId: product.productId,
  sellerId: product.sellerId,
  title: product.title,
  price: product.price,
  status: product.status,
  handlingDays: product.handlingDays,
  guarantee: product.guarantee,
});

/** The listing as its viewer may see it: the owner and admins also see the review outcome. */
export function productView(product: Product, viewer: 'owner' | 'admin' | 'public') {
  const { rating, reviewReasons, version: _version, ...listing } = product;
  return {
    ...listing,
    ratingSummary: {
      count: rating.count,
      average: rating.count === 0 ? null : Math.round((rating.sum / rating.count) * 100) / 100,
      histogram: rating.histogram,
      withMedia: rating.withMedia,
    },
    ...(viewer !== 'public' && { review: { status: product.status, reasons: reviewReasons } }),
  };
}
