/**
 * Who is speaking on the carrier webhook: each carrier signs with its own secret (platform/config.ts
 * `carriers`), in its own scheme — ours (`Aftersale-Signature`, platform/webhook-signature.ts) or
 * AfterShip's (`aftership-hmac-sha256`, a base64 HMAC of the body). The secrets live in Secrets Manager
 * in AWS and are read once per cold start; the local host generates them per run.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { DomainError } from '../domain/errors.js';
import { carriers, env, region, type CarrierSlug } from './config.js';
import { SIGNATURE_HEADER, bodyHmacBase64, signWebhook, verifyBodyHmacBase64, verifyWebhook } from './webhook-signature.js';

export const AFTERSHIP_SIGNATURE_HEADER = 'aftership-hmac-sha256';

const parseMap = (name: string): Record<string, string> | undefined => {
  const raw = process.env[name];
  return raw ? (JSON.parse(raw) as Record<string, string>) : undefined;
};

/**
 * GetSecretValue, signed with the function's role credentials and sent with fetch: one JSON call does
 * not justify the Secrets Manager client in the bundle (the reasoning of decision 009). The payment
 * provider's key is read the same way (lambdas/payments/provider.ts).
 */
export async function getSecretValue(secretId: string): Promise<string> {
  const host = `secretsmanager.${region()}.amazonaws.com`;
  const body = JSON.stringify({ SecretId: secretId });
  const request = new HttpRequest({
    method: 'POST',
    protocol: 'https:',
    hostname: host,
    path: '/',
    headers: { host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'secretsmanager.GetSecretValue' },
    body,
  });
  const signer = new SignatureV4({ credentials: fromEnv(), region: region(), service: 'secretsmanager', sha256: Hash.bind(null, 'sha256') });
  const signed = await signer.sign(request);
  const response = await fetch(`https://${host}/`, { method: 'POST', headers: signed.headers, body });
  if (!response.ok) throw new Error(`Reading secret ${secretId} failed: ${response.status}`);
  const { SecretString } = (await response.json()) as { SecretString?: string };
  if (!SecretString) throw new Error(`Secret ${secretId} has no string value`);
  return SecretString;
}

const cache = new Map<CarrierSlug, Promise<string>>();

/** The carrier's signing secret, read once per cold start (a failed read is tried again next time). */
export function carrierSecret(carrier: CarrierSlug): Promise<string> {
  const cached = cache.get(carrier);
  if (cached) return cached;
  const arn = parseMap(env.CARRIER_SECRET_ARNS)?.[carrier];
  const local = parseMap(env.CARRIER_SECRETS)?.[carrier];
  const loading = arn ? getSecretValue(arn) : local ? Promise.resolve(local) : Promise.reject(new Error(`No secret configured for carrier ${carrier}`));
  cache.set(carrier, loading);
  loading.catch(() => cache.delete(carrier));
  return loading;
}

const unsigned = () => new DomainError('INVALID_SIGNATURE', 'The request is not signed by this carrier.');

/**
 * Refuses (401) a request the carrier did not sign, or signed more than 5 minutes from now (ours signs
 * its timestamp; AfterShip's scheme has none, so replays there are stopped by the event-id dedupe).
 */
export async function verifyCarrierRequest(carrier: CarrierSlug, headers: Readonly<Record<string, string | undefined>>, body: string, nowSeconds: number): Promise<void> {
  const secret = await carrierSecret(carrier);
  if (carriers[carrier].format === 'aftership') {
    if (!verifyBodyHmacBase64(headers[AFTERSHIP_SIGNATURE_HEADER], body, secret)) throw unsigned();
    return;
  }
  const check = verifyWebhook(headers[SIGNATURE_HEADER], body, secret, nowSeconds);
  if (check === 'stale') throw new DomainError('INVALID_SIGNATURE', 'The signature is more than 5 minutes old (or ahead); sign again with the current time.');
  if (check !== 'valid') throw unsigned();
}

/** The headers a carrier would send with `body` (the local host signs for people and tests). */
export function carrierSignatureHeaders(carrier: CarrierSlug, body: string, secret: string, nowSeconds: number): Record<string, string> {
  return carriers[carrier].format === 'aftership' ? { [AFTERSHIP_SIGNATURE_HEADER]: bodyHmacBase64(secret, body) } : { [SIGNATURE_HEADER]: signWebhook(secret, body, nowSeconds) };
}
