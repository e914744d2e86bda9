/**
 * Listings in the single table: the listing (latest submission, approved version) and its rating
 * aggregate in one item, indexed by seller (every listing, for the owner), sparsely by seller for listings
 * with an approved version (the public view), and sparsely for the admins' NEEDS_HUMAN queue. The keys are
 * in the entity definition below; docs/architecture.md lists them.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { PRODUCT_STATUSES, type Product } from '../domain/products.js';
import type { RatingDelta } from '../domain/reviews.js';
import { tableName } from '../platform/config.js';
import { batchGetItems } from './batch.js';
import { documentClient } from './client.js';
import { defineEntity, MoneySchema, nullableString, schemaOf } from './entity.js';
import { indexPage } from './reads.js';
import { shopExists } from './sellers.js';
import { conditionCheck, guarded, putNew, update, type Guarded, type TransactItem, type Write } from './transactions.js';

declare module './transactions.js' {
  interface Guards {
    /** A listing an order names is still approved and at the version whose price the order shows. */
    listingUnchanged: true;
    /** The listing is still at the version the edit was decided on. */
    productVersion: true;
  }
}

/**
 * The rating aggregate is stored as flat counters so that review publications can ADD to them in their
 * own transactions without reading the listing.
 */
const RATING_COUNTERS = ['ratingCount', 'ratingSum', 'ratingH1', 'ratingH2', 'ratingH3', 'ratingH4', 'ratingH5', 'ratingWithMedia'] as const;
type ProductRecord = Omit<Product, 'rating'> & Record<(typeof RATING_COUNTERS)[number], number>;

const counter = () => z._default(z.number(), 0);

const ImageSchema = z.object({ uploadId: z.string(), key: z.string(), contentType: z.string() });
const GuaranteeSchema = z.object({ returnable: z.boolean(), returnWindowDays: z.int(), protectionDays: z.int() });
const ApprovedSchema = z.object({
  title: z.string(),
  description: z.string(),
  price: MoneySchema,
  images: z.array(ImageSchema),
  category: z.string(),
  guarantee: GuaranteeSchema,
  handlingDays: z.int(),
  approvedAt: z.string(),
});

const NEEDS_HUMAN_QUEUE = 'LISTINGS#NEEDS_HUMAN';

export const productEntity = defineEntity({
  name: 'product',
  schema: schemaOf<ProductRecord>()(
    z.object({
      productId: z.string(),
      sellerId: z.string(),
      title: z.string(),
      description: z.string(),
      price: MoneySchema,
      images: z.array(ImageSchema),
      category: z.string(),
      guarantee: GuaranteeSchema,
      handlingDays: z.int(),
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

function toRecord(product: Product): ProductRecord {
  const { rating, ...listing } = product;
  const { histogram: h } = rating;
  return { ...listing, ratingCount: rating.count, ratingSum: rating.sum, ratingH1: h[1], ratingH2: h[2], ratingH3: h[3], ratingH4: h[4], ratingH5: h[5], ratingWithMedia: rating.withMedia };
}

export function productFromItem(item: Record<string, unknown>): Product {
  const { ratingCount, ratingSum, ratingH1, ratingH2, ratingH3, ratingH4, ratingH5, ratingWithMedia, ...listing } = productEntity.parse(item);
  return { ...listing, rating: { count: ratingCount, sum: ratingSum, histogram: { 1: ratingH1, 2: ratingH2, 3: ratingH3, 4: ratingH4, 5: ratingH5 }, withMedia: ratingWithMedia } };
}

export const productKey = (productId: string) => productEntity.key({ productId });

/** Adds a review publication's change to the listing's rating aggregate. */
export function addToRating(productId: string, delta: RatingDelta): TransactItem {
  return update(
    productKey(productId),
    'ADD ratingCount :count, ratingSum :sum, ratingH1 :h1, ratingH2 :h2, ratingH3 :h3, ratingH4 :h4, ratingH5 :h5, ratingWithMedia :media',
    undefined,
    { ':count': delta.count, ':sum': delta.sum, ':h1': delta.histogram[1], ':h2': delta.histogram[2], ':h3': delta.histogram[3], ':h4': delta.histogram[4], ':h5': delta.histogram[5], ':media': delta.withMedia },
  );
}

/** A new listing, written only if its seller has a shop (the caller adds the verification and restriction checks). */
export const newListing = (product: Product): Write[] => [shopExists(product.sellerId), putNew(productEntity.item(toRecord(product)))];

/** The listing fields an edit or a review decision replaces; the rating counters are left to the review publications ADDing to them. */
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

export async function getProduct(productId: string): Promise<Product | undefined> {
  const { Item } = await documentClient().send(new GetCommand({ TableName: tableName(), Key: productKey(productId), ConsistentRead: true }));
  return Item ? productFromItem(Item) : undefined;
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
  return { products: items.map(productFromItem), lastKey };
}
