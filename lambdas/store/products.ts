/**
 * Listings in the single table.
 *   PRODUCT#<id> / PRODUCT   the listing and its rating aggregate
 *   GSI1 SELLER#<id>#PRODUCTS / <createdAt>#<id>   every listing of a store (owner's view)
 *   GSI2 SELLER#<id>#LISTED   / <createdAt>#<id>   approved listings only (sparse: the public view)
 */
import { BatchGetCommand, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Product } from '../domain/products.js';
import { tableName } from '../platform/config.js';
import { documentClient } from './client.js';
import { sellerProfileKey } from './sellers.js';
import { conditionCheck, put, putNew, transact, type TransactItem } from './transactions.js';

export const productKey = (productId: string) => ({ PK: `PRODUCT#${productId}`, SK: 'PRODUCT' });

function productItem(product: Product): Record<string, unknown> {
  const sortKey = `${product.createdAt}#${product.productId}`;
  return {
    ...productKey(product.productId),
    entity: 'product',
    ...product,
    GSI1PK: `SELLER#${product.sellerId}#PRODUCTS`,
    GSI1SK: sortKey,
    ...(product.status === 'APPROVED' && { GSI2PK: `SELLER#${product.sellerId}#LISTED`, GSI2SK: sortKey }),
  };
}

function toProduct(item: Record<string, unknown>): Product {
  const { PK: _pk, SK: _sk, GSI1PK: _g1, GSI1SK: _g1s, GSI2PK: _g2, GSI2SK: _g2s, entity: _entity, ...product } = item;
  return product as unknown as Product;
}

/** A listing is created only by a seller whose store profile exists; checked in the same transaction. */
export async function createProduct(product: Product): Promise<void> {
  await transact([conditionCheck(sellerProfileKey(product.sellerId), 'attribute_exists(PK)'), putNew(productItem(product))]);
}

export async function replaceProduct(product: Product, previousVersion: number): Promise<void> {
  await transact([put(productItem(product), { expression: 'version = :version', values: { ':version': previousVersion } })]);
}

export async function getProduct(productId: string): Promise<Product | undefined> {
  const { Item } = await documentClient().send(new GetCommand({ TableName: tableName(), Key: productKey(productId), ConsistentRead: true }));
  return Item ? toProduct(Item) : undefined;
}

/** The listings an order names, in one BatchGetItem; unprocessed keys (throttling) are retried. */
export async function getProducts(productIds: string[]): Promise<Product[]> {
  let keys: Record<string, unknown>[] = productIds.map(productKey);
  const items: Record<string, unknown>[] = [];
  for (let attempt = 0; keys.length > 0 && attempt < 5; attempt++) {
    const result = await documentClient().send(new BatchGetCommand({ RequestItems: { [tableName()]: { Keys: keys, ConsistentRead: true } } }));
    items.push(...(result.Responses?.[tableName()] ?? []));
    keys = (result.UnprocessedKeys?.[tableName()]?.Keys ?? []) as Record<string, unknown>[];
  }
  if (keys.length > 0) throw new Error('BatchGetItem left keys unprocessed after retries');
  return items.map(toProduct);
}

/** Guards a price snapshot: the order is written only if each listing is unchanged since it was read. */
export const listingUnchanged = (product: Product): TransactItem =>
  conditionCheck(productKey(product.productId), 'version = :version AND #status = :approved', { '#status': 'status' }, { ':version': product.version, ':approved': 'APPROVED' });

export async function listSellerProducts(sellerId: string, scope: 'all' | 'listed', limit: number, startKey?: Record<string, unknown>) {
  const index = scope === 'all' ? 'GSI1' : 'GSI2';
  const page = await documentClient().send(
    new QueryCommand({
      TableName: tableName(),
      IndexName: index,
      KeyConditionExpression: `${index}PK = :pk`,
      ExpressionAttributeValues: { ':pk': `SELLER#${sellerId}#${scope === 'all' ? 'PRODUCTS' : 'LISTED'}` },
      ScanIndexForward: false,
      Limit: limit,
      ExclusiveStartKey: startKey,
    }),
  );
  return { products: (page.Items ?? []).map(toProduct), lastKey: page.LastEvaluatedKey };
}
