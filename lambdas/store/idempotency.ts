import { createHash } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DomainError } from '../domain/errors.js';
import { clock } from '../platform/clock.js';
import { tableName } from '../platform/config.js';
import { documentClient } from './client.js';

/**
 * Idempotency-Key records (API.md: a retry with the same key and body returns the first response).
 * One item per (user, key), so records spread over partitions; an IN_PROGRESS lock makes a concurrent
 * retry wait its turn instead of creating twice. We keep these next to the data rather than use
 * Powertools' persistence layer, which on a table with a sort key puts every record in one partition.
 */
const RECORD_TTL_SECONDS = 24 * 60 * 60;
const LOCK_MS = 30_000;

export interface StoredResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export interface IdempotencyClaim {
  key: { PK: string; SK: string };
  requestHash: string;
}

export const hashRequest = (parts: unknown[]): string => createHash('sha256').update(JSON.stringify(parts)).digest('base64url');

const keyOf = (userId: string, idempotencyKey: string) => ({
  PK: `IDEMPOTENCY#${userId}#${createHash('sha256').update(idempotencyKey).digest('base64url')}`,
  SK: 'IDEMPOTENCY',
});

/** Claims the key, or returns the response stored by the first request with it. */
export async function claimIdempotencyKey(
  userId: string,
  idempotencyKey: string,
  requestHash: string,
): Promise<{ claim: IdempotencyClaim } | { replay: StoredResponse }> {
  const key = keyOf(userId, idempotencyKey);
  const now = clock.now().getTime();
  try {
    await documentClient().send(
      new PutCommand({
        TableName: tableName(),
        Item: { ...key, status: 'IN_PROGRESS', requestHash, lockedUntil: now + LOCK_MS, expiresAt: Math.floor(now / 1000) + RECORD_TTL_SECONDS },
        // A crashed first attempt leaves a stale lock; the same request may take it over once it has expired.
        ConditionExpression: 'attribute_not_exists(PK) OR (#status = :inProgress AND lockedUntil < :now AND requestHash = :hash)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':inProgress': 'IN_PROGRESS', ':now': now, ':hash': requestHash },
      }),
    );
    return { claim: { key, requestHash } };
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
  const { Item } = await documentClient().send(new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: true }));
  if (Item?.requestHash !== requestHash) {
    throw new DomainError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used with a different request.');
  }
  if (Item.status !== 'COMPLETE') {
    throw new DomainError('IDEMPOTENCY_KEY_IN_USE', 'A request with this Idempotency-Key is still being processed; retry shortly.');
  }
  return { replay: Item.response as StoredResponse };
}

export async function completeIdempotencyKey(claim: IdempotencyClaim, response: StoredResponse): Promise<void> {
  await documentClient().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: claim.key,
      UpdateExpression: 'SET #status = :complete, #response = :response REMOVE lockedUntil',
      ExpressionAttributeNames: { '#status': 'status', '#response': 'response' },
      ExpressionAttributeValues: { ':complete': 'COMPLETE', ':response': response },
    }),
  );
}

/** A failed first attempt frees the key, so the client's retry runs again rather than replaying a failure. */
export async function releaseIdempotencyKey(claim: IdempotencyClaim): Promise<void> {
  await documentClient().send(
    new DeleteCommand({
      TableName: tableName(),
      Key: claim.key,
      ConditionExpression: '#status = :inProgress AND requestHash = :hash',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':inProgress': 'IN_PROGRESS', ':hash': claim.requestHash },
    }),
  ).catch((error: unknown) => {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  });
}

/** What the HTTP middleware needs; functions with idempotent routes pass this to httpFunction. */
export const idempotencyStore = { claim: claimIdempotencyKey, complete: completeIdempotencyKey, release: releaseIdempotencyKey, hashRequest };
export type IdempotencyStore = typeof idempotencyStore;
