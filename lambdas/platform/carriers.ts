/**
 * Who is speaking on the carrier webhook: each carrier signs with its own secret (platform/config.ts
 * `carriers`), in its own scheme — ours (`Aftersale-Signature`, platform/webhook-signature.ts) or
 * AfterShip's (`aftership-hmac-sha256`, a base64 HMAC of the body). The secrets live in Secrets Manager
 * in AWS and are read once per cold start (platform/secrets.ts); the local host generates them per run.
 */
import { DomainError } from '../domain/errors.js';
import { carriers, env, type CarrierSlug } from './config.js';
import { namedSecrets } from './secrets.js';
import { SIGNATURE_HEADER, bodyHmacBase64, signWebhook, verifyBodyHmacBase64, verifyWebhook } from './webhook-signature.js';

export const AFTERSHIP_SIGNATURE_HEADER = 'aftership-hmac-sha256';

/** The carrier's signing secret, read once per cold start (a failed read is tried again next time). */
export const carrierSecret: (carrier: CarrierSlug) => Promise<string> = namedSecrets(env.CARRIER_SECRET_ARNS, env.CARRIER_SECRETS, 'carrier');

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
