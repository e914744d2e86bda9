/**
 * The read shapes every store module shares: a whole partition (or a key range of it) and one page of
 * an index partition. Entities come out of items through their definitions (store/entity.ts).
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { IndexName } from '../../lib/table.js';
import { tableName } from '../platform/config.js';
import { documentClient } from './client.js';

/**
 * Every item of a partition, or of the sort-key range `from`..`to` in it, read consistently and
 * following pages: one Query unless the range holds more than 1 MB.
 */
export async function partitionItems(partition: string, range?: { from: string; to: string }): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let cursor: Record<string, unknown> | undefined;
  do {
    const page = await documentClient().send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: range ? 'PK = :pk AND SK BETWEEN :from AND :to' : 'PK = :pk',
        ExpressionAttributeValues: { ':pk': partition, ...(range && { ':from': range.from, ':to': range.to }) },
        ConsistentRead: true,
        ExclusiveStartKey: cursor,
      }),
    );
    items.push(...(page.Items ?? []));
    cursor = page.LastEvaluatedKey;
  } while (cursor);
  return items;
}

/** One page of one index partition: the shape of every "my …" list. */
export async function indexPage(query: { index: IndexName; partition: string; limit: number; startKey?: Record<string, unknown> | undefined; oldestFirst?: boolean }) {
  const page = await documentClient().send(
    new QueryCommand({
      TableName: tableName(),
      IndexName: query.index,
      KeyConditionExpression: `${query.index}PK = :pk`,
      ExpressionAttributeValues: { ':pk': query.partition },
      ScanIndexForward: query.oldestFirst ?? false,
      Limit: query.limit,
      ExclusiveStartKey: query.startKey,
    }),
  );
  return { items: page.Items ?? [], lastKey: page.LastEvaluatedKey };
}
