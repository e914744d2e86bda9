/**
 * The operations function's routes. lib/manifest.ts gathers every group; the function imports only its own,
 * so its bundle carries only the schemas it validates.
 */

import * as z from 'zod';
import type { RouteSpec } from './spec.js';

export const operationRoutes = {
  'GET /v1/health': { fn: 'operations', tag: 'Operations', summary: 'Liveness', auth: 'none', success: { status: 200, body: z.strictObject({ status: z.literal('ok') }) } },
  'GET /v1/openapi.json': { fn: 'operations', tag: 'Operations', summary: 'This OpenAPI 3.1 document', auth: 'none', success: { status: 200, body: null } },
  'GET /docs': { fn: 'operations', tag: 'Operations', summary: 'API reference page', auth: 'none', success: { status: 200, body: null, contentType: 'text/html' } },
} as const satisfies Record<string, RouteSpec>;
