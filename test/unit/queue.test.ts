/**
 * SendMessage is signed without the SQS client, and the local engine checks no signatures, so the
 * Authorization header is recomputed here with SigV4 header signing as AWS documents it.
 */
import { createHash, createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signSendMessage } from '../../lambdas/store/queue.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/aftersale-disputes';
const saved = { ...process.env };
beforeAll(() => {
  Object.assign(process.env, { AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: SECRET, QUEUE_URL_DISPUTES: QUEUE_URL });
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_ENDPOINT_URL_SQS;
});
afterAll(() => {
  process.env = saved;
});

const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();
const sha256 = (data: string) => createHash('sha256').update(data).digest('hex');

/** The signature AWS computes for a header-signed POST to `/`, over the headers the request says it signed. */
function expectedAuthorization(headers: Record<string, string>, body: string, region: string): string {
  const lower = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value.trim()]));
  const signedHeaders = /SignedHeaders=([^,]+)/.exec(lower.authorization ?? '')?.[1] ?? '';
  const names = signedHeaders.split(';');
  const canonicalRequest = ['POST', '/', '', ...names.map((name) => `${name}:${lower[name]}`), '', signedHeaders, sha256(body)].join('\n');
  const amzDate = lower['x-amz-date'] ?? '';
  const scope = `${amzDate.slice(0, 8)}/${region}/sqs/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${SECRET}`, amzDate.slice(0, 8)), region), 'sqs'), 'aws4_request');
  return `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/${scope}, SignedHeaders=${signedHeaders}, Signature=${createHmac('sha256', key).update(toSign).digest('hex')}`;
}

describe('SendMessage requests', () => {
  it('are JSON-protocol POSTs to the regional endpoint naming the queue and the body', async () => {
    const { url, body, headers } = await signSendMessage('disputes', { disputeId: 'dsp_1' }, new Date('2026-11-25T10:00:00Z'));
    expect(url.href).toBe('https://sqs.eu-west-1.amazonaws.com/');
    expect(JSON.parse(body)).toEqual({ QueueUrl: QUEUE_URL, MessageBody: '{"disputeId":"dsp_1"}' });
    expect(headers).toMatchObject({ 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.SendMessage', 'x-amz-date': '20261125T100000Z' });
  });

  it('carry the SigV4 signature of their method, headers and body, for the sqs service of the region', async () => {
    const { body, headers } = await signSendMessage('disputes', { disputeId: 'dsp_1' }, new Date('2026-11-25T10:00:00Z'));
    const signedHeaders = /SignedHeaders=([^,]+)/.exec(headers.authorization ?? '')?.[1]?.split(';');
    expect(signedHeaders).toEqual(expect.arrayContaining(['host', 'content-type', 'x-amz-target', 'x-amz-date']));
    expect(headers.authorization).toBe(expectedAuthorization(headers, body, 'eu-west-1'));
  });

  it('sign the session token of temporary credentials too, as Lambda has', async () => {
    process.env.AWS_SESSION_TOKEN = 'token/with+special=chars';
    try {
      const { body, headers } = await signSendMessage('disputes', { disputeId: 'dsp_1' }, new Date('2026-11-25T10:00:00Z'));
      expect(headers['x-amz-security-token']).toBe('token/with+special=chars');
      expect(headers.authorization).toContain('x-amz-security-token');
      expect(headers.authorization).toBe(expectedAuthorization(headers, body, 'eu-west-1'));
    } finally {
      delete process.env.AWS_SESSION_TOKEN;
    }
  });

  it('go to AWS_ENDPOINT_URL_SQS when it is set (the local engines)', async () => {
    process.env.AWS_ENDPOINT_URL_SQS = 'http://sqs.us-east-1.localhost:4566';
    try {
      const { url, headers } = await signSendMessage('disputes', { disputeId: 'dsp_1' });
      expect(url.href).toBe('http://sqs.us-east-1.localhost:4566/');
      expect(headers.host).toBe('sqs.us-east-1.localhost:4566');
    } finally {
      delete process.env.AWS_ENDPOINT_URL_SQS;
    }
  });
});
