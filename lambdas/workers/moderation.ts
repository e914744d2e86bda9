/**
 * The moderation queue's worker: each record is one request to moderate a review revision or a seller
 * reply. Failures are reported per record (partial batch response), so one bad record is retried — and
 * ends in the DLQ — without holding back the rest of the batch.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { logger } from '../platform/logger.js';
import { moderate, ModerationRequest } from '../services/moderation.js';

const processor = new BatchProcessor(EventType.SQS);

async function handleRecord(record: SQSRecord): Promise<void> {
  const request = ModerationRequest.parse(JSON.parse(record.body));
  const outcome = await moderate(request);
  if (outcome === 'stale') logger.info('Moderation request no longer applies', { request });
}

export const handler = async (event: SQSEvent, context: Context) => processPartialResponse(event, handleRecord, processor, { context });
