/** The disputes queue's worker: one escalated dispute per record, partial batch failures reported. */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { buildCaseFile, CaseFileRequest } from '../services/case-files.js';

const processor = new BatchProcessor(EventType.SQS);

async function handleRecord(record: SQSRecord): Promise<void> {
  await buildCaseFile(CaseFileRequest.parse(JSON.parse(record.body)).disputeId);
}

export const handler = async (event: SQSEvent, context: Context) => processPartialResponse(event, handleRecord, processor, { context });
