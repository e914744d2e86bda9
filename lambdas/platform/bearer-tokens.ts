/**
 * Verification of bearer tokens sent to public routes. Those routes have no gateway authorizer (it is
 * all-or-nothing per route), so a token that comes with them is verified here, against the same issuer
 * and keys the authorizer trusts: Cognito's JWKS in AWS, the dev server's locally. Only functions with
 * such routes load this (and jose).
 */
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { DomainError } from '../domain/errors.js';
import type { BearerVerifier } from './auth.js';
import { env, required } from './config.js';

let jwks: ReturnType<typeof createRemoteJWKSet> | undefined;

export const verifyBearerToken: BearerVerifier = async (token) => {
  jwks ??= createRemoteJWKSet(new URL(required(env.JWT_JWKS_URL)));
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, jwks, { issuer: required(env.JWT_ISSUER) }));
  } catch {
    throw new DomainError('UNAUTHENTICATED', 'The bearer token is not valid.');
  }
  const clientIds = process.env[env.JWT_CLIENT_IDS]?.split(',').filter(Boolean) ?? [];
  const clientId = payload.client_id ?? payload.aud;
  if (clientIds.length > 0 && !clientIds.some((id) => id === clientId || (Array.isArray(clientId) && clientId.includes(id)))) {
    throw new DomainError('UNAUTHENTICATED', 'The bearer token was issued to another client.');
  }
  return payload;
};
