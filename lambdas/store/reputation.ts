/**
 * Reputation's stored state: each order's feedback (what its reviews count for the seller, and whether it
 * counts at all), written in the transactions that publish, unpublish or exclude it, with the ADD of the
 * difference to the seller's month counters (store/sellers.ts countForSeller).
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { feedbackDifference, type OrderFeedback } from '../domain/reputation.js';
import { tableName } from '../platform/config.js';
import { documentClient } from './client.js';
import { defineEntity, schemaOf } from './entity.js';
import { countForSeller } from './sellers.js';
import { putVersioned, type Write } from './transactions.js';

declare module './transactions.js' {
  interface Guards {
    /** The order's feedback is still as it was read. */
    orderFeedbackVersion: true;
  }
}

const ratingsSchema = z.object({ itemAsDescribed: z.number(), communication: z.number(), shippingSpeed: z.number() });

export const orderFeedbackEntity = defineEntity({
  name: 'orderFeedback',
  schema: schemaOf<OrderFeedback>()(
    z.object({
      orderId: z.string(),
      sellerId: z.string(),
      month: z.string(),
      lines: z.record(z.string(), z.object({ rating: z.number(), sellerRatings: ratingsSchema, firstPublishedAt: z.string() })),
      excluded: z.boolean(),
      version: z.number(),
    }),
  ),
  patterns: { PK: 'ORDER#<orderId>', SK: 'FEEDBACK' },
  key: ({ orderId }: { orderId: string }) => ({ PK: `ORDER#${orderId}`, SK: 'FEEDBACK' }),
});

export async function getOrderFeedback(orderId: string): Promise<OrderFeedback | null> {
  const { Item } = await documentClient().send(new GetCommand({ TableName: tableName(), Key: orderFeedbackEntity.key({ orderId }), ConsistentRead: true }));
  return Item ? orderFeedbackEntity.parse(Item) : null;
}

/**
 * The order's feedback moved from `before` (as read) to `after`: the item, guarded by the version read,
 * and the difference of what it counts, added to the month of the order's first publication. Nothing
 * when nothing changed.
 */
export function orderFeedbackWrites(before: OrderFeedback | null, after: OrderFeedback | null): Write[] {
  if (!after || JSON.stringify(before) === JSON.stringify(after)) return [];
  const written = { ...after, version: (before?.version ?? 0) + 1 };
  return [
    putVersioned('orderFeedbackVersion', orderFeedbackEntity.item(written), before ? before.version : null),
    // The order id as the shard source: every later change of this order's feedback meets the same item.
    ...countForSeller(after.sellerId, after.month, { ...feedbackDifference(before, after) }, after.orderId),
  ];
}
