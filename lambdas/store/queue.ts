/**
 * Sending to the manifest's queues without the SQS client (docs/decisions/014-lean-lambda-bundles.md):
 * SendMessage is one POST in SQS's JSON protocol (`x-amz-target: AmazonSQS.SendMessage`,
 * `application/x-amz-json-1.0`), signed with the same SigV4 signer the media bucket uses. The client
 * would add about 25 KB to every function that sends, for this single call. The signature is checked
 * against SigV4 as AWS documents it in test/unit/queue.test.ts; delivery against the local engine in
 * test/integration/queue.test.ts.
 */
import { createHash } from 'node:crypto';
import type { QueueName } from '../../lib/manifest.js';
import { signAwsJsonCall } from '../platform/aws-json-request.js';
import { queueUrlVariable, region, required } from '../platform/config.js';

/** An error SQS answered with; `name` is its AWS error type (`QueueDoesNotExist`, `AccessDenied`, …), as the SDK names it. */
export class QueueError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = type;
  }
}


/** `AWS_ENDPOINT_URL_SQS` when set (the local engines), else the regional SQS endpoint. */
const endpoint = (): URL => new URL(process.env.AWS_ENDPOINT_URL_SQS ?? `https://sqs.${region()}.amazonaws.com`);

/** The signed SendMessage request for one message to a manifest queue (exported for the signature test). */
export async function signSendMessage(queue: QueueName, message: Record<string, unknown>, signingDate?: Date): Promise<{ url: URL; body: string; messageBody: string; headers: Record<string, string> }> {
  const url = endpoint();
  const messageBody = JSON.stringify(message);
  const body = JSON.stringify({ QueueUrl: required(queueUrlVariable(queue)), MessageBody: messageBody });
  const headers = await signAwsJsonCall({ service: 'sqs', endpoint: url, target: 'AmazonSQS.SendMessage', jsonVersion: '1.0', body, signingDate });
  return { url, body, messageBody, headers };
}

/** `com.amazonaws.sqs#QueueDoesNotExist` → `QueueDoesNotExist`. */
const errorType = (raw: unknown): string => (typeof raw === 'string' && raw !== '' ? (raw.split('#').pop() ?? raw) : 'UnknownError');

/** Sends one message to a manifest queue; the caller's function must declare it in `sendsTo`. */
export async function sendToQueue(queue: QueueName, message: Record<string, unknown>): Promise<void> {
  const { url, body, messageBody, headers } = await signSendMessage(queue, message);
  const response = await fetch(url, { method: 'POST', headers, body });
  const text = await response.text();
  let answer: Record<string, unknown> = {};
  try {
    answer = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // A proxy or load balancer may answer with something else than JSON; the status still tells.
  }
  if (!response.ok) {
    const detail = answer.message ?? answer.Message;
    throw new QueueError(errorType(answer.__type), `SendMessage to the ${queue} queue failed (${response.status}): ${typeof detail === 'string' ? detail : text.slice(0, 200)}`, response.status);
  }
  // What the SQS client checks too: the queue stored the body that was sent.
  if (answer.MD5OfMessageBody !== createHash('md5').update(messageBody).digest('hex')) {
    throw new QueueError('InvalidChecksum', `SendMessage to the ${queue} queue: the stored body's MD5 does not match the one sent.`, response.status);
  }
}
