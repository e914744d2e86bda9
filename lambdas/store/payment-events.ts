/**
 * What the payment providers' webhook needs to find and to remember: the order a payment backs (its
 * payment guard, written with the order), and each event applied once — its record is written in the
 * same transaction as its effect, so a redelivered or replayed event finds it and changes nothing.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { tableName } from '../platform/config.js';
import { documentClient } from './client.js';
import { defineEntity, nullableString, schemaOf } from './entity.js';
import { paymentEntity } from './orders.js';
import { guarded, putNew, type Write } from './transactions.js';

declare module './transactions.js' {
  interface Guards {
    /** This payment event (provider, eventId) was not applied before. */
    paymentEventUnseen: true;
  }
}

export interface PaymentEventRecord {
  provider: string;
  eventId: string;
  /** The order it named; null when no order holds its payment. */
  orderId: string | null;
  receivedAt: string;
}

export const paymentEventEntity = defineEntity({
  name: 'payment event',
  schema: schemaOf<PaymentEventRecord>()(z.object({ provider: z.string(), eventId: z.string(), orderId: nullableString, receivedAt: z.string() })),
  patterns: { PK: 'PAYMENTEVENT#<provider>#<eventId>', SK: 'PAYMENTEVENT' },
  key: ({ provider, eventId }: { provider: string; eventId: string }) => ({ PK: `PAYMENTEVENT#${provider}#${eventId}`, SK: 'PAYMENTEVENT' }),
});

/** Written with the event's effect: a second delivery of the same event fails here (guard `paymentEventUnseen`). */
export const paymentEventSeen = (record: PaymentEventRecord): Write => guarded('paymentEventUnseen', putNew(paymentEventEntity.item(record)));

/** The order a provider's payment backs, from its payment guard (one GetItem); undefined when none does. */
export async function orderIdOfPayment(provider: string, paymentReference: string): Promise<string | undefined> {
  const { Item } = await documentClient().send(new GetCommand({ TableName: tableName(), Key: paymentEntity.key({ provider, paymentReference }), ConsistentRead: true }));
  return Item ? paymentEntity.parse(Item).orderId : undefined;
}
