/**
 * Idempotency-Key records (API.md: a retry with the same key and body returns the first response).
 * One item per (user, key), so records spread over partitions. We keep these next to the data rather
 * than use Powertools' persistence layer, which on a table with a sort key puts every record in one
 * partition.
 *
 * Two ways to use them:
 * - in the create's own transaction (`recordResponse`, place order): the record holds the response and
 *   commits with the order or not at all, and a retry finds it with the read the use case makes anyway;
 * - around the handler (`idempotencyStore`, the other creates): the middleware claims the key with an
 *   IN_PROGRESS lock, so a concurrent retry waits its turn, and stores the response once it is known.
 */
import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import * as z from 'zod/mini';
import { DomainError } from '../domain/errors.js';
import { clock } from '../platform/clock.js';
import { tableName } from '../platform/config.js';
import { documentClient } from './client.js';
import { defineEntity, schemaOf } from './entity.js';
import { guarded, put, type Guarded, type TableKey } from './transactions.js';

declare module './transactions.js' {
  interface Guards {
    /** No live record holds this Idempotency-Key yet. */
    idempotencyKeyUnused: true;
  }
}

const RECORD_TTL_SECONDS = 24 * 60 * 60;
const LOCK_MS = 30_000;

export interface StoredResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export interface IdempotencyRecord {
  status: 'IN_PROGRESS' | 'COMPLETE';
  requestHash: string;
  /** Epoch seconds: DynamoDB's TTL deletes the record some time after, so reads check it themselves. */
  expiresAt: number;
  lockedUntil?: number | undefined;
  response?: StoredResponse | undefined;
}

export const idempotencyEntity = defineEntity({
  name: 'idempotency',
  schema: schemaOf<IdempotencyRecord>()(
    z.object({
      status: z.enum(['IN_PROGRESS', 'COMPLETE']),
      requestHash: z.string(),
      expiresAt: z.number(),
      lockedUntil: z.optional(z.number()),
      response: z.optional(z.object({ statusCode: z.int(), headers: z.record(z.string(), z.string()), body: z.string() })),
    }),
  ),
  patterns: { PK: 'IDEMPOTENCY#<userId>#<sha256(key)>', SK: 'IDEMPOTENCY' },
  key: ({ userId, idempotencyKey }: { userId: string; idempotencyKey: string }): TableKey => ({
    PK: `IDEMPOTENCY#${userId}#${createHash('sha256').update(idempotencyKey).digest('base64url')}`,
    SK: 'IDEMPOTENCY',
  }),
});

export const hashRequest = (parts: unknown[]): string => createHash('sha256').update(JSON.stringify(parts)).digest('base64url');

/** A create asked to be idempotent: whose key, and the fingerprint of what was asked. */
export interface IdempotentRequest {
  userId: string;
  idempotencyKey: string;
  requestHash: string;
}

/** An idempotent create: the key's request, and the response its record keeps for a retry. */
export interface IdempotentCreate<V> {
  request: IdempotentRequest;
  respond: (view: V) => StoredResponse;
}

/**
 * The Idempotency-Key of a request (already validated by the HTTP middleware) with the fingerprint the
 * middleware takes of the same request: route, path parameters and body.
 */
export function idempotentRequest(event: APIGatewayProxyEventV2, userId: string, routeKey: string, path: unknown, body: unknown): IdempotentRequest | undefined {
  const idempotencyKey = event.headers?.['idempotency-key'];
  return idempotencyKey === undefined ? undefined : { userId, idempotencyKey, requestHash: hashRequest([routeKey, path, body]) };
}

const keyInUse = () => new DomainError('IDEMPOTENCY_KEY_IN_USE', 'A request with this Idempotency-Key is still being processed; retry shortly.');

const nowSeconds = () => Math.floor(clock.now().getTime() / 1000);
const live = (record: IdempotencyRecord | undefined): record is IdempotencyRecord => record !== undefined && record.expiresAt > nowSeconds();

/**
 * What a stored record answers to the same key: the first response, or why not. Undefined when there
 * is no live record, so the request runs.
 */
export function replayFor(request: IdempotentRequest, record: IdempotencyRecord | undefined): StoredResponse | undefined {
  if (!live(record)) return undefined;
  if (record.requestHash !== request.requestHash) throw new DomainError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used with a different request.');
  if (record.status !== 'COMPLETE' || !record.response) throw keyInUse();
  return record.response;
}

/** The response a create answers (201 with the resource and where it lives), as a record keeps it. */
export const created = (body: unknown, location: string): StoredResponse => ({ statusCode: 201, headers: { 'content-type': 'application/json', location }, body: JSON.stringify(body) });

/** A kept response as a handler returns it, marked as a replay (API.md). */
export const replayed = (response: StoredResponse) => ({ status: response.statusCode, headers: { ...response.headers, 'idempotent-replayed': 'true' }, body: response.body });

/** The record of a completed create, written in the create's own transaction. */
export function recordResponse(request: IdempotentRequest, response: StoredResponse): Guarded {
  const record: IdempotencyRecord = { status: 'COMPLETE', requestHash: request.requestHash, expiresAt: nowSeconds() + RECORD_TTL_SECONDS, response };
  // A record past its TTL that DynamoDB has not deleted yet no longer holds the key (`live` agrees: at
  // expiresAt it is gone).
  return guarded(
    'idempotencyKeyUnused',
    put(idempotencyEntity.item(record, { userId: request.userId, idempotencyKey: request.idempotencyKey }), { expression: 'attribute_not_exists(PK) OR expiresAt <= :now', values: { ':now': nowSeconds() } }),
  );
}

/** The key's record for a create's own transaction: none when the request carried no Idempotency-Key. */
export const keyRecordWrites = <V>(idempotency: IdempotentCreate<V> | undefined, view: V): Guarded[] =>
  idempotency ? [recordResponse(idempotency.request, idempotency.respond(view))] : [];

// ---- Around the handler (the middleware's store) ----

export interface IdempotencyClaim {
  key: TableKey;
  requestHash: string;
}

/** Claims the key, or returns the response stored by the first request with it. */
export async function claimIdempotencyKey(userId: string, idempotencyKey: string, requestHash: string): Promise<{ claim: IdempotencyClaim } | { replay: StoredResponse }> {
  const key = idempotencyEntity.key({ userId, idempotencyKey });
  const now = clock.now().getTime();
  try {
    await documentClient().send(
      new PutCommand({
        TableName: tableName(),
        Item: idempotencyEntity.item({ status: 'IN_PROGRESS', requestHash, lockedUntil: now + LOCK_MS, expiresAt: Math.floor(now / 1000) + RECORD_TTL_SECONDS }, { userId, idempotencyKey }),
        // A crashed first attempt leaves a stale lock; the same request may take it over once it has expired.
        ConditionExpression: 'attribute_not_exists(PK) OR expiresAt < :nowSeconds OR (#status = :inProgress AND lockedUntil < :now AND requestHash = :hash)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':inProgress': 'IN_PROGRESS', ':now': now, ':nowSeconds': Math.floor(now / 1000), ':hash': requestHash },
      }),
    );
    return { claim: { key, requestHash } };
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
  const { Item } = await documentClient().send(new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: true }));
  const replay = replayFor({ userId, idempotencyKey, requestHash }, Item && idempotencyEntity.parse(Item));
  // Gone between the two calls (its TTL passed): the client's retry claims it afresh.
  if (!replay) throw keyInUse();
  return { replay };
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
  await documentClient()
    .send(
      new DeleteCommand({
        TableName: tableName(),
        Key: claim.key,
        ConditionExpression: '#status = :inProgress AND requestHash = :hash',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':inProgress': 'IN_PROGRESS', ':hash': claim.requestHash },
      }),
    )
    .catch((error: unknown) => {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    });
}

/** What the HTTP middleware needs; functions with idempotent routes pass this to httpFunction. */
export const idempotencyStore = { claim: claimIdempotencyKey, complete: completeIdempotencyKey, release: releaseIdempotencyKey, hashRequest };
export type IdempotencyStore = typeof idempotencyStore;

/**
 * For functions whose idempotent routes record the key in the create's own transaction: the middleware
 * still validates the header, but claims and stores nothing (no extra call, no second record).
 */
export const recordedByUseCase: IdempotencyStore = {
  claim: async (_userId, _key, requestHash) => ({ claim: { key: { PK: '', SK: '' }, requestHash } }),
  complete: async () => undefined,
  release: async () => undefined,
  hashRequest,
};
