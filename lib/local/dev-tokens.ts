/**
 * Dev tokens: the local host plays Cognito. It signs RS256 JWTs shaped like Cognito access tokens
 * (`sub`, `cognito:groups`, `client_id`) and publishes its public key as a JWKS, so the same verification
 * code runs against it as against Cognito in AWS.
 */
import { exportJWK, generateKeyPair, jwtVerify, SignJWT, createLocalJWKSet, type JWK, type JWTPayload, type CryptoKey } from 'jose';
import type { Role } from '../manifest.js';

export const LOCAL_CLIENT_ID = 'aftersale-local';
const KEY_ID = 'aftersale-local-1';

export interface DevTokenIssuer {
  issuer: string;
  jwks: { keys: JWK[] };
  sign(claims: { userId: string; role: Role; name?: string | undefined }, ttlSeconds?: number): Promise<string>;
  verify(token: string): Promise<JWTPayload>;
}

export async function createDevTokenIssuer(issuer: string): Promise<DevTokenIssuer> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid: KEY_ID, alg: 'RS256', use: 'sig' };
  const jwks = { keys: [publicJwk] };
  const localKeys = createLocalJWKSet(jwks);
  return {
    issuer,
    jwks,
    sign: (claims, ttlSeconds = 12 * 60 * 60) => signToken(privateKey, issuer, claims, ttlSeconds),
    async verify(token) {
      const { payload } = await jwtVerify(token, localKeys, { issuer });
      if (payload.client_id !== LOCAL_CLIENT_ID) throw new Error('token issued to another client');
      return payload;
    },
  };
}

function signToken(key: CryptoKey, issuer: string, claims: { userId: string; role: Role; name?: string | undefined }, ttlSeconds: number): Promise<string> {
  return new SignJWT({ 'cognito:groups': [claims.role], client_id: LOCAL_CLIENT_ID, token_use: 'access', ...(claims.name && { name: claims.name }) })
    .setProtectedHeader({ alg: 'RS256', kid: KEY_ID })
    .setSubject(claims.userId)
    .setIssuer(issuer)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(key);
}
