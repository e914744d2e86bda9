import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { tableName } from '../platform/config.js';
import { documentClient } from './client.js';

/**
 * Reads up to 100 items by key in one BatchGetItem. Keys DynamoDB leaves unprocessed (throttling) are
 * retried a few times; the order of the result is not the order of the keys.
 */
export async function batchGetItems(keys: { PK: string; SK: string }[], options: { consistent?: boolean } = {}): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let pending: Record<string, unknown>[] = [...new Map(keys.map((key) => [`${key.PK}\u0000${key.SK}`, key])).values()];
  for (let attempt = 0; pending.length > 0 && attempt < 5; attempt++) {
    const result = await documentClient().send(new BatchGetCommand({ RequestItems: { [tableName()]: { Keys: pending, ConsistentRead: options.consistent } } }));
    items.push(...(result.Responses?.[tableName()] ?? []));
    pending = (result.UnprocessedKeys?.[tableName()]?.Keys ?? []) as Record<string, unknown>[];
  }
  if (pending.length > 0) throw new Error('BatchGetItem left keys unprocessed after retries');
  return items;
}
