/**
 * The simulated payment provider's own records (lambdas/payments/simulated.ts). They stand in for the
 * provider's database. A payment's binding is written in the transaction of the order it pays for (a
 * guarded write the provider hands to placement), so verifying a simulated payment costs no call of its
 * own; the refund failures still owed are the provider's alone and are written on their own.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import type { Money } from '../domain/money.js';
import { tableName } from '../platform/config.js';
import { documentClient } from './client.js';
import { defineEntity, MoneySchema, schemaOf } from './entity.js';
import { guarded, put, type Write } from './transactions.js';

declare module './transactions.js' {
  interface Guards {
    /** A simulated payment reference is unbound, or bound to this very buyer, amount and currency. */
    paymentBound: true;
  }
}

/** A simulated payment: authorized by the first order placed with it, and bound to that buyer and amount from then on. */
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
 * Binds `payment.reference` to its buyer and amount unless it is bound already, and then only to this
 * same buyer, amount and currency: written in the order's transaction, so the binding commits with the
 * order it pays for, and two placements racing for one reference cannot both see it unbound. Rewriting
 * a matching binding changes nothing but `authorizedAt`; the order's single-use guard decides reuse.
 */
export const simulatedPaymentBinding = (payment: SimulatedPayment): Write =>
  guarded(
    'paymentBound',
    put(simulatedPaymentEntity.item(payment), {
      expression: 'attribute_not_exists(PK) OR (buyerId = :buyerId AND #amount.#amount = :amount AND #amount.currency = :currency)',
      names: { '#amount': 'amount' },
      values: { ':buyerId': payment.buyerId, ':amount': payment.amount.amount, ':currency': payment.amount.currency },
    }),
  );

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
