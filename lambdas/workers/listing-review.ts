/**
 * The listing-review queue's worker: each record asks to review one listing submission. Failures are
 * reported per record (partial batch response), so one bad record is retried — and ends in the DLQ —
 * without holding back the rest of the batch.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { logger } from '../platform/logger.js';
import { ListingReviewRequest, reviewSubmission } from '../services/listing-review.js';

const processor = new BatchProcessor(EventType.SQS);

async function handleRecord(record: SQSRecord): Promise<void> {
  const request = ListingReviewRequest.parse(JSON.parse(record.body));
  const outcome = await reviewSubmission(request);
  if (outcome === 'stale') logger.info('Listing review request no longer applies', { request });
}

export const handler = async (event: SQSEvent, context: Context) => processPartialResponse(event, handleRecord, processor, { context });
