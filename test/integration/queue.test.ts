/**
 * Messages sent without the SQS client (store/queue.ts) reach the queue the local engine runs, which
 * speaks only SQS's JSON protocol, as AWS does for current clients: the body arrives as sent, with the
 * system attributes a worker reads, and an error answer is thrown with its AWS error type.
 */
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngines, type Engines } from '../../lib/local/engines.js';
import { QueueError, sendToQueue } from '../../lambdas/store/queue.js';

let engines: Engines;
let sqs: SQSClient;
const saved = { ...process.env };

beforeAll(async () => {
  engines = await startEngines();
  Object.assign(process.env, engines.environment);
  sqs = new SQSClient({});
});
afterAll(async () => {
  sqs.destroy();
  await engines.stop();
  process.env = saved;
});

describe('sendToQueue against the local SQS engine', () => {
  it('delivers the message body as sent, with its system attributes', async () => {
    const message = { disputeId: 'dsp_01ARZ3NDEKTSV4RRFFQ69G5FAV', note: 'ünïcødé & "quotes"' };
    const before = Date.now();
    await sendToQueue('disputes', message);
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: engines.queueUrls.disputes, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageSystemAttributeNames: ['All'] }));
    expect(Messages).toHaveLength(1);
    const [received] = Messages;
    expect(JSON.parse(received?.Body ?? '')).toEqual(message);
    expect(Number(received?.Attributes?.SentTimestamp)).toBeGreaterThanOrEqual(before - 1000);
    expect(received?.Attributes?.ApproximateReceiveCount).toBe('1');
    await sqs.send(new DeleteMessageCommand({ QueueUrl: engines.queueUrls.disputes, ReceiptHandle: received?.ReceiptHandle }));
  });

  it('sends to the queue its variable names, not another', async () => {
    await sendToQueue('moderation', { revisionId: 'rev_1' });
    const other = await sqs.send(new ReceiveMessageCommand({ QueueUrl: engines.queueUrls.disputes, WaitTimeSeconds: 0 }));
    expect(other.Messages ?? []).toHaveLength(0);
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: engines.queueUrls.moderation, WaitTimeSeconds: 1 }));
    expect(Messages.map((received) => JSON.parse(received.Body ?? ''))).toEqual([{ revisionId: 'rev_1' }]);
    await sqs.send(new DeleteMessageCommand({ QueueUrl: engines.queueUrls.moderation, ReceiptHandle: Messages[0]?.ReceiptHandle }));
  });

  it("throws the queue's error with its AWS error type", async () => {
    process.env.QUEUE_URL_DISPUTES = engines.queueUrls.disputes.replace(/[^/]+$/, 'no-such-queue');
    try {
      const failure = await sendToQueue('disputes', { disputeId: 'x' }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(QueueError);
      expect((failure as QueueError).name).toBe('QueueDoesNotExist');
      expect((failure as QueueError).status).toBe(400);
    } finally {
      process.env.QUEUE_URL_DISPUTES = engines.queueUrls.disputes;
    }
  });
});
