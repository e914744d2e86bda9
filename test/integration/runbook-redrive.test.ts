/**
 * docs/runbook.md "Redrive a dead-letter queue", run as written against the local SQS engine: a message
 * that failed maxReceiveCount times is parked in the DLQ by the queue's own redrive policy, and the
 * script puts it back in the work queue, attributes and all.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngines, type Engines } from '../../lib/local/engines.js';
import { queues } from '../../lib/manifest.js';
import { redrive } from '../../scripts/runbook/redrive.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));

let engines: Engines;
let sqs: SQSClient;
beforeAll(async () => {
  engines = await startEngines();
  sqs = new SQSClient({ endpoint: engines.environment['AWS_ENDPOINT_URL_SQS'], region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
});
afterAll(async () => {
  sqs.destroy();
  await engines.stop();
});

async function depth(queueUrl: string): Promise<number> {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
  return Number(Attributes?.['ApproximateNumberOfMessages']) + Number(Attributes?.['ApproximateNumberOfMessagesNotVisible']);
}

/** Receives (and never deletes) until the queue's redrive policy moves the message to the DLQ, as a failing worker would. */
async function failUntilDeadLettered(queue: keyof typeof queues): Promise<void> {
  for (let attempt = 0; attempt <= queues[queue].maxReceiveCount; attempt += 1) {
    await sqs.send(new ReceiveMessageCommand({ QueueUrl: engines.queueUrls[queue], VisibilityTimeout: 0, WaitTimeSeconds: 0 }));
  }
}

async function receiveAll(queueUrl: string): Promise<{ body: string; attributes: Record<string, unknown> }[]> {
  const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], VisibilityTimeout: 30 }));
  return Messages.map((message) => ({ body: message.Body ?? '', attributes: message.MessageAttributes ?? {} }));
}

describe('redrive a dead-letter queue', () => {
  it('puts a message that exhausted its receives back in its work queue, from the command line', async () => {
    const body = JSON.stringify({ kind: 'MODERATE_REVISION', reviewId: 'rv_runbook' });
    await sqs.send(
      new SendMessageCommand({ QueueUrl: engines.queueUrls.moderation, MessageBody: body, MessageAttributes: { origin: { DataType: 'String', StringValue: 'runbook-test' } } }),
    );
    await failUntilDeadLettered('moderation');
    expect(await depth(engines.dlqUrls.moderation)).toBe(1);
    expect(await depth(engines.queueUrls.moderation)).toBe(0);

    // A child process does not share this process's *.localhost resolution: the engine's port on 127.0.0.1.
    const port = new URL(engines.environment['AWS_ENDPOINT_URL_SQS'] ?? '').port;
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'scripts/runbook/redrive.ts', engines.dlqUrls.moderation, engines.queueUrls.moderation], {
      cwd: root,
      env: { ...process.env, ...engines.environment, AWS_ENDPOINT_URL_SQS: `http://127.0.0.1:${port}` },
    });

    expect(stdout).toBe(`moved 1 message(s) back to ${engines.queueUrls.moderation}\n`);
    expect(await depth(engines.dlqUrls.moderation)).toBe(0);
    expect(await receiveAll(engines.queueUrls.moderation)).toEqual([
      { body, attributes: { origin: expect.objectContaining({ DataType: 'String', StringValue: 'runbook-test' }) as unknown } },
    ]);
  }, 60_000);

  it('moves at most --max messages, leaving the rest dead-lettered', async () => {
    const bodies = ['1', '2', '3', '4', '5'].map((n) => JSON.stringify({ disputeId: `dp_${n}` }));
    for (const body of bodies) await sqs.send(new SendMessageCommand({ QueueUrl: engines.dlqUrls.disputes, MessageBody: body }));

    expect(await redrive(sqs, engines.dlqUrls.disputes, engines.queueUrls.disputes, 2)).toEqual({ moved: 2, failed: 0 });
    expect(await depth(engines.queueUrls.disputes)).toBe(2);
    expect(await depth(engines.dlqUrls.disputes)).toBe(3);

    expect(await redrive(sqs, engines.dlqUrls.disputes, engines.queueUrls.disputes)).toEqual({ moved: 3, failed: 0 });
    expect(await depth(engines.dlqUrls.disputes)).toBe(0);
    const moved = [...(await receiveAll(engines.queueUrls.disputes)), ...(await receiveAll(engines.queueUrls.disputes))].map((message) => message.body);
    expect(moved.sort()).toEqual([...bodies].sort());
  }, 60_000);

  it('refuses a call without both queue URLs', async () => {
    await expect(run(process.execPath, ['--import', 'tsx', 'scripts/runbook/redrive.ts', engines.dlqUrls.disputes], { cwd: root })).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('usage:') as unknown,
    });
  });
});
