/**
 * Listings in the single table: the listing (latest submission, approved version) indexed by seller (every
 * listing, for the owner), sparsely by seller for listings with an approved version (the public view), and
 * sparsely for the admins' NEEDS_HUMAN queue; next to it in its partition the write-sharded rating summary
 * (`RATING#<shard>`, store/sharded-counter.ts) and, once its store is closed, the closure's mark
 * (`PRODUCT#CLOSED`), so a public read needs that partition alone. The keys are in the entity
 * definitions below; docs/architecture.md lists them.
 */
import * as z from 'zod/mini';
import { PRODUCT_STATUSES, type Product } from '../domain/products.js';
import type { RatingDelta } from '../domain/reviews.js';
import { batchGetItems } from './batch.js';
import { defineEntity, MoneySchema, nullableString, schemaOf } from './entity.js';
import { indexPage, partitionItems } from './reads.js';
import { shopExists } from './sellers.js';
import { shardedCounter, type Counts } from './sharded-counter.js';
import { conditionCheck, guarded, put, putNew, update, type Guarded, type TransactItem, type Write } from './transactions.js';

declare module './transactions.js' {
  interface Guards {
    /** A listing an order names is still approved and at the version whose price the order shows. */
    listingUnchanged: true;
    /** The listing is still at the version the edit was decided on. */
    productVersion: true;
  }
}

/**
 * The rating summary is stored as flat counters so that review publications can ADD to them in their
 * own transactions without reading the listing. Publications ADD to the summary's shards; the same
 * counters on the listing item are what publications added there before the shards (0 on listings
 * created since) and are summed with the shards on every read (docs/decisions/021-hot-counters.md).
 */
const RATING_COUNTERS = ['ratingCount', 'ratingSum', 'ratingH1', 'ratingH2', 'ratingH3', 'ratingH4', 'ratingH5', 'ratingWithMedia'] as const;
type RatingCounter = (typeof RATING_COUNTERS)[number];
type ProductRecord = Omit<Product, 'rating'> & Record<RatingCounter, number>;

const counter = () => z._default(z.number(), 0);

const ImageSchema = z.object({ uploadId: z.string(), key: z.string(), contentType: z.string() });
const GuaranteeSchema = z.object({ returnable: z.boolean(), returnWindowDays: z.int(), protectionDays: z.int() });
/** What a seller submits, stored twice: the latest submission and the approved version buyers see. */
const listingFields = {
  title: z.string(),
  description: z.string(),
  price: MoneySchema,
  images: z.array(ImageSchema),
  category: z.string(),
  guarantee: GuaranteeSchema,
  handlingDays: z.int(),
};
const ApprovedSchema = z.object({ ...listingFields, approvedAt: z.string() });

const NEEDS_HUMAN_QUEUE = 'LISTINGS#NEEDS_HUMAN';

export const productEntity = defineEntity({
  name: 'product',
  schema: schemaOf<ProductRecord>()(
    z.object({
      productId: z.string(),
      sellerId: z.string(),
      ...listingFields,
      status: z.enum(PRODUCT_STATUSES),
      reviewReasons: z.array(z.object({ field: z.string(), code: z.string(), message: z.string() })),
      reviewedBy: z._default(nullableString, null),
      approved: z._default(z.nullable(ApprovedSchema), null),
      rejections: counter(),
      createdAt: z.string(),
      updatedAt: z.string(),
      version: z.int(),
      ratingCount: counter(),
      ratingSum: counter(),
      ratingH1: counter(),
      ratingH2: counter(),
      ratingH3: counter(),
      ratingH4: counter(),
      ratingH5: counter(),
      ratingWithMedia: counter(),
    }),
  ),
  patterns: {
    PK: 'PRODUCT#<productId>',
    SK: 'PRODUCT',
    GSI1: 'SELLER#<sellerId>#PRODUCTS / <createdAt>#<productId>',
    GSI2: 'SELLER#<sellerId>#LISTED / <createdAt>#<productId>',
    GSI3: 'LISTINGS#NEEDS_HUMAN / <updatedAt>#<productId>',
  },
  key: ({ productId }: { productId: string }) => ({ PK: `PRODUCT#${productId}`, SK: 'PRODUCT' }),
  indexes: (product) => {
    const sortKey = `${product.createdAt}#${product.productId}`;
    return {
      GSI1PK: `SELLER#${product.sellerId}#PRODUCTS`,
      GSI1SK: sortKey,
      // Only listings with an approved version are in the public index (sparse).
      ...(product.approved && { GSI2PK: `SELLER#${product.sellerId}#LISTED`, GSI2SK: sortKey }),
      // Only submissions waiting for a person are in the admins' queue (sparse).
      ...(product.status === 'NEEDS_HUMAN' && { GSI3PK: NEEDS_HUMAN_QUEUE, GSI3SK: `${product.updatedAt}#${product.productId}` }),
    };
  },
});

/** The rating summary's shards: a burst of publications on one product spreads over them (docs/scale.md). */
export const ratingShards = shardedCounter<RatingCounter, { productId: string }>({
  name: 'ratingShard',
  fields: RATING_COUNTERS,
  patterns: { PK: 'PRODUCT#<productId>', SK: 'RATING#<shard:2>' },
  partition: ({ productId }) => `PRODUCT#${productId}`,
  prefix: () => 'RATING',
});

/**
 * A closed store's mark on each of its listings (docs/decisions/025-store-closure.md): written with
 * the closure for the store's first listings and by its STORE_CLOSURE timer for all of them, so a public
 * read of the listing learns of the closure from the listing's own partition. It sorts between the
 * listing and its rating shards, inside the one Query `getListing` makes. Closure is final: never removed.
 */
export const storeClosedMarkEntity = defineEntity({
  name: 'storeClosedMark',
  schema: z.object({ productId: z.string(), sellerId: z.string(), closedAt: z.string() }),
  patterns: { PK: 'PRODUCT#<productId>', SK: 'PRODUCT#CLOSED' },
  key: ({ productId }: { productId: string }) => ({ PK: `PRODUCT#${productId}`, SK: 'PRODUCT#CLOSED' }),
});

/** Marks a listing of a closed store; unconditional, so writing it again changes nothing. */
export const storeClosedMark = (mark: { productId: string; sellerId: string; closedAt: string }): TransactItem => put(storeClosedMarkEntity.item(mark));

function toRecord(product: Product): ProductRecord {
  const { rating, ...listing } = product;
  const { histogram: h } = rating;
  return { ...listing, ratingCount: rating.count, ratingSum: rating.sum, ratingH1: h[1], ratingH2: h[2], ratingH3: h[3], ratingH4: h[4], ratingH5: h[5], ratingWithMedia: rating.withMedia };
}

/** The listing from its item, its rating summary the listing's own counters plus the given shard items. */
function productWithShards(item: Record<string, unknown>, shards: readonly Record<string, unknown>[]): Product {
  const { ratingCount, ratingSum, ratingH1, ratingH2, ratingH3, ratingH4, ratingH5, ratingWithMedia, ...listing } = productEntity.parse(item);
  const own: Counts<RatingCounter> = { ratingCount, ratingSum, ratingH1, ratingH2, ratingH3, ratingH4, ratingH5, ratingWithMedia };
  const sharded = ratingShards.sum(shards);
  const total = Object.fromEntries(RATING_COUNTERS.map((field) => [field, own[field] + sharded[field]])) as Counts<RatingCounter>;
  return { ...listing, rating: { count: total.ratingCount, sum: total.ratingSum, histogram: { 1: total.ratingH1, 2: total.ratingH2, 3: total.ratingH3, 4: total.ratingH4, 5: total.ratingH5 }, withMedia: total.ratingWithMedia } };
}

/**
 * The listing from its item alone: its rating summary lacks the shards. Only order placement reads
 * listings this way (for their price and version), and it does not show the summary.
 */
export const productFromItem = (item: Record<string, unknown>): Product => productWithShards(item, []);

export const productKey = (productId: string) => productEntity.key({ productId });

/**
 * Adds a review's publication change to the rating summary: to the shard of the review, so a later
 * change of the same review (a revision replacing it, an unpublication) subtracts from the item its
 * contribution was added to. No condition and no listing write: publications neither conflict with
 * each other on one item nor with listing edits.
 */
export function addToRating(productId: string, reviewId: string, delta: RatingDelta): TransactItem[] {
  const h = delta.histogram;
  return ratingShards.add({ productId }, reviewId, {
    ratingCount: delta.count,
    ratingSum: delta.sum,
    ratingH1: h[1],
    ratingH2: h[2],
    ratingH3: h[3],
    ratingH4: h[4],
    ratingH5: h[5],
    ratingWithMedia: delta.withMedia,
  });
}

/** A new listing, written only if its seller has a shop (the caller adds the verification and restriction checks). */
export const newListing = (product: Product): Write[] => [shopExists(product.sellerId), putNew(productEntity.item(toRecord(product)))];

/** The listing fields an edit or a review decision replaces; the listing's own (pre-shard) rating counters are never written after its creation. */
const EDITED = ['title', 'description', 'price', 'images', 'category', 'guarantee', 'handlingDays', 'status', 'reviewReasons', 'reviewedBy', 'approved', 'rejections', 'updatedAt', 'version'] as const satisfies readonly (keyof Product)[];
/** The sparse indexes a change moves the listing in or out of. */
const SPARSE = ['GSI2', 'GSI3'] as const;

/** Saves an edit or a review decision over the listing read at `previousVersion`, moving it in or out of the sparse indexes. */
export function listingEdit(product: Product, previousVersion: number): Guarded {
  const indexes: Record<string, string | undefined> = productEntity.indexes(toRecord(product));
  const names = Object.fromEntries(EDITED.map((field, index) => [`#f${index}`, field]));
  const values: Record<string, unknown> = Object.fromEntries(EDITED.map((field, index) => [`:f${index}`, product[field]]));
  const sets = EDITED.map((_, index) => `#f${index} = :f${index}`);
  const removes: string[] = [];
  for (const gsi of SPARSE) {
    const [pk, sk] = [indexes[`${gsi}PK`], indexes[`${gsi}SK`]];
    if (pk && sk) {
      sets.push(`${gsi}PK = :${gsi}pk`, `${gsi}SK = :${gsi}sk`);
      Object.assign(values, { [`:${gsi}pk`]: pk, [`:${gsi}sk`]: sk });
    } else removes.push(`${gsi}PK`, `${gsi}SK`);
  }
  const expression = `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`;
  return guarded('productVersion', update(productKey(product.productId), expression, names, values, { expression: 'version = :previous', values: { ':previous': previousVersion } }));
}

/** The admins' queue of listings waiting for a person, oldest first. */
export async function listNeedsHuman(limit: number, startKey?: Record<string, unknown>) {
  const { items, lastKey } = await indexPage({ index: 'GSI3', partition: NEEDS_HUMAN_QUEUE, limit, startKey, oldestFirst: true });
  return { products: items.map(productFromItem), lastKey };
}

/**
 * The listing with its rating summary and, if its store is closed, when, in one Query: `PRODUCT` sorts
 * just before the closure's mark and the `RATING#` shards.
 */
export async function getListing(productId: string): Promise<{ product: Product; storeClosedAt: string | null } | undefined> {
  const key = productKey(productId);
  const { to } = ratingShards.range({ productId });
  const items = await partitionItems(key.PK, { from: key.SK, to });
  const listing = items.find((item) => item.SK === key.SK);
  if (!listing) return undefined;
  const mark = items.find((item) => item.SK === storeClosedMarkEntity.key({ productId }).SK);
  return { product: productWithShards(listing, items.filter((item) => ratingShards.isShard({ productId }, item))), storeClosedAt: mark ? storeClosedMarkEntity.parse(mark).closedAt : null };
}

export const getProduct = async (productId: string): Promise<Product | undefined> => (await getListing(productId))?.product;

/** A page of a seller's listings (every status), newest first: what the closure marks. */
export async function sellerListingIds(sellerId: string, limit: number, startKey?: Record<string, unknown>): Promise<{ productIds: string[]; lastKey: Record<string, unknown> | undefined }> {
  const { items, lastKey } = await indexPage({ index: 'GSI1', partition: `SELLER#${sellerId}#PRODUCTS`, limit, startKey });
  return { productIds: items.map((item) => productEntity.parse(item).productId), lastKey };
}

/**
 * The rating shards of a page of listings in one BatchGetItem per 100 keys (sent together), not a Query
 * per listing (docs/decisions/021-hot-counters.md).
 */
async function withRatings(items: readonly Record<string, unknown>[]): Promise<Product[]> {
  const owners = items.map((item) => ({ productId: productEntity.parse(item).productId }));
  const keys = owners.flatMap((owner) => ratingShards.keys(owner));
  const chunks = Array.from({ length: Math.ceil(keys.length / 100) }, (_, index) => keys.slice(index * 100, (index + 1) * 100));
  const shards = (await Promise.all(chunks.map((chunk) => batchGetItems(chunk)))).flat();
  return items.map((item, index) => productWithShards(item, shards.filter((shard) => ratingShards.isShard(owners[index]!, shard))));
}

/** The listings an order names, in one BatchGetItem. */
export async function getProducts(productIds: string[]): Promise<Product[]> {
  return (await batchGetItems(productIds.map(productKey), { consistent: true })).map(productFromItem);
}

/** Guards a price snapshot: the order is written only if each listing is unchanged since it was read and has an approved version. */
export const listingUnchanged = (product: Product): Guarded =>
  guarded('listingUnchanged', conditionCheck(productKey(product.productId), 'version = :version AND attribute_type(approved, :map)', undefined, { ':version': product.version, ':map': 'M' }));

export async function listSellerProducts(sellerId: string, scope: 'all' | 'listed', limit: number, startKey?: Record<string, unknown>) {
  const { items, lastKey } = scope === 'all' ? await indexPage({ index: 'GSI1', partition: `SELLER#${sellerId}#PRODUCTS`, limit, startKey }) : await indexPage({ index: 'GSI2', partition: `SELLER#${sellerId}#LISTED`, limit, startKey });
  return { products: await withRatings(items), lastKey };
}
