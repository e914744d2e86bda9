/**
 * Listings in the single table.
 *   PRODUCT#<id> / PRODUCT   the listing and its rating aggregate
 *   GSI1 SELLER#<id>#PRODUCTS / <createdAt>#<id>   every listing of a store (owner's view)
 *   GSI2 SELLER#<id>#LISTED   / <createdAt>#<id>   approved listings only (sparse: the public view)
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Product } from '../domain/products.js';
import type { RatingDelta } from '../domain/reviews.js';
import { tableName } from '../platform/config.js';
import { batchGetItems } from './batch.js';
import { documentClient } from './client.js';
import { indexPage, withoutKeys } from './reads.js';
import { sellerProfileKey } from './sellers.js';
import { conditionCheck, guarded, putNew, transact, update, type Guarded, type TransactItem } from './transactions.js';

export const productKey = (productId: string) => ({ PK: `PRODUCT#${productId}`, SK: 'PRODUCT' });

const LISTED = (product: Product) => ({ GSI2PK: `SELLER#${product.sellerId}#LISTED`, GSI2SK: `${product.createdAt}#${product.productId}` });

/**
 * The rating aggregate is stored as flat counters (ratingCount, ratingSum, ratingH1…H5, ratingWithMedia)
 * so that review publications can ADD to them in their own transactions without reading the listing.
 */
function productItem(product: Product): Record<string, unknown> {
  const { rating, ...listing } = product;
  return {
    ...productKey(product.productId),
    entity: 'product',
    ...listing,
    ratingCount: rating.count,
    ratingSum: rating.sum,
    ratingH1: rating.histogram[1],
    ratingH2: rating.histogram[2],
    ratingH3: rating.histogram[3],
    ratingH4: rating.histogram[4],
    ratingH5: rating.histogram[5],
    ratingWithMedia: rating.withMedia,
    GSI1PK: `SELLER#${product.sellerId}#PRODUCTS`,
    GSI1SK: `${product.createdAt}#${product.productId}`,
    ...(product.status === 'APPROVED' && LISTED(product)),
  };
}

const RATING_ATTRIBUTES = ['ratingCount', 'ratingSum', 'ratingH1', 'ratingH2', 'ratingH3', 'ratingH4', 'ratingH5', 'ratingWithMedia'];

function toProduct(item: Record<string, unknown>): Product {
  const n = (name: string) => Number(item[name] ?? 0);
  const listing = withoutKeys<Omit<Product, 'rating'>>(item, RATING_ATTRIBUTES);
  return {
    ...listing,
    rating: { count: n('ratingCount'), sum: n('ratingSum'), histogram: { 1: n('ratingH1'), 2: n('ratingH2'), 3: n('ratingH3'), 4: n('ratingH4'), 5: n('ratingH5') }, withMedia: n('ratingWithMedia') },
  };
}

/** Adds a review publication's change to the listing's rating aggregate. */
export function addToRating(productId: string, delta: RatingDelta): TransactItem {
  return update(
    productKey(productId),
    'ADD ratingCount :count, ratingSum :sum, ratingH1 :h1, ratingH2 :h2, ratingH3 :h3, ratingH4 :h4, ratingH5 :h5, ratingWithMedia :media',
    undefined,
    { ':count': delta.count, ':sum': delta.sum, ':h1': delta.histogram[1], ':h2': delta.histogram[2], ':h3': delta.histogram[3], ':h4': delta.histogram[4], ':h5': delta.histogram[5], ':media': delta.withMedia },
  );
}

/** A listing is created only by a seller whose store profile exists; checked in the same transaction. */
export async function createProduct(product: Product): Promise<void> {
  await transact([conditionCheck(sellerProfileKey(product.sellerId), 'attribute_exists(PK)'), putNew(productItem(product))]);
}

/** Saves an edit: listing fields only, so a concurrent review publication's aggregate change is kept. */
export async function replaceProduct(product: Product, previousVersion: number): Promise<void> {
  const listed = product.status === 'APPROVED';
  await transact([
    {
      Update: {
        TableName: tableName(),
        Key: productKey(product.productId),
        UpdateExpression: `SET title = :title, description = :description, price = :price, images = :images, category = :category, guarantee = :guarantee, handlingDays = :handlingDays, #status = :status, reviewReasons = :reasons, updatedAt = :updatedAt, version = :version${listed ? ', GSI2PK = :listedPk, GSI2SK = :listedSk' : ''}${listed ? '' : ' REMOVE GSI2PK, GSI2SK'}`,
        ConditionExpression: 'version = :previous',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':title': product.title,
          ':description': product.description,
          ':price': product.price,
          ':images': product.images,
          ':category': product.category,
          ':guarantee': product.guarantee,
          ':handlingDays': product.handlingDays,
          ':status': product.status,
          ':reasons': product.reviewReasons,
          ':updatedAt': product.updatedAt,
          ':version': product.version,
          ':previous': previousVersion,
          ...(listed && { ':listedPk': LISTED(product).GSI2PK, ':listedSk': LISTED(product).GSI2SK }),
        },
      },
    },
  ]);
}

export async function getProduct(productId: string): Promise<Product | undefined> {
  const { Item } = await documentClient().send(new GetCommand({ TableName: tableName(), Key: productKey(productId), ConsistentRead: true }));
  return Item ? toProduct(Item) : undefined;
}

/** The listings an order names, in one BatchGetItem. */
export async function getProducts(productIds: string[]): Promise<Product[]> {
  return (await batchGetItems(productIds.map(productKey), { consistent: true })).map(toProduct);
}

declare module './transactions.js' {
  interface Guards {
    /** A listing an order names is still approved and at the version whose price the order shows. */
    listingUnchanged: true;
  }
}

/** Guards a price snapshot: the order is written only if each listing is unchanged since it was read. */
export const listingUnchanged = (product: Product): Guarded =>
  guarded('listingUnchanged', conditionCheck(productKey(product.productId), 'version = :version AND #status = :approved', { '#status': 'status' }, { ':version': product.version, ':approved': 'APPROVED' }));

export async function listSellerProducts(sellerId: string, scope: 'all' | 'listed', limit: number, startKey?: Record<string, unknown>) {
  const { items, lastKey } = scope === 'all' ? await indexPage({ index: 'GSI1', partition: `SELLER#${sellerId}#PRODUCTS`, limit, startKey }) : await indexPage({ index: 'GSI2', partition: `SELLER#${sellerId}#LISTED`, limit, startKey });
  return { products: items.map(toProduct), lastKey };
}
