/**
 * The listing review: the listing-review queue's worker decides each submission (DOMAIN.md "Listings and
 * seller verification"), and the outbox makes sure every submission is eventually delivered to it.
 *
 * A create or an edit writes a LISTING_REVIEW outbox timer in its own transaction and sends the request
 * after it commits; the timer re-sends it if it is still undecided later (services/outbox.ts). Deciding
 * is one command that also removes the timer and bumps the listing's version, so a redelivered or
 * re-sent request finds nothing to decide ('stale').
 */
import * as z from 'zod/mini';
import { reviewListing } from '../domain/listing-review.js';
import { listingNotifications } from '../domain/notification-texts.js';
import { applyReview, type ListingImage, type Product } from '../domain/products.js';
import { listingRules } from '../platform/listing-rules.js';
import { logger } from '../platform/logger.js';
import { getProduct, listingEdit } from '../store/products.js';
import { cancelTimer, type Timer } from '../store/timers.js';
import type { Write } from '../store/transactions.js';
import { runCommand, type AfterCommit, type Decision } from './command.js';
import { notify } from './notifications.js';
import { outbox } from './outbox.js';
import { rejectionPenaltyWrites } from './penalties.js';
import { pinUpload } from './uploads.js';

export const ListingReviewRequest = z.object({ productId: z.string(), version: z.int() });
export type ListingReviewRequest = z.infer<typeof ListingReviewRequest>;

export const listingReviewRequest = (product: Product): ListingReviewRequest => ({ productId: product.productId, version: product.version });

const stillWaiting = (product: Product | undefined, request: ListingReviewRequest): boolean => !!product && product.version === request.version && product.status === 'PENDING_REVIEW';

/**
 * "Send now, retry by timer" for review requests; one timer per listing, replaced by a newer submission.
 * Pure: the worker, which only decides, leaves it (and the queue client) out of its bundle.
 */
export const listingReviewOutbox = /* @__PURE__ */ outbox<ListingReviewRequest>({
  kind: 'LISTING_REVIEW',
  queue: 'listingReview',
  message: ListingReviewRequest,
  entityId: (request) => request.productId,
  stillWaiting: async (request) => stillWaiting(await getProduct(request.productId), request),
});

/** The outbox timer fired: re-send a request still waiting, a few times, then leave it to the DLQ alarm. */
export const retryListingReview = (timer: Timer): Promise<void> => listingReviewOutbox.retry(timer);

/** Written with a decision: the request is answered. */
export const reviewAnswered = (productId: string) => cancelTimer('LISTING_REVIEW', productId);

interface Pinned {
  product: Product;
  images: ListingImage[];
  findings: Awaited<ReturnType<typeof pinUpload>>['findings'][];
}

/**
 * The submission's images as the platform's checked copies (services/uploads.ts `pinUpload`): copied out
 * of incoming/ (which the seller's form could still overwrite) and checked by their bytes; a copy made for
 * an earlier submission is only checked again.
 */
async function pinned(request: ListingReviewRequest): Promise<Pinned | undefined> {
  const product = await getProduct(request.productId);
  if (!product || !stillWaiting(product, request)) return undefined;
  const pins = await Promise.all(product.images.map(async (image) => ({ image, ...(await pinUpload(image, 'listing-image')) })));
  return { product, images: pins.map(({ image, key }) => ({ ...image, key })), findings: pins.map(({ findings }) => findings) };
}

/**
 * What a listing's decision writes besides the listing, whoever decided (this review or an admin): the
 * seller told of it, and the points a repeated rejection costs (with their own notifications).
 */
export async function listingDecided(before: Product, after: Product, now: string): Promise<{ writes: Write[]; afterCommit: AfterCommit[] }> {
  const told = notify(listingNotifications(before, after), now);
  const penalty = await rejectionPenaltyWrites(before, after, now);
  return { writes: [...told.writes, ...penalty.writes], afterCommit: [...told.afterCommit, ...penalty.afterCommit] };
}

export type ReviewRequestOutcome = 'decided' | 'stale';
const stale: Decision<ReviewRequestOutcome> = { writes: [], result: 'stale' };

/** Decides one request; a request no longer waiting (decided, or replaced by a newer edit) is 'stale'. */
export function reviewSubmission(request: ListingReviewRequest): Promise<ReviewRequestOutcome> {
  return runCommand({
    subject: 'listing',
    load: () => pinned(request),
    decide: async (loaded, now): Promise<Decision<ReviewRequestOutcome>> => {
      if (!loaded) return stale;
      const { product, images, findings } = loaded;
      const { outcome, reasons } = reviewListing({ ...product, imageCount: images.length }, findings, listingRules);
      const next = applyReview(product, { version: request.version, outcome, reasons, images, by: null }, now);
      if (!next) return stale;
      const decided = await listingDecided(product, next, now);
      return {
        writes: [listingEdit(next, product.version), reviewAnswered(product.productId), ...decided.writes],
        result: 'decided',
        afterCommit: [() => logger.info('Listing reviewed', { productId: product.productId, version: request.version, outcome, reasons: reasons.map((reason) => `${reason.field}:${reason.code}`) }), ...decided.afterCommit],
      };
    },
  });
}
