/**
 * Listings: a seller's submissions (create, edit), what each viewer sees of a listing, and the admins'
 * queue of listings the automated review left to a person (services/listing-review.ts decides the rest).
 */
import { DomainError, notFound } from '../domain/errors.js';
import { isRestricted, type Standing } from '../domain/penalties.js';
import { createListing, decideByAdmin, editListing, isListed, keepReviewedImages, productView, type ListingImage, type ListingInput, type Product, type ProductViewer } from '../domain/products.js';
import type { Principal } from '../platform/auth.js';
import { clock } from '../platform/clock.js';
import { decodeCursor, encodeCursor } from '../platform/cursor.js';
import { newId } from '../platform/ids.js';
import { isOwnedKey, presignDownload } from '../store/files.js';
import { getStanding, sellerMayList } from '../store/penalties.js';
import { getListing, getProduct, listingEdit, listNeedsHuman, listSellerProducts, newListing } from '../store/products.js';
import { claimUploads } from '../store/uploads.js';
import { getVerification, sellerVerified } from '../store/verification.js';
import { runCommand } from './command.js';
import { listingDecided, listingReviewOutbox, listingReviewRequest } from './listing-review.js';
import { restrictedError } from './penalties.js';
import { claimRefusals, resolveUploads } from './uploads.js';

/** A listing as the body names it: images are upload ids. */
export type ListingBody = Omit<ListingInput, 'images'> & { images: string[] };

const NOT_VERIFIED = new DomainError('SELLER_NOT_VERIFIED', 'Only sellers with a verified identity list products: submit POST /v1/sellers/me/verification and wait for the decision.');

/** Links to the platform's copies of a listing's images; photos not reviewed yet have none. */
async function withImageLinks(products: readonly Product[], viewer: (product: Product) => ProductViewer) {
  const keys = products.flatMap((product) => [...product.images, ...(product.approved?.images ?? [])]).filter((image) => isOwnedKey(image.key));
  const links = new Map(await Promise.all(keys.map(async (image) => [image.key, await presignDownload(image.key)] as const)));
  return products.map((product) => productView(product, viewer(product), (image: ListingImage) => links.get(image.key) ?? null));
}

const viewOne = async (product: Product, viewer: ProductViewer) => (await withImageLinks([product], () => viewer))[0] as ReturnType<typeof productView>;

/** The upload records of the images a body names; their bytes are checked by the listing review. */
const imagesOf = (seller: Principal, body: ListingBody, productId: string): Promise<ListingImage[]> => resolveUploads(seller.userId, body.images, 'listing-image', 'body.images', productId);

/** Penalty restrictions on new listings: NO_NEW_LISTINGS for its days, or a closed store. */
function listingRestriction(standing: Standing | undefined): DomainError | undefined {
  const restriction = isRestricted(standing, 'NO_NEW_LISTINGS', clock.nowIso());
  return restriction && restrictedError('You cannot create new listings', restriction.until);
}

/** A store hidden (or closed) by penalties is out of the public lists. */
async function hiddenFromLists(sellerId: string): Promise<boolean> {
  return !!isRestricted(await getStanding(sellerId), 'HIDDEN', clock.nowIso());
}

export async function createMyListing(seller: Principal, body: ListingBody) {
  // The transaction's guards decide a race with a decision; this answers the common cases before any work.
  const [verification, standing] = await Promise.all([getVerification(seller.userId), getStanding(seller.userId)]);
  if (verification?.status !== 'APPROVED') throw NOT_VERIFIED;
  const restricted = listingRestriction(standing);
  if (restricted) throw restricted;
  const productId = newId('prd');
  const product = await runCommand({
    subject: 'listing',
    load: async () => undefined,
    decide: async (_nothing, now) => {
      const created = createListing(productId, seller.userId, { ...body, images: await imagesOf(seller, body, productId) }, now);
      const review = listingReviewOutbox.send(listingReviewRequest(created), now);
      return { writes: [...newListing(created), sellerVerified(seller.userId), sellerMayList(seller.userId, now), ...claimUploads(body.images, productId), review.write], result: created, afterCommit: [review.afterCommit] };
    },
    refusals: {
      shopExists: new DomainError('SELLER_PROFILE_REQUIRED', 'Create your shop profile (PUT /v1/sellers/me) before listing products.'),
      sellerVerified: NOT_VERIFIED,
      sellerMayList: async () => listingRestriction(await getStanding(seller.userId)) ?? 'retry',
      ...claimRefusals(body.images, productId, 'body.images', []),
    },
  });
  return viewOne(product, 'owner');
}

export async function editMyListing(seller: Principal, productId: string, body: ListingBody) {
  const edited = await runCommand({
    subject: 'listing',
    load: async () => {
      const current = await getProduct(productId);
      if (!current || current.sellerId !== seller.userId) throw notFound('Product', productId);
      return current;
    },
    decide: async (current, now) => {
      const next = editListing(current, { ...body, images: keepReviewedImages(current, await imagesOf(seller, body, productId)) }, now);
      const review = listingReviewOutbox.send(listingReviewRequest(next), now);
      return { writes: [listingEdit(next, current.version), ...claimUploads(body.images, productId), review.write], result: next, afterCommit: [review.afterCommit] };
    },
    refusals: claimRefusals(body.images, productId, 'body.images', ['productVersion']),
    // An edit replaces every listing field: applied over another edit made meanwhile, it would undo it
    // unseen, so the seller reloads instead.
    maxAttempts: 1,
  });
  return viewOne(edited, 'owner');
}

const viewerOf = (principal: Principal | undefined, sellerId: string): ProductViewer =>
  principal?.roles.includes('admin') ? 'admin' : principal?.roles.includes('seller') && principal.userId === sellerId ? 'owner' : 'public';

/**
 * One Query: the listing, its rating shards and, if its store is closed, the closure's mark (written onto
 * each listing by the closure, docs/decisions/025-store-closure.md), so the public read needs no
 * look at the seller's standing.
 */
export async function viewListing(principal: Principal | undefined, productId: string) {
  const found = await getListing(productId);
  const viewer = found && viewerOf(principal, found.product.sellerId);
  // A listing never approved exists only for its owner and admins; a closed store's listings are gone from public view.
  if (!found || !viewer || (viewer === 'public' && (!isListed(found.product) || found.storeClosedAt !== null))) throw notFound('Product', productId);
  return viewOne(found.product, viewer);
}

export async function listShopListings(principal: Principal | undefined, sellerId: string, query: { limit: number; cursor?: string | undefined }) {
  const viewer = viewerOf(principal, sellerId);
  if (viewer === 'public' && (await hiddenFromLists(sellerId))) return { items: [], nextCursor: null };
  const scope = viewer === 'public' ? 'listed' : 'all';
  const cursorScope = `products:${sellerId}:${scope}`;
  const { products, lastKey } = await listSellerProducts(sellerId, scope, query.limit, decodeCursor(query.cursor, cursorScope));
  return { items: await withImageLinks(products, () => viewer), nextCursor: encodeCursor(lastKey, cursorScope) };
}

export async function listingsForReview(query: { limit: number; cursor?: string | undefined }) {
  const scope = 'products:NEEDS_HUMAN';
  const { products, lastKey } = await listNeedsHuman(query.limit, decodeCursor(query.cursor, scope));
  return { items: await withImageLinks(products, () => 'admin'), nextCursor: encodeCursor(lastKey, scope) };
}

export async function decideListing(admin: Principal, productId: string, decision: { decision: 'APPROVE' | 'REJECT'; reasons?: string[] | undefined }) {
  const decided = await runCommand({
    subject: 'listing',
    load: async () => {
      const current = await getProduct(productId);
      if (!current) throw notFound('Product', productId);
      return current;
    },
    decide: async (current, now) => {
      const next = decideByAdmin(current, decision, admin.userId, now);
      const decided = await listingDecided(current, next, now);
      return { writes: [listingEdit(next, current.version), ...decided.writes], result: next, afterCommit: decided.afterCommit };
    },
  });
  return viewOne(decided, 'admin');
}
