/**
 * Signed webhooks, both ways: carriers sign what they send us (POST /v1/carrier-events/{carrier}), and
 * we sign what we send to users' webhooks (API.md "Notifications"). One scheme, Stripe-like:
 * `Aftersale-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`, the key being the
 * secret's UTF-8 bytes. The timestamp is signed too, so a captured request cannot be replayed later than
 * the tolerance; within it, receivers dedupe by event id. Comparisons are constant-time.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'aftersale-signature';
/** How far the signed timestamp may be from our clock, either way. */
export const SIGNATURE_TOLERANCE_SECONDS = 5 * 60;

const hmac = (secret: string, payload: string) => createHmac('sha256', Buffer.from(secret, 'utf8')).update(payload, 'utf8');

/** The header value for `body` sent at `unixSeconds`. */
export function signWebhook(secret: string, body: string, unixSeconds: number): string {
  const t = Math.floor(unixSeconds);
  return `t=${t},v1=${hmac(secret, `${t}.${body}`).digest('hex')}`;
}

/** Equal byte strings, in time independent of where they differ (lengths are not secret). */
function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

export type SignatureCheck = 'valid' | 'invalid' | 'stale';

/**
 * Checks a header against the raw body. Several `v1=` values are allowed (a sender rolling its secret
 * signs with both); one matching is enough. `stale` only for a well-formed, correctly signed header
 * whose timestamp is outside the tolerance, so a forger learns nothing from the answer.
 */
export function verifyWebhook(header: string | undefined, body: string, secret: string, nowSeconds: number, toleranceSeconds = SIGNATURE_TOLERANCE_SECONDS): SignatureCheck {
  if (!header) return 'invalid';
  const parts = header.split(',').map((part) => part.trim().split('=', 2) as [string, string | undefined]);
  const t = parts.find(([name]) => name === 't')?.[1];
  const signatures = parts.filter(([name, value]) => name === 'v1' && value !== undefined && /^[0-9a-f]{64}$/i.test(value)).map(([, value]) => Buffer.from(value as string, 'hex'));
  if (!t || !/^\d{1,12}$/.test(t) || signatures.length === 0) return 'invalid';
  const expected = hmac(secret, `${t}.${body}`).digest();
  if (!signatures.some((signature) => sameBytes(signature, expected))) return 'invalid';
  return Math.abs(nowSeconds - Number(t)) > toleranceSeconds ? 'stale' : 'valid';
}

/** A base64 HMAC-SHA256 of the raw body alone (AfterShip's `aftership-hmac-sha256`): no timestamp is signed. */
export const bodyHmacBase64 = (secret: string, body: string): string => hmac(secret, body).digest('base64');

export function verifyBodyHmacBase64(header: string | undefined, body: string, secret: string): boolean {
  if (!header || !/^[A-Za-z0-9+/]+={0,2}$/.test(header.trim())) return false;
  return sameBytes(Buffer.from(header.trim(), 'base64'), hmac(secret, body).digest());
}
