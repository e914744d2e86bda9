/**
 * Download links are signed without an S3 client, and no emulator here checks signatures, so the
 * signature is checked against SigV4 query-string signing as AWS documents it, recomputed independently.
 * Also: where each URL points (virtual-hosted in AWS, path-style on an IP endpoint) and the key layout.
 */
import { createHash, createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { presignDownload } from '../../lambdas/store/files.js';

const saved = { ...process.env };
beforeAll(() => {
  Object.assign(process.env, { AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', BUCKET_NAME: 'aftersale-media' });
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_ENDPOINT_URL_S3;
});
afterAll(() => {
  process.env = saved;
});

const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();
const encode = (value: string) => encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function expectedSignature(url: URL, secret: string, region: string): string {
  const params = [...url.searchParams.entries()].filter(([name]) => name !== 'X-Amz-Signature').sort(([a], [b]) => (a < b ? -1 : 1));
  const canonicalQuery = params.map(([name, value]) => `${encode(name)}=${encode(value)}`).join('&');
  const canonicalRequest = ['GET', url.pathname, canonicalQuery, `host:${url.host}\n`, 'host', 'UNSIGNED-PAYLOAD'].join('\n');
  const amzDate = url.searchParams.get('X-Amz-Date') as string;
  const scope = `${amzDate.slice(0, 8)}/${region}/s3/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, createHash('sha256').update(canonicalRequest).digest('hex')].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, amzDate.slice(0, 8)), region), 's3'), 'aws4_request');
  return createHmac('sha256', key).update(toSign).digest('hex');
}

describe('download links', () => {
  it('are SigV4 query-signed GETs of the object, valid for 15 minutes', async () => {
    const link = new URL(await presignDownload('review-media/upl_01ARZ3NDEKTSV4RRFFQ69G5FAV', { signingDate: new Date('2026-11-25T10:00:00Z') }));
    expect(link.host).toBe('aftersale-media.s3.eu-west-1.amazonaws.com');
    expect(link.pathname).toBe('/review-media/upl_01ARZ3NDEKTSV4RRFFQ69G5FAV');
    expect(Object.fromEntries(link.searchParams)).toMatchObject({
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Credential': 'AKIDEXAMPLE/20261125/eu-west-1/s3/aws4_request',
      'X-Amz-Date': '20261125T100000Z',
      'X-Amz-Expires': '900',
      'X-Amz-SignedHeaders': 'host',
    });
    expect(link.searchParams.get('X-Amz-Signature')).toBe(expectedSignature(link, 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', 'eu-west-1'));
  });

  it('sign the session token of temporary credentials too, as Lambda has', async () => {
    process.env.AWS_SESSION_TOKEN = 'token/with+special=chars';
    const link = new URL(await presignDownload('dispute-evidence/upl_01ARZ3NDEKTSV4RRFFQ69G5FAW', { signingDate: new Date('2026-11-25T10:00:00Z') }));
    delete process.env.AWS_SESSION_TOKEN;
    expect(link.searchParams.get('X-Amz-Security-Token')).toBe('token/with+special=chars');
    expect(link.searchParams.get('X-Amz-Signature')).toBe(expectedSignature(link, 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', 'eu-west-1'));
  });
});

describe('upload forms (presigned POST)', () => {
  it('sign a policy pinning key, type and size with the SigV4 key of the day', async () => {
    const { presignUpload } = await import('../../lambdas/store/files.js');
    const form = await presignUpload('incoming/review-media/upl_01ARZ3NDEKTSV4RRFFQ69G5FAV', 'image/png', 10_485_760, { now: new Date('2026-11-25T10:00:00Z') });
    expect(form.url).toBe('https://aftersale-media.s3.eu-west-1.amazonaws.com/');
    const policy = JSON.parse(Buffer.from(form.fields.Policy as string, 'base64').toString('utf8')) as { expiration: string; conditions: unknown[] };
    expect(policy.expiration).toBe('2026-11-25T10:15:00.000Z');
    expect(policy.conditions).toEqual(
      expect.arrayContaining([
        ['eq', '$key', 'incoming/review-media/upl_01ARZ3NDEKTSV4RRFFQ69G5FAV'],
        ['eq', '$Content-Type', 'image/png'],
        ['content-length-range', 1, 10_485_760],
        { bucket: 'aftersale-media' },
        { 'X-Amz-Credential': 'AKIDEXAMPLE/20261125/eu-west-1/s3/aws4_request' },
        { 'X-Amz-Algorithm': 'AWS4-HMAC-SHA256' },
        { 'X-Amz-Date': '20261125T100000Z' },
      ]),
    );
    // Every field posted with the file is covered by the policy (S3 refuses unlisted fields).
    for (const [name, value] of Object.entries(form.fields)) {
      if (name === 'Policy' || name === 'X-Amz-Signature') continue;
      expect(policy.conditions).toContainEqual(name === 'key' ? { key: value } : { [name]: value });
    }
    const key = hmac(hmac(hmac(hmac('AWS4wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', '20261125'), 'eu-west-1'), 's3'), 'aws4_request');
    expect(form.fields['X-Amz-Signature']).toBe(createHmac('sha256', key).update(form.fields.Policy as string).digest('hex'));
  });
});

describe('copies (header-signed CopyObject)', () => {
  it('sign host, copy source, payload hash and date as SigV4 prescribes', async () => {
    const { signCopy } = await import('../../lambdas/store/files.js');
    const { url, signed } = await signCopy('review-media/upl_01ARZ3NDEKTSV4RRFFQ69G5FAV', 'review-media-published/rev_1/upl_01ARZ3NDEKTSV4RRFFQ69G5FAV', new Date('2026-11-25T10:00:00Z'));
    expect(url.toString()).toBe('https://aftersale-media.s3.eu-west-1.amazonaws.com/review-media-published/rev_1/upl_01ARZ3NDEKTSV4RRFFQ69G5FAV');
    const headers = Object.fromEntries(Object.entries(signed.headers).map(([name, value]) => [name.toLowerCase(), value]));
    expect(headers['x-amz-copy-source']).toBe('/aftersale-media/review-media/upl_01ARZ3NDEKTSV4RRFFQ69G5FAV');
    const signedNames = ['host', 'x-amz-content-sha256', 'x-amz-copy-source', 'x-amz-date'];
    const canonicalRequest = ['PUT', url.pathname, '', ...signedNames.map((name) => `${name}:${headers[name]}`), '', signedNames.join(';'), 'UNSIGNED-PAYLOAD'].join('\n');
    const toSign = ['AWS4-HMAC-SHA256', '20261125T100000Z', '20261125/eu-west-1/s3/aws4_request', createHash('sha256').update(canonicalRequest).digest('hex')].join('\n');
    const key = hmac(hmac(hmac(hmac('AWS4wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', '20261125'), 'eu-west-1'), 's3'), 'aws4_request');
    expect(headers.authorization).toBe(
      `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261125/eu-west-1/s3/aws4_request, SignedHeaders=${signedNames.join(';')}, Signature=${createHmac('sha256', key).update(toSign).digest('hex')}`,
    );
  });
});

describe('addressing', () => {
  it('is path-style on an IP-address endpoint (the local host), still signed over the path it uses', async () => {
    const { presignUpload, signCopy } = await import('../../lambdas/store/files.js');
    process.env.AWS_ENDPOINT_URL_S3 = 'http://127.0.0.1:4566';
    try {
      const link = new URL(await presignDownload('owned/review-media/upl_01ARZ3NDEKTSV4RRFFQ69G5FAV.0a1b2c3d4e5f', { signingDate: new Date('2026-11-25T10:00:00Z') }));
      expect(link.host).toBe('127.0.0.1:4566');
      expect(link.pathname).toBe('/aftersale-media/owned/review-media/upl_01ARZ3NDEKTSV4RRFFQ69G5FAV.0a1b2c3d4e5f');
      expect(link.searchParams.get('X-Amz-Signature')).toBe(expectedSignature(link, 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', 'eu-west-1'));
      const form = await presignUpload('incoming/review-media/upl_01ARZ3NDEKTSV4RRFFQ69G5FAV', 'image/png', 1000);
      expect(form.url).toBe('http://127.0.0.1:4566/aftersale-media');
      const { url } = await signCopy('incoming/kyc/upl_1', 'private/kyc/upl_1.0a1b2c3d4e5f');
      expect(url.toString()).toBe('http://127.0.0.1:4566/aftersale-media/private/kyc/upl_1.0a1b2c3d4e5f');
    } finally {
      delete process.env.AWS_ENDPOINT_URL_S3;
    }
  });

  it('is virtual-hosted on a named endpoint, as AWS wants', async () => {
    process.env.AWS_ENDPOINT_URL_S3 = 'https://s3.example.test';
    try {
      expect(new URL(await presignDownload('owned/messages/upl_1.0a1b2c3d4e5f')).host).toBe('aftersale-media.s3.example.test');
    } finally {
      delete process.env.AWS_ENDPOINT_URL_S3;
    }
  });
});

describe('key layout', () => {
  it('keeps uploads under incoming/, checked copies under owned/, identity documents under private/', async () => {
    const { incomingKey, isOwnedKey, newOwnedKey } = await import('../../lambdas/store/files.js');
    expect(incomingKey('listing-image', 'upl_1')).toBe('incoming/listing-images/upl_1');
    expect(newOwnedKey('dispute-evidence', 'upl_1')).toMatch(/^owned\/dispute-evidence\/upl_1\.[0-9a-f]{12}$/);
    expect(newOwnedKey('kyc-document', 'upl_1')).toMatch(/^private\/kyc\/upl_1\.[0-9a-f]{12}$/);
    // Every copy its own key: two adoptions of one upload never overwrite each other.
    expect(newOwnedKey('review-media', 'upl_1')).not.toBe(newOwnedKey('review-media', 'upl_1'));
    expect([incomingKey('review-media', 'upl_1'), newOwnedKey('review-media', 'upl_1'), newOwnedKey('kyc-document', 'upl_1')].map(isOwnedKey)).toEqual([false, true, true]);
  });
});
