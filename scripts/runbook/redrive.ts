/**
 * Redrive a dead-letter queue: move its messages back to the queue they failed in, so the worker
 * tries them again (workers are idempotent: a message delivered twice does its work once).
 *
 *   npx tsx scripts/runbook/redrive.ts <dead-letter-queue-url> <queue-url> [--max <n>]
 *
 * With the usual AWS credentials of the shell, or against the local host's SQS engine with
 * AWS_ENDPOINT_URL_SQS set. In AWS, `aws sqs start-message-move-task` does the same server-side
 * (docs/runbook.md); this script is the one that also runs locally, and it moves at most `--max`
 * messages, to try one poisoned message again before the rest.
 *
 * Each message is sent to the queue before it is deleted from the dead-letter queue: a crash in
 * between leaves a copy in both (delivered twice, harmless), never in neither.
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';

export interface RedriveResult {
  moved: number;
  /** Messages the queue refused: they stay in the dead-letter queue (visible again after a minute). */
  failed: number;
}

/** SQS's largest batch. */
const BATCH = 10;
/** Long enough to send and delete a batch; a message not deleted by then shows up in the DLQ again. */
const VISIBILITY_SECONDS = 60;

export async function redrive(client: SQSClient, deadLetterQueueUrl: string, queueUrl: string, max = Number.POSITIVE_INFINITY): Promise<RedriveResult> {
  const result: RedriveResult = { moved: 0, failed: 0 };
  while (result.moved + result.failed < max) {
    const { Messages = [] } = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: deadLetterQueueUrl,
        MaxNumberOfMessages: Math.min(BATCH, max - result.moved - result.failed),
        VisibilityTimeout: VISIBILITY_SECONDS,
        // Long polling asks every SQS server: an empty answer means the queue is empty, not unlucky.
        WaitTimeSeconds: 1,
        MessageAttributeNames: ['All'],
      }),
    );
    if (Messages.length === 0) break;
    const entries = Messages.map((message, index) => ({
      Id: String(index),
      MessageBody: message.Body ?? '',
      ...(message.MessageAttributes && Object.keys(message.MessageAttributes).length > 0 && { MessageAttributes: message.MessageAttributes }),
    }));
    const sent = await client.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
    const moved = new Set((sent.Successful ?? []).map((entry) => entry.Id));
    result.failed += Messages.length - moved.size;
    if (moved.size === 0) continue;
    const deletions = Messages.flatMap((message, index) => (moved.has(String(index)) && message.ReceiptHandle ? [{ Id: String(index), ReceiptHandle: message.ReceiptHandle }] : []));
    await client.send(new DeleteMessageBatchCommand({ QueueUrl: deadLetterQueueUrl, Entries: deletions }));
    result.moved += moved.size;
  }
  return result;
}

function parseArguments(argv: readonly string[]): { from: string; to: string; max: number } | undefined {
  const [from, to, flag, value] = argv;
  if (!from || !to) return undefined;
  if (flag === undefined) return { from, to, max: Number.POSITIVE_INFINITY };
  const max = Number(value);
  return flag === '--max' && Number.isInteger(max) && max > 0 ? { from, to, max } : undefined;
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
if (invokedDirectly) {
  const parsed = parseArguments(process.argv.slice(2));
  if (!parsed) {
    process.stderr.write('usage: npx tsx scripts/runbook/redrive.ts <dead-letter-queue-url> <queue-url> [--max <n>]\n');
    process.exitCode = 2;
  } else {
    // An explicit endpoint (the local engine) is where to go, whatever host the queue URLs name: the
    // SDK would otherwise send to the URL's host, and `sqs.<region>.localhost` resolves in no shell.
    const client = new SQSClient({ useQueueUrlAsEndpoint: process.env.AWS_ENDPOINT_URL_SQS === undefined });
    const { moved, failed } = await redrive(client, parsed.from, parsed.to, parsed.max);
    client.destroy();
    process.stdout.write(`moved ${moved} message(s) back to ${parsed.to}${failed > 0 ? `; ${failed} refused, still in the dead-letter queue` : ''}\n`);
    if (failed > 0) process.exitCode = 1;
  }
}
