/** The webhook-delivery queue's worker: one notification per record, partial batch failures reported. */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { NotificationDispatch } from '../services/notifications.js';
import { takeForDelivery } from '../services/webhook-deliveries.js';

const processor = new BatchProcessor(EventType.SQS);

async function handleRecord(record: SQSRecord): Promise<void> {
  await takeForDelivery(NotificationDispatch.parse(JSON.parse(record.body)));
}

export const handler = async (event: SQSEvent, context: Context) => processPartialResponse(event, handleRecord, processor, { context });
