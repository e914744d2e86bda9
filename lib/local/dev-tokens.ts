/**
 * Dev tokens: the local host plays Cognito. It signs RS256 JWTs with the claims of Cognito's access token
 * (`token_use: access`, `client_id`, `scope`, `username`, `cognito:groups`, …) and publishes its public key
 * as a JWKS, so the same verification code runs against it as against Cognito in AWS. It can also sign the
 * ID token Cognito hands out beside it, which the API must refuse (platform/auth.ts).
 */
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, jwtVerify, SignJWT, createLocalJWKSet, type JWK, type JWTPayload, type CryptoKey } from 'jose';
import type { Role } from '../manifest.js';

export const LOCAL_CLIENT_ID = 'aftersale-local';
const KEY_ID = 'aftersale-local-1';

export interface DevUser {
  userId: string;
  role: Role;
  /**
   * Display name. Cognito access tokens carry no `name` unless a pre-token-generation trigger (v2) adds
   * it; reviews mask it into the reviewer's display name (platform/auth.ts falls back to `username`).
   */
  name?: string | undefined;
}

export interface DevTokenIssuer {
  issuer: string;
  jwks: { keys: JWK[] };
  /** An access token, what clients send to the API. */
  sign(user: DevUser, ttlSeconds?: number): Promise<string>;
  /** The ID token Cognito issues beside it: valid, signed by the same key, and not for the API. */
  signIdToken(user: DevUser, ttlSeconds?: number): Promise<string>;
  /** What the gateway's JWT authorizer checks: signature, issuer, expiry, and the app client (either kind of token). */
  verify(token: string): Promise<JWTPayload>;
}

const TOKEN_TTL_SECONDS = 12 * 60 * 60;

export async function createDevTokenIssuer(issuer: string): Promise<DevTokenIssuer> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid: KEY_ID, alg: 'RS256', use: 'sig' };
  const jwks = { keys: [publicJwk] };
  const localKeys = createLocalJWKSet(jwks);
  return {
    issuer,
    jwks,
    sign: (user, ttlSeconds = TOKEN_TTL_SECONDS) => signToken(privateKey, issuer, accessClaims(user), user.userId, ttlSeconds),
    signIdToken: (user, ttlSeconds = TOKEN_TTL_SECONDS) => signToken(privateKey, issuer, idClaims(user), user.userId, ttlSeconds),
    async verify(token) {
      const { payload } = await jwtVerify(token, localKeys, { issuer });
      // As the HTTP API authorizer: an access token names the client in `client_id`, an ID token in `aud`.
      const client = payload.token_use === 'access' ? payload.client_id : payload.aud;
      if (client !== LOCAL_CLIENT_ID) throw new Error('token issued to another client');
      return payload;
    },
  };
}

/** Cognito's access token claims (the authorizer hands them to the function as they are, flattened). */
function accessClaims(user: DevUser): JWTPayload {
  return {
    'cognito:groups': [user.role],
    client_id: LOCAL_CLIENT_ID,
    origin_jti: randomUUID(),
    event_id: randomUUID(),
    token_use: 'access',
    scope: 'aws.cognito.signin.user.admin',
    auth_time: Math.floor(Date.now() / 1000),
    jti: randomUUID(),
    username: user.userId,
    ...(user.name && { name: user.name }),
  };
}

function idClaims(user: DevUser): JWTPayload {
  return {
    'cognito:groups': [user.role],
    'cognito:username': user.userId,
    aud: LOCAL_CLIENT_ID,
    origin_jti: randomUUID(),
    event_id: randomUUID(),
    token_use: 'id',
    auth_time: Math.floor(Date.now() / 1000),
    jti: randomUUID(),
    email: `${user.userId}@example.test`,
    email_verified: true,
    ...(user.name && { name: user.name }),
  };
}

function signToken(key: CryptoKey, issuer: string, claims: JWTPayload, subject: string, ttlSeconds: number): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: KEY_ID }).setSubject(subject).setIssuer(issuer).setIssuedAt().setExpirationTime(`${ttlSeconds}s`).sign(key);
}
