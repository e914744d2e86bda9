/** The shape of a route declaration (see lib/manifest.ts). Types only: no schemas, no AWS. */
import type * as z from 'zod';
import type { FunctionName } from '../manifest.js';

export type Role = 'buyer' | 'seller' | 'admin';
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
/** `required`: the gateway's JWT authorizer must pass. `optional`: public, richer when signed in. `none`: public. */
export type AuthMode = 'required' | 'optional' | 'none';

export interface RouteSpec {
  fn: FunctionName;
  summary: string;
  tag: string;
  auth: AuthMode;
  roles?: readonly Role[];
  path?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  /** Success status and body schema; `null` body means the route answers something that is not JSON. */
  success: { status: 200 | 201 | 202 | 204; body: z.ZodType | null; contentType?: string };
  /** Creating POSTs honour the Idempotency-Key header. */
  idempotent?: boolean;
}

