/** The shape of a route declaration (see lib/manifest.ts). Types only: no schemas, no AWS. */
import type * as z from 'zod/mini';
import type { FunctionName } from '../manifest.js';

export type Role = 'buyer' | 'seller' | 'admin';
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
/**
 * `required`: the gateway's JWT authorizer must pass. `optional`: public, richer when signed in. `none`:
 * public. `signed`: no JWT; the function verifies the sender's HMAC signature over the raw body before it
 * reads anything (a webhook, e.g. carrier events), and refuses an unsigned request with 401.
 */
export type AuthMode = 'required' | 'optional' | 'none' | 'signed';

/** The contract (lambdas/contract/) is written with zod/mini; see shared.ts there for why. */
export type Schema = z.ZodMiniType;

/** A create that answers the resource that already exists instead (API.md: 201, or 200 with the existing one), with the same body. */
export interface ExistingAnswer {
  status: 200;
  description: string;
}

export interface RouteSpec {
  fn: FunctionName;
  summary: string;
  tag: string;
  auth: AuthMode;
  roles?: readonly Role[];
  path?: Schema;
  query?: Schema;
  body?: Schema;
  /** Success status and body schema; `null` body means the route answers something that is not JSON. */
  success: { status: 200 | 201 | 202 | 204; body: Schema | null; contentType?: string; existing?: ExistingAnswer };
  /** Creating POSTs honour the Idempotency-Key header. */
  idempotent?: boolean;
  /**
   * A signed route's signature header(s), as header parameters of the OpenAPI document. Documentation
   * only: the function verifies the signature itself, so a missing or bad one is 401, never a 400.
   */
  signatureHeaders?: Schema;
}

