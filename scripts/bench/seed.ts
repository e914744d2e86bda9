/**
 * Writing benchmark data straight into the local table, for volumes the HTTP API would take minutes to
 * build (10,000 published reviews, 10,000 not-due dispute deadlines). The items come from the store's own
 * builders (reviewWrites, setTimer): only the way they reach the table differs — BatchWriteItem instead
 * of one transaction each. Nothing here runs while a recorder is active.
 */
import { BatchWriteCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { tableName } from '../../lambdas/platform/config.js';
import { documentClient } from '../../lambdas/store/client.js';
import type { TransactItem } from '../../lambdas/store/transactions.js';
import { mapLimit } from './client.js';

type Item = Record<string, unknown>;
export interface TableKey {
  PK: string;
  SK: string;
}
type WriteRequest = { PutRequest: { Item: Item } } | { DeleteRequest: { Key: TableKey } };

const BATCH_SIZE = 25;
const CONCURRENCY = 4;

/** The items a transaction's Put actions write. Their conditions are dropped: seeded keys are new. */
export const putItemsOf = (writes: readonly TransactItem[]): Item[] => writes.flatMap((write) => (write.Put?.Item ? [write.Put.Item] : []));

async function batchWrite(requests: readonly WriteRequest[]): Promise<void> {
  const batches: WriteRequest[][] = [];
  for (let start = 0; start < requests.length; start += BATCH_SIZE) batches.push(requests.slice(start, start + BATCH_SIZE));
  await mapLimit(batches, CONCURRENCY, async (batch) => {
    let pending: WriteRequest[] = batch;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt === 5) throw new Error('BatchWriteItem left items unprocessed after retries');
      const result = await documentClient().send(new BatchWriteCommand({ RequestItems: { [tableName()]: pending } }));
      pending = (result.UnprocessedItems?.[tableName()] ?? []) as WriteRequest[];
    }
  });
}

/**
 * Puts the items, the last of those sharing a key winning (as in sequence): seeded changes may put the same
 * idempotent item (a seller's dirty mark) again, and one BatchWriteItem refuses a key twice.
 */
export function batchPut(items: readonly Item[]): Promise<void> {
  const byKey = new Map(items.map((Item) => [`${String(Item.PK)}\u0000${String(Item.SK)}`, Item]));
  return batchWrite([...byKey.values()].map((Item) => ({ PutRequest: { Item } })));
}
export const batchDelete = (keys: readonly TableKey[]): Promise<void> => batchWrite(keys.map((Key) => ({ DeleteRequest: { Key } })));

/** Keys of every pending timer (a Scan: bench housekeeping only, never a path the platform takes). */
export async function pendingTimerKeys(): Promise<TableKey[]> {
  const keys: TableKey[] = [];
  let cursor: Record<string, unknown> | undefined;
  do {
    const page = await documentClient().send(
      new ScanCommand({ TableName: tableName(), FilterExpression: 'begins_with(PK, :timer)', ExpressionAttributeValues: { ':timer': 'TIMER#' }, ProjectionExpression: 'PK, SK', ExclusiveStartKey: cursor }),
    );
    for (const item of page.Items ?? []) keys.push({ PK: String(item.PK), SK: String(item.SK) });
    cursor = page.LastEvaluatedKey;
  } while (cursor);
  return keys;
}
