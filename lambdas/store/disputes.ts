/**
 * Disputes and refunds in the single table.
 *   DISPUTE#<id> / DISPUTE            the dispute (GSI1 buyer's, GSI2 seller's, GSI3 escalated queue)
 *   DISPUTE#<id> / EVENT#<at>#<v>#<n> its timeline, in time order (sorts after DISPUTE: one Query reads both)
 *   REFUND#<id>  / REFUND             a refund being paid out
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Dispute, TimelineEntry } from '../domain/disputes.js';
import type { Refund } from '../domain/refunds.js';
import { tableName } from '../platform/config.js';
import { documentClient } from './client.js';
import { indexPage, partitionItems, withoutKeys } from './reads.js';
import { put, putNew, type TransactItem } from './transactions.js';

export const disputeKey = (disputeId: string) => ({ PK: `DISPUTE#${disputeId}`, SK: 'DISPUTE' });
export const refundKey = (refundId: string) => ({ PK: `REFUND#${refundId}`, SK: 'REFUND' });

const strip = <T>(item: Record<string, unknown>): T => withoutKeys<T>(item);

function disputeItem(dispute: Dispute): Record<string, unknown> {
  const sortKey = `${dispute.openedAt}#${dispute.disputeId}`;
  return {
    ...disputeKey(dispute.disputeId),
    entity: 'dispute',
    ...dispute,
    GSI1PK: `BUYER#${dispute.buyerId}#DISPUTES`,
    GSI1SK: sortKey,
    GSI2PK: `SELLER#${dispute.sellerId}#DISPUTES`,
    GSI2SK: sortKey,
    ...(dispute.status === 'ESCALATED' && { GSI3PK: 'DISPUTES#ESCALATED', GSI3SK: `${dispute.escalatedAt}#${dispute.disputeId}` }),
  };
}

/** The dispute (guarded by its version) and its new timeline entries. */
export function disputeWrites(previousVersion: number | null, dispute: Dispute, timeline: TimelineEntry[]): TransactItem[] {
  const write = previousVersion === null ? putNew(disputeItem(dispute)) : put(disputeItem(dispute), { expression: 'version = :version', values: { ':version': previousVersion } });
  const events = timeline.map((entry, index) =>
    putNew({ PK: `DISPUTE#${dispute.disputeId}`, SK: `EVENT#${entry.at}#${String(dispute.version).padStart(6, '0')}#${index}`, entity: 'disputeEvent', ...entry }),
  );
  return [write, ...events];
}

export const refundWrite = (refund: Refund, previousVersion: number | null): TransactItem =>
  previousVersion === null
    ? putNew({ ...refundKey(refund.refundId), entity: 'refund', ...refund })
    : put({ ...refundKey(refund.refundId), entity: 'refund', ...refund }, { expression: 'version = :version', values: { ':version': previousVersion } });

/** The dispute and its whole timeline in one Query. */
export async function getDisputeWithTimeline(disputeId: string): Promise<{ dispute: Dispute; timeline: TimelineEntry[] } | undefined> {
  const items = await partitionItems(`DISPUTE#${disputeId}`);
  const disputeItem = items.find((item) => item.SK === 'DISPUTE');
  if (!disputeItem) return undefined;
  return { dispute: strip<Dispute>(disputeItem), timeline: items.filter((item) => String(item.SK).startsWith('EVENT#')).map((item) => strip<TimelineEntry>(item)) };
}


export async function getRefund(refundId: string): Promise<Refund | undefined> {
  const { Item } = await documentClient().send(new GetCommand({ TableName: tableName(), Key: refundKey(refundId), ConsistentRead: true }));
  return Item ? strip<Refund>(Item) : undefined;
}

export async function listDisputes(index: 'GSI1' | 'GSI2' | 'GSI3', partition: string, limit: number, startKey: Record<string, unknown> | undefined) {
  // The escalated queue is worked oldest first; a party's own list shows the newest first.
  const { items, lastKey } = await indexPage({ index, partition, limit, startKey, oldestFirst: index === 'GSI3' });
  return { disputes: items.map((item) => strip<Dispute>(item)), lastKey };
}
