/**
 * The timerShards queue's worker: sweeps one shard of the due index per record (a work item the timers
 * job planned), and reports the records it could not sweep so only those are delivered again.
 */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { addSweepResults, noneSwept, ShardWork, sweepShard, type SweepResult } from '../jobs/timers.js';
import { logger } from '../platform/logger.js';

/**
 * What Lambda reads is `batchItemFailures`; it ignores the counts beside it, which the local host adds up
 * to answer `POST /local/jobs/timers` with the timers the sweep fired.
 */
export type TimerShardResponse = SQSBatchResponse & SweepResult;

/** Stops firing this long before the function's timeout, to record its progress and answer. */
const WRAP_UP_MS = 15_000;

export const handler = async (event: SQSEvent, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<TimerShardResponse> => {
  const stopAt = context ? Date.now() + context.getRemainingTimeInMillis() - WRAP_UP_MS : undefined;
  const outcomes = await Promise.allSettled(event.Records.map(async (record) => sweepShard(ShardWork.parse(JSON.parse(record.body)), { stopAt })));
  let swept = noneSwept;
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const [index, outcome] of outcomes.entries()) {
    const record = event.Records[index]!;
    if (outcome.status === 'fulfilled') swept = addSweepResults(swept, outcome.value);
    else {
      logger.error('Timer shard sweep failed; the record is delivered again', { messageId: record.messageId, body: record.body, error: outcome.reason as Error });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  if (swept.stoppedEarly) logger.warn('Timer shard sweep ran out of time; the next run goes on from where it stopped', { ...swept });
  else if (swept.processed + swept.failed > 0) logger.info('Timer shard swept', { ...swept });
  return { batchItemFailures, ...swept };
};
