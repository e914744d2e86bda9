/**
 * Orders in the single table. An order's partition holds the order item, its ledger entries and its
 * tracking events, so "the order and everything about it" is one Query and one transaction away.
 * The keys are in the entity definitions below; docs/architecture.md lists them.
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { movementsOfLedger, type BalanceEntry } from '../domain/balance.js';
import { CHARGEBACK_STATUSES } from '../domain/chargebacks.js';
import { LEDGER_TYPES, type LedgerEntry } from '../domain/money.js';
import type { Product } from '../domain/products.js';
import { ORDER_STATUSES, TRACKING_STATUSES, type Order, type OrderStatus, type Transition } from '../domain/orders.js';
import { tableName } from '../platform/config.js';
import { documentClient } from './client.js';
import { defineEntity, MoneySchema, nullableString, pad, schemaOf } from './entity.js';
import { balanceWrites } from './balance.js';
import { batchGetItems } from './batch.js';
import { idempotencyEntity, type IdempotencyRecord, type IdempotentRequest } from './idempotency.js';
import { productEntity, productFromItem } from './products.js';
import { partitionItems } from './reads.js';
import { guarded, putNew, putVersioned, update, type TransactItem, type Write } from './transactions.js';

declare module './transactions.js' {
  interface Guards {
    /** The order item is still at the version the decision read. */
    orderVersion: true;
    /** The payment reference has not backed another order (one captured payment, one order). */
    paymentUnused: true;
  }
}


const AddressSchema = z.object({
  name: z.string(),
  line1: z.string(),
  line2: z.optional(z.string()),
  city: z.string(),
  region: z.optional(z.string()),
  postalCode: z.string(),
  country: z.string(),
  phone: z.optional(z.string()),
});

const OrderSchema = schemaOf<Order>()(
  z.object({
    orderId: z.string(),
    buyerId: z.string(),
    sellerId: z.string(),
    status: z.enum(ORDER_STATUSES),
    items: z.array(
      z.object({ productId: z.string(), title: z.string(), unitPrice: MoneySchema, quantity: z.int(), lineTotal: MoneySchema, returnable: z.boolean(), returnWindowDays: z.int() }),
    ),
    total: MoneySchema,
    shippingAddress: AddressSchema,
    paymentReference: z.string(),
    escrow: z.object({ held: z.int(), released: z.int(), refunded: z.int(), reversed: z.optional(z.int()) }),
    ledgerSeq: z.int(),
    shipment: z.nullable(z.object({ carrier: z.string(), trackingNumber: z.string(), estimatedDeliveryAt: z.string(), shippedAt: z.string(), late: z.boolean() })),
    handlingDeadline: z.string(),
    protectionDays: z.int(),
    protectionEndsAt: nullableString,
    protectionExtended: z.boolean(),
    disputeStatus: nullableString,
    disputeId: z.optional(nullableString),
    disputeLines: z.optional(z.record(z.string(), z.object({ refunded: z.int(), decidedBy: nullableString, withdrawals: z.int() }))),
    returnWindowClosed: z.optional(z.boolean()),
    cancellation: z.nullable(z.object({ by: z.enum(['buyer', 'seller', 'system']), reason: z.string(), at: z.string(), rule: z.optional(z.string()), refundId: z.optional(z.string()) })),
    deliveredAt: nullableString,
    deliveryRecordedAt: z.optional(nullableString),
    deliveryClaimedAt: z.optional(nullableString),
    completedAt: nullableString,
    completedBy: z.nullable(z.enum(['buyer', 'system'])),
    reviewWindowClosed: z.optional(z.boolean()),
    chargeback: z.optional(
      z.nullable(
        z.object({
          chargebackId: z.string(),
          provider: z.string(),
          status: z.enum(CHARGEBACK_STATUSES),
          amount: z.int(),
          openedAt: z.string(),
          closedAt: nullableString,
          refunded: z.int(),
        }),
      ),
    ),
    createdAt: z.string(),
    updatedAt: z.string(),
    version: z.int(),
  }),
);

export const orderEntity = defineEntity({
  name: 'order',
  schema: OrderSchema,
  patterns: { PK: 'ORDER#<orderId>', SK: 'ORDER', GSI1: 'BUYER#<buyerId> / ORDER#<createdAt>#<orderId>', GSI2: 'SELLER#<sellerId> / ORDER#<createdAt>#<orderId>' },
  key: ({ orderId }: { orderId: string }) => ({ PK: `ORDER#${orderId}`, SK: 'ORDER' }),
  indexes: (order) => {
    const sortKey = `ORDER#${order.createdAt}#${order.orderId}`;
    return { GSI1PK: `BUYER#${order.buyerId}`, GSI1SK: sortKey, GSI2PK: `SELLER#${order.sellerId}`, GSI2SK: sortKey };
  },
});

export const ledgerEntity = defineEntity({
  name: 'ledger',
  schema: schemaOf<LedgerEntry>()(z.object({ seq: z.int(), type: z.enum(LEDGER_TYPES), amount: MoneySchema, at: z.string(), reason: z.string() })),
  patterns: { PK: 'ORDER#<orderId>', SK: 'LEDGER#<seq:6>' },
  key: ({ orderId, seq }: { orderId: string; seq: number }) => ({ PK: `ORDER#${orderId}`, SK: `LEDGER#${pad(seq, 6)}` }),
});

export interface TrackingEventRecord {
  status: string;
  location: string | null;
  occurredAt: string;
  recordedAt: string;
  source: 'seller' | 'admin' | 'carrier';
  /** Who signed for the parcel (carrier events). */
  signedBy?: string | null;
}

export const trackingEntity = defineEntity({
  name: 'tracking',
  schema: schemaOf<TrackingEventRecord>()(
    z.object({ status: z.enum(TRACKING_STATUSES), location: nullableString, occurredAt: z.string(), recordedAt: z.string(), source: z.enum(['seller', 'admin', 'carrier']), signedBy: z.optional(nullableString) }),
  ),
  patterns: { PK: 'ORDER#<orderId>', SK: 'TRACK#<occurredAt>#<orderVersion:6>' },
  // The order's version after the event keeps two events at the same instant apart.
  key: ({ orderId, occurredAt, orderVersion }: { orderId: string; occurredAt: string; orderVersion: number }) => ({ PK: `ORDER#${orderId}`, SK: `TRACK#${occurredAt}#${pad(orderVersion, 6)}` }),
});

export const paymentEntity = defineEntity({
  name: 'payment',
  schema: schemaOf<{ orderId: string }>()(z.object({ orderId: z.string() })),
  // Per provider: references are the provider's, and two providers may issue the same one.
  patterns: { PK: 'PAYMENT#<provider>#<paymentReference>', SK: 'PAYMENT' },
  key: ({ provider, paymentReference }: { provider: string; paymentReference: string }) => ({ PK: `PAYMENT#${provider}#${paymentReference}`, SK: 'PAYMENT' }),
});

/**
 * Items that write a transition: the order (guarded by the version it was read at), its new ledger
 * entries and, in the same transaction, the seller-balance movements they cause (a RELEASE credits, a
 * REVERSAL debits: store/balance.ts) plus any other movement the caller's decision makes (an appeal's
 * COMPENSATION). Every ledger write goes through here, so no ledger entry moves money without its balance.
 * `source`: the dispute a REVERSAL is attributed to (none for a chargeback's or an order's own transition).
 */
export function transitionWrites(previousVersion: number | null, transition: Transition, alsoMoves: readonly BalanceEntry[] = [], source: { disputeId: string | null } = { disputeId: null }): Write[] {
  const { order } = transition;
  const orderWrite = putVersioned('orderVersion', orderEntity.item(order), previousVersion);
  return [
    orderWrite,
    ...transition.ledger.map((entry) => putNew(ledgerEntity.item(entry, { orderId: order.orderId }))),
    ...balanceWrites([...movementsOfLedger(order, transition.ledger, source), ...alsoMoves]),
  ];
}

export const trackingEventPut = (orderId: string, orderVersion: number, event: TrackingEventRecord): TransactItem => putNew(trackingEntity.item(event, { orderId, orderVersion }));

export async function getOrder(orderId: string): Promise<Order | undefined> {
  const { Item } = await documentClient().send(new GetCommand({ TableName: tableName(), Key: orderEntity.key({ orderId }), ConsistentRead: true }));
  return Item ? orderEntity.parse(Item) : undefined;
}

/**
 * The order a create hangs off (a dispute, a review), with the Idempotency-Key's record when the request
 * has one: one read either way (GetItem, or a BatchGetItem of both).
 */
export async function readOrderForCreate(orderId: string, idempotency: IdempotentRequest | undefined): Promise<{ order: Order | undefined; record: IdempotencyRecord | undefined }> {
  if (!idempotency) return { order: await getOrder(orderId), record: undefined };
  const orderKey = orderEntity.key({ orderId });
  const items = await batchGetItems([orderKey, idempotencyEntity.key(idempotency)], { consistent: true });
  const order = items.find((item) => item.PK === orderKey.PK && item.SK === orderKey.SK);
  const record = items.find((item) => item !== order);
  return { order: order && orderEntity.parse(order), record: record && idempotencyEntity.parse(record) };
}

const queryOrderPartition = (orderId: string, from: string, to: string) => partitionItems(orderEntity.key({ orderId }).PK, { from, to });

const startsWith = (prefix: string) => (item: Record<string, unknown>) => String(item.SK).startsWith(prefix);

export const listLedger = async (orderId: string): Promise<LedgerEntry[]> => (await queryOrderPartition(orderId, 'LEDGER#', 'LEDGER#~')).map(ledgerEntity.parse);
export const listTrackingEvents = async (orderId: string): Promise<TrackingEventRecord[]> => (await queryOrderPartition(orderId, 'TRACK#', 'TRACK#~')).map(trackingEntity.parse);

/**
 * The order with its ledger, or with its tracking events, in one Query: the order item sorts between
 * them ('LEDGER#…' < 'ORDER' < 'REVIEW#…' < 'TRACK#…'), so one key range holds both.
 */
export async function getOrderWith(orderId: string, part: 'ledger' | 'tracking'): Promise<{ order: Order; ledger: LedgerEntry[]; tracking: TrackingEventRecord[] } | undefined> {
  const items = part === 'ledger' ? await queryOrderPartition(orderId, 'LEDGER#', 'ORDER') : await queryOrderPartition(orderId, 'ORDER', 'TRACK#~');
  const found = items.find((item) => item.SK === 'ORDER');
  if (!found) return undefined;
  return {
    order: orderEntity.parse(found),
    ledger: items.filter(startsWith('LEDGER#')).map(ledgerEntity.parse),
    tracking: items.filter(startsWith('TRACK#')).map(trackingEntity.parse),
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
  return { orders: (page.Items ?? []).map(orderEntity.parse), lastKey: page.LastEvaluatedKey };
}

/** Marks the review window closed; bumps the version so a transition read before it cannot undo it. */
export const closeReviewWindow = (orderId: string): TransactItem =>
  update(orderEntity.key({ orderId }), 'SET reviewWindowClosed = :yes, version = version + :one', undefined, { ':yes': true, ':one': 1 });

/** Marks the return window closed (no new RETURN_AND_REFUND dispute); bumps the version like any change. */
export const closeReturnWindow = (orderId: string): TransactItem =>
  update(orderEntity.key({ orderId }), 'SET returnWindowClosed = :yes, version = version + :one', undefined, { ':yes': true, ':one': 1 });

/** A provider's payment reference backs one order, written with the order. */
export const paymentUsedOnce = (provider: string, paymentReference: string, orderId: string): Write =>
  guarded('paymentUnused', putNew(paymentEntity.item({ orderId }, { provider, paymentReference })));

/**
 * What placing an order reads, in one BatchGetItem: the listings it names and, for a request with an
 * Idempotency-Key, the key's record (a retry's answer).
 */
export async function readForPlacing(productIds: string[], idempotency: IdempotentRequest | undefined): Promise<{ products: Product[]; record: IdempotencyRecord | undefined }> {
  const recordKey = idempotency && idempotencyEntity.key(idempotency);
  const items = await batchGetItems([...productIds.map((productId) => productEntity.key({ productId })), ...(recordKey ? [recordKey] : [])], { consistent: true });
  const record = recordKey && items.find((item) => item.PK === recordKey.PK);
  return { products: items.filter((item) => item !== record).map(productFromItem), record: record && idempotencyEntity.parse(record) };
}
