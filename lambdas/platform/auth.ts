import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { AuthMode, Role } from '../../lib/manifest.js';
import { DomainError } from '../domain/errors.js';

export interface Principal {
  userId: string;
  roles: Role[];
  name: string | undefined;
}

const knownRoles: readonly Role[] = ['buyer', 'seller', 'admin'];

type Claims = Record<string, unknown>;

/** Claims put on the event by the API Gateway JWT authorizer (or by the local host, which plays its part). */
function gatewayClaims(event: APIGatewayProxyEventV2): Claims | undefined {
  const context = event.requestContext as { authorizer?: { jwt?: { claims?: Claims } } };
  return context.authorizer?.jwt?.claims;
}

/**
 * `cognito:groups` arrives as a JSON array in a token, but API Gateway flattens array claims into a
 * string such as "[buyer admin]"; accept both.
 */
export function groupsOf(claim: unknown): Role[] {
  const raw = Array.isArray(claim) ? claim : typeof claim === 'string' ? claim.replace(/^\[|\]$/g, '').split(/[\s,]+/) : [];
  return knownRoles.filter((role) => raw.includes(role));
}

/**
 * Only access tokens are accepted. The gateway's JWT authorizer also lets Cognito ID tokens through (their
 * `aud` is the app client, and they carry the same groups), but an ID token is the client's record of who
 * signed in (OIDC), handed to whatever the client shares it with; it does not authorize API calls.
 */
export function principalFromClaims(claims: Claims): Principal {
  if (claims.token_use !== 'access') throw new DomainError('UNAUTHENTICATED', 'Only access tokens are accepted (token_use: access).');
  const sub = claims.sub;
  if (typeof sub !== 'string' || sub.length === 0) throw new DomainError('UNAUTHENTICATED', 'The token has no subject.');
  const name = typeof claims.name === 'string' ? claims.name : typeof claims.username === 'string' ? claims.username : undefined;
  return { userId: sub, roles: groupsOf(claims['cognito:groups']), name };
}

function bearerToken(event: APIGatewayProxyEventV2): string | undefined {
  const header = event.headers?.authorization ?? event.headers?.Authorization;
  const match = header?.match(/^Bearer\s+(\S+)$/i);
  return match?.[1];
}

/** Verifies a bearer token sent to a public route (see platform/bearer-tokens.ts) and returns its claims. */
export type BearerVerifier = (token: string) => Promise<Claims>;

export async function authenticate(event: APIGatewayProxyEventV2, mode: AuthMode, verifyBearer?: BearerVerifier): Promise<Principal | undefined> {
  // A signed route's caller is a system proven by its signature (platform/http.ts), never a user.
  if (mode === 'none' || mode === 'signed') return undefined;
  const claims = gatewayClaims(event);
  if (claims) return principalFromClaims(claims);
  if (mode === 'required') throw new DomainError('UNAUTHENTICATED', 'A bearer token is required.');
  const token = bearerToken(event);
  if (!token) return undefined;
  if (!verifyBearer) throw new Error('A route with optional auth needs a bearer verifier');
  return principalFromClaims(await verifyBearer(token));
}

export function requireRole(principal: Principal | undefined, roles: readonly Role[] | undefined): void {
  if (!roles || roles.length === 0) return;
  if (!principal) throw new DomainError('UNAUTHENTICATED', 'A bearer token is required.');
  if (!principal.roles.some((role) => roles.includes(role))) {
    throw new DomainError('FORBIDDEN_ROLE', `This action is for: ${roles.join(', ')}.`);
  }
}
