/**
 * The simulated payment provider's own records (lambdas/payments/simulated.ts). They stand in for the
 * provider's database, so they live in the table but never in a transaction with our own state: a real
 * provider is called, not written with.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import type { Money } from '../domain/money.js';
import { tableName } from '../platform/config.js';
import { documentClient } from './client.js';
import { defineEntity, MoneySchema, schemaOf } from './entity.js';

/** A simulated payment: authorized on first use and bound to that buyer and amount from then on. */
export interface SimulatedPayment {
  reference: string;
  buyerId: string;
  amount: Money;
  authorizedAt: string;
}

export const simulatedPaymentEntity = defineEntity({
  name: 'simulatedPayment',
  schema: schemaOf<SimulatedPayment>()(z.object({ reference: z.string(), buyerId: z.string(), amount: MoneySchema, authorizedAt: z.string() })),
  patterns: { PK: 'SIMPAY#<reference>', SK: 'PAYMENT' },
  key: ({ reference }: { reference: string }) => ({ PK: `SIMPAY#${reference}`, SK: 'PAYMENT' }),
});

/** How many of the next refund attempts the simulated provider fails (POST /local/payments/failures). */
export const simulatedFailuresEntity = defineEntity({
  name: 'simulatedFailures',
  schema: schemaOf<{ remaining: number }>()(z.object({ remaining: z.int() })),
  patterns: { PK: 'SIMPAY#FAILURES', SK: 'REFUNDS' },
  key: () => ({ PK: 'SIMPAY#FAILURES', SK: 'REFUNDS' }),
});

/**
 * The payment bound to `reference`: the one stored, or `candidate` when the reference was unused (then
 * it is now bound to it). Two first uses at once: the condition lets one win, and both read its binding.
 */
export async function bindSimulatedPayment(candidate: SimulatedPayment): Promise<SimulatedPayment> {
  const key = simulatedPaymentEntity.key(candidate);
  const { Item } = await documentClient().send(new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: true }));
  if (Item) return simulatedPaymentEntity.parse(Item);
  try {
    await documentClient().send(new PutCommand({ TableName: tableName(), Item: simulatedPaymentEntity.item(candidate), ConditionExpression: 'attribute_not_exists(PK)' }));
    return candidate;
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    return bindSimulatedPayment(candidate);
  }
}

export async function setSimulatedFailures(count: number): Promise<void> {
  await documentClient().send(new PutCommand({ TableName: tableName(), Item: simulatedFailuresEntity.item({ remaining: count }) }));
}

/** Takes one of the failures still owed, atomically: true means this attempt must fail. */
export async function takeSimulatedFailure(): Promise<boolean> {
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: simulatedFailuresEntity.key({}),
        UpdateExpression: 'SET remaining = remaining - :one',
        ConditionExpression: 'remaining > :zero',
        ExpressionAttributeValues: { ':one': 1, ':zero': 0 },
      }),
    );
    return true;
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    return false;
  }
}
