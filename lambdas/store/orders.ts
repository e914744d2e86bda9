/**
 * Orders in the single table. An order's partition holds the order item, its ledger entries and its
 * tracking events, so "the order and everything about it" is one Query and one transaction away.
 *   ORDER#<id> / ORDER                       the order (GSI1: buyer's orders, GSI2: seller's orders)
 *   ORDER#<id> / LEDGER#<seq>                HOLD / RELEASE / REFUND entries, never changed once written
 *   ORDER#<id> / TRACK#<occurredAt>#<ver>    tracking events, in time order
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { LedgerEntry } from '../domain/money.js';
import type { Order, OrderStatus, Transition } from '../domain/orders.js';
import { tableName } from '../platform/config.js';
import { documentClient } from './client.js';
import { partitionItems, withoutKeys } from './reads.js';
import { put, putNew, update, type TransactItem } from './transactions.js';

export const orderKey = (orderId: string) => ({ PK: `ORDER#${orderId}`, SK: 'ORDER' });
const ledgerKey = (orderId: string, seq: number) => ({ PK: `ORDER#${orderId}`, SK: `LEDGER#${String(seq).padStart(6, '0')}` });

export interface TrackingEventRecord {
  status: string;
  location: string | null;
  occurredAt: string;
  recordedAt: string;
  source: 'seller' | 'admin' | 'carrier';
}

const strip = <T>(item: Record<string, unknown>): T => withoutKeys<T>(item);

function orderItem(order: Order): Record<string, unknown> {
  const sortKey = `ORDER#${order.createdAt}#${order.orderId}`;
  return { ...orderKey(order.orderId), entity: 'order', ...order, GSI1PK: `BUYER#${order.buyerId}`, GSI1SK: sortKey, GSI2PK: `SELLER#${order.sellerId}`, GSI2SK: sortKey };
}

const ledgerPuts = (orderId: string, entries: LedgerEntry[]): TransactItem[] => entries.map((entry) => putNew({ ...ledgerKey(orderId, entry.seq), entity: 'ledger', ...entry }));

/** Items that write a transition: the order (guarded by its version) and its new ledger entries. */
export function transitionWrites(previousVersion: number | null, transition: Transition): TransactItem[] {
  const orderWrite =
    previousVersion === null
      ? putNew(orderItem(transition.order))
      : put(orderItem(transition.order), { expression: 'version = :version', values: { ':version': previousVersion } });
  return [orderWrite, ...ledgerPuts(transition.order.orderId, transition.ledger)];
}

export function trackingEventPut(orderId: string, version: number, event: TrackingEventRecord): TransactItem {
  return putNew({ PK: `ORDER#${orderId}`, SK: `TRACK#${event.occurredAt}#${String(version).padStart(6, '0')}`, entity: 'tracking', ...event });
}

export async function getOrder(orderId: string): Promise<Order | undefined> {
  const { Item } = await documentClient().send(new GetCommand({ TableName: tableName(), Key: orderKey(orderId), ConsistentRead: true }));
  return Item ? strip<Order>(Item) : undefined;
}

const queryOrderPartition = (orderId: string, from: string, to: string) => partitionItems(`ORDER#${orderId}`, { from, to });

const startsWith = (prefix: string) => (item: Record<string, unknown>) => String(item.SK).startsWith(prefix);

export const listLedger = async (orderId: string): Promise<LedgerEntry[]> => (await queryOrderPartition(orderId, 'LEDGER#', 'LEDGER#~')).map((item) => strip<LedgerEntry>(item));
export const listTrackingEvents = async (orderId: string): Promise<TrackingEventRecord[]> => (await queryOrderPartition(orderId, 'TRACK#', 'TRACK#~')).map((item) => strip<TrackingEventRecord>(item));

/**
 * The order with its ledger, or with its tracking events, in one Query: the order item sorts between
 * them ('LEDGER#…' < 'ORDER' < 'REVIEW#…' < 'TRACK#…'), so one key range holds both.
 */
export async function getOrderWith(orderId: string, part: 'ledger' | 'tracking'): Promise<{ order: Order; ledger: LedgerEntry[]; tracking: TrackingEventRecord[] } | undefined> {
  const items = part === 'ledger' ? await queryOrderPartition(orderId, 'LEDGER#', 'ORDER') : await queryOrderPartition(orderId, 'ORDER', 'TRACK#~');
  const orderItem = items.find((item) => item.SK === 'ORDER');
  if (!orderItem) return undefined;
  return {
    order: strip<Order>(orderItem),
    ledger: items.filter(startsWith('LEDGER#')).map((item) => strip<LedgerEntry>(item)),
    tracking: items.filter(startsWith('TRACK#')).map((item) => strip<TrackingEventRecord>(item)),
  };
}

export interface OrderPageQuery {
  party: 'buyer' | 'seller';
  userId: string;
  status?: OrderStatus | undefined;
  limit: number;
  startKey?: Record<string, unknown> | undefined;
}

/** One Query per page, newest first. A status filter is applied in the Query, so a page may be short. */
export async function listOrders(query: OrderPageQuery): Promise<{ orders: Order[]; lastKey: Record<string, unknown> | undefined }> {
  const index = query.party === 'buyer' ? 'GSI1' : 'GSI2';
  const page = await documentClient().send(
    new QueryCommand({
      TableName: tableName(),
      IndexName: index,
      KeyConditionExpression: `${index}PK = :pk AND begins_with(${index}SK, :prefix)`,
      ...(query.status && { FilterExpression: '#status = :status', ExpressionAttributeNames: { '#status': 'status' } }),
      ExpressionAttributeValues: {
        ':pk': `${query.party === 'buyer' ? 'BUYER' : 'SELLER'}#${query.userId}`,
        ':prefix': 'ORDER#',
        ...(query.status && { ':status': query.status }),
      },
      ScanIndexForward: false,
      Limit: query.limit,
      ExclusiveStartKey: query.startKey,
    }),
  );
  return { orders: (page.Items ?? []).map((item) => strip<Order>(item)), lastKey: page.LastEvaluatedKey };
}

/** Marks the review window closed; bumps the version so a transition read before it cannot undo it. */
export const closeReviewWindow = (orderId: string): TransactItem =>
  update(orderKey(orderId), 'SET reviewWindowClosed = :yes, version = version + :one', undefined, { ':yes': true, ':one': 1 });

/** Marks the return window closed (no new RETURN_AND_REFUND dispute); bumps the version like any change. */
export const closeReturnWindow = (orderId: string): TransactItem =>
  update(orderKey(orderId), 'SET returnWindowClosed = :yes, version = version + :one', undefined, { ':yes': true, ':one': 1 });

/** A payment reference backs one order (PAYMENT#<ref>, written with the order). */
export const paymentUsedOnce = (paymentReference: string, orderId: string): TransactItem =>
  putNew({ PK: `PAYMENT#${paymentReference}`, SK: 'PAYMENT', entity: 'payment', orderId });
