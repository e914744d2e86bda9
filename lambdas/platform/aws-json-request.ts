/**
 * One signed POST in an AWS JSON protocol (`x-amz-target`, `application/x-amz-json-1.x`): how the platform
 * calls SQS SendMessage (store/queue.ts) and EventBridge PutEvents (platform/event-bus.ts) without their SDK
 * clients, which would each bring their own copy of the protocol code for one call (decisions 014 and 026).
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { region } from './config.js';

export interface AwsJsonCall {
  /** The SigV4 signing name: `sqs`, `events`. */
  service: string;
  endpoint: URL;
  /** `AmazonSQS.SendMessage`, `AWSEvents.PutEvents`. */
  target: string;
  jsonVersion: '1.0' | '1.1';
  body: string;
  signingDate?: Date;
}

const signers = new Map<string, SignatureV4>();
const signerFor = (service: string): SignatureV4 => {
  let signer = signers.get(service);
  if (!signer) {
    signer = new SignatureV4({ credentials: fromEnv(), region: region(), service, sha256: Hash.bind(null, 'sha256'), applyChecksum: false });
    signers.set(service, signer);
  }
  return signer;
};

/** The signed headers of the call (the body is sent as given). */
export async function signAwsJsonCall(call: AwsJsonCall): Promise<Record<string, string>> {
  const url = call.endpoint;
  const request = new HttpRequest({
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    method: 'POST',
    path: url.pathname,
    headers: { host: url.host, 'content-type': `application/x-amz-json-${call.jsonVersion}`, 'x-amz-target': call.target },
    body: call.body,
  });
  const signed = await signerFor(call.service).sign(request, call.signingDate ? { signingDate: call.signingDate } : {});
  return signed.headers;
}
