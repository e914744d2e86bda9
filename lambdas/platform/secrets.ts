/**
 * Secrets read at run time (AWS: Secrets Manager; the local host: values it generated for the run), each
 * read once per cold start: the carriers' and payment providers' webhook signing secrets and the Stripe
 * key. One helper so that the caching rule — a failed read is forgotten and tried again — is written once.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { region } from './config.js';

/**
 * GetSecretValue, signed with the function's role credentials and sent with fetch: one JSON call does
 * not justify the Secrets Manager client in the bundle (the reasoning of decision 009).
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

/** `read`, remembered per key for the life of the instance; a failed read is forgotten so the next call tries again. */
export function oncePerColdStart<K>(read: (key: K) => Promise<string>): (key: K) => Promise<string> {
  const cache = new Map<K, Promise<string>>();
  return (key) => {
    const cached = cache.get(key);
    if (cached) return cached;
    const loading = read(key);
    cache.set(key, loading);
    loading.catch(() => cache.delete(key));
    return loading;
  };
}

const parseMap = (variable: string): Record<string, string> | undefined => {
  const raw = process.env[variable];
  return raw ? (JSON.parse(raw) as Record<string, string>) : undefined;
};

/**
 * Secrets by name (a carrier, a payment provider), configured as a JSON map in the environment: the
 * secret's ARN in `arnsVariable` (AWS), or its value in `valuesVariable` (the local host). Read once per
 * cold start; a name neither map has is a rejected read.
 */
export function namedSecrets(arnsVariable: string, valuesVariable: string, what: string): (name: string) => Promise<string> {
  return oncePerColdStart((name: string) => {
    const arn = parseMap(arnsVariable)?.[name];
    const local = parseMap(valuesVariable)?.[name];
    return arn ? getSecretValue(arn) : local ? Promise.resolve(local) : Promise.reject(new Error(`No secret configured for ${what} ${name}`));
  });
}
