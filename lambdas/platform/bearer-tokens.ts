/**
 * Verification of bearer tokens sent to public routes. Those routes have no gateway authorizer (it is
 * all-or-nothing per route), so a token that comes with them is verified here, against the same issuer
 * and keys the authorizer trusts: Cognito's JWKS in AWS, the dev server's locally (docs/decisions/006).
 *
 * Cognito signs its tokens with RS256 only, so this verifies exactly that with node:crypto rather than
 * with a JOSE library: about 2 KB in the bundle instead of 18 KB (jose) or 16 KB (aws-jwt-verify), see
 * docs/decisions/014-lean-lambda-bundles.md. Everything else is refused: other algorithms (`none`, and
 * HS256 signed with the public key), `crit` headers, keys under 2048 bits, tokens without an expiry.
 * Which kind of token (`token_use`) is checked where every route's claims are read, in platform/auth.ts.
 */
import { createPublicKey, verify, type JsonWebKey, type KeyObject } from 'node:crypto';
import { DomainError } from '../domain/errors.js';
import type { BearerVerifier } from './auth.js';
import { env, required } from './config.js';

export interface BearerVerifierConfig {
  issuer: string;
  jwksUrl: string;
  /** App clients a token may be issued to (`client_id` of an access token); none: every client. */
  clientIds: readonly string[];
  /** Milliseconds since the epoch; the system clock, not the platform clock the local host moves. */
  now?: () => number;
}

/** A key set is trusted this long, then fetched again (as jose's remote key sets do). */
const JWKS_MAX_AGE_MS = 10 * 60_000;
/** A token naming an unknown key fetches the set again (the issuer rotated keys), at most this often. */
const JWKS_COOLDOWN_MS = 30_000;
const JWKS_TIMEOUT_MS = 5_000;
const MIN_RSA_BITS = 2048;

interface KeySet {
  keys: ReadonlyMap<string, KeyObject>;
  fetchedAt: number;
}

const unauthenticated = (detail: string) => new DomainError('UNAUTHENTICATED', `The bearer token is not valid: ${detail}.`);

const BASE64URL = /^[A-Za-z0-9_-]+$/;

function decodeJson(part: string, what: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // Falls through to the refusal below.
  }
  throw unauthenticated(`its ${what} is not a JSON object`);
}

/** The RS256 signing keys of a JWKS document, by key id; other keys are left out. */
function signingKeys(document: unknown): Map<string, KeyObject> {
  const keys = new Map<string, KeyObject>();
  const listed = (document as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(listed)) throw new Error('The JWKS document has no keys array');
  for (const jwk of listed as Record<string, unknown>[]) {
    if (jwk.kty !== 'RSA' || typeof jwk.kid !== 'string' || (jwk.use !== undefined && jwk.use !== 'sig') || (jwk.alg !== undefined && jwk.alg !== 'RS256')) continue;
    const key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
    if ((key.asymmetricKeyDetails?.modulusLength ?? 0) >= MIN_RSA_BITS) keys.set(jwk.kid, key);
  }
  return keys;
}

export function createBearerVerifier(config: BearerVerifierConfig): BearerVerifier {
  const now = config.now ?? Date.now;
  let keySet: Promise<KeySet> | undefined;

  const fetchKeys = async (): Promise<KeySet> => {
    const response = await fetch(config.jwksUrl, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(JWKS_TIMEOUT_MS) });
    // An unreachable issuer is our failure, not the caller's: it propagates as a 500, not a 401.
    if (!response.ok) throw new Error(`The JWKS at ${config.jwksUrl} answered ${response.status}`);
    return { keys: signingKeys(await response.json()), fetchedAt: now() };
  };

  /** The key a token names, from the cached set; fetched again when the set is old or, not too often, when the key is unknown. */
  const keyFor = async (kid: string): Promise<KeyObject | undefined> => {
    // A failed fetch is not cached: the next token tries again.
    const cached = await keySet?.catch(() => undefined);
    const age = cached ? now() - cached.fetchedAt : Number.POSITIVE_INFINITY;
    if (cached && age < JWKS_MAX_AGE_MS && (cached.keys.has(kid) || age < JWKS_COOLDOWN_MS)) return cached.keys.get(kid);
    const previous = keySet;
    const fresh = fetchKeys();
    keySet = fresh;
    try {
      return (await fresh).keys.get(kid);
    } catch (error) {
      // A failed refresh keeps the keys we had: a stranger's unknown kid during an issuer outage must not
      // turn every valid token into a 500.
      const kept = await previous?.catch(() => undefined);
      if (!kept) throw error;
      if (keySet === fresh) keySet = previous;
      return kept.keys.get(kid);
    }
  };

  return async (token) => {
    const parts = token.split('.');
    if (parts.length !== 3 || !parts.every((part) => BASE64URL.test(part))) throw unauthenticated('it is not a signed JWT');
    const [encodedHeader, encodedPayload, encodedSignature] = parts as [string, string, string];
    const header = decodeJson(encodedHeader, 'header');
    if (header.alg !== 'RS256') throw unauthenticated('only RS256 signatures are accepted');
    if (header.crit !== undefined) throw unauthenticated('it has critical header parameters');
    if (typeof header.kid !== 'string') throw unauthenticated('it names no key');
    const key = await keyFor(header.kid);
    if (!key) throw unauthenticated('it is signed by a key the issuer does not publish');
    if (!verify('sha256', Buffer.from(`${encodedHeader}.${encodedPayload}`), key, Buffer.from(encodedSignature, 'base64url'))) throw unauthenticated('its signature does not match');

    const claims = decodeJson(encodedPayload, 'payload');
    if (claims.iss !== config.issuer) throw unauthenticated('it is from another issuer');
    const seconds = now() / 1000;
    if (typeof claims.exp !== 'number' || claims.exp <= seconds) throw unauthenticated('it has expired');
    if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || claims.nbf > seconds)) throw unauthenticated('it is not valid yet');
    const clientId = claims.client_id ?? claims.aud;
    if (config.clientIds.length > 0 && !config.clientIds.some((id) => id === clientId || (Array.isArray(clientId) && clientId.includes(id)))) {
      throw new DomainError('UNAUTHENTICATED', 'The bearer token was issued to another client.');
    }
    return claims;
  };
}

let fromEnvironment: { settings: string; verify: BearerVerifier } | undefined;

/**
 * The verifier of the issuer the function's environment names (JWT_ISSUER, JWT_JWKS_URL, JWT_CLIENT_IDS),
 * with its key cache kept across invocations; made again only if those settings change (a local host
 * started again in the same process).
 */
export const verifyBearerToken: BearerVerifier = (token) => {
  const config = { issuer: required(env.JWT_ISSUER), jwksUrl: required(env.JWT_JWKS_URL), clientIds: process.env[env.JWT_CLIENT_IDS]?.split(',').filter(Boolean) ?? [] };
  const settings = JSON.stringify(config);
  if (fromEnvironment?.settings !== settings) fromEnvironment = { settings, verify: createBearerVerifier(config) };
  return fromEnvironment.verify(token);
};
