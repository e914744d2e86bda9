import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { IndexName } from '../../lib/table.js';
import { tableName } from '../platform/config.js';
import { documentClient } from './client.js';

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
