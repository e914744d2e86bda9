/** The OpenAPI 3.1 document, generated from the manifest's routes and their zod schemas. */
import * as z from 'zod';
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject } from 'zod-openapi';
import { routes, splitRouteKey, type AuthMode, type RouteSpec } from '../../lib/manifest.js';
import { Problem } from './shared.js';

const problemResponse = (description: string) => ({ description, content: { 'application/problem+json': { schema: Problem } } });

/** `[]` says "public" explicitly: an operation without `security` would inherit a root default (linters flag it). */
const securityOf: Record<AuthMode, ZodOpenApiOperationObject['security']> = {
  required: [{ bearer: [] }],
  optional: [{}, { bearer: [] }],
  none: [],
  // Webhooks: no bearer token; the sender signs the body (its header is a parameter of the operation: RouteSpec.signatureHeaders).
  signed: [],
};

const idempotencyKey = z.string().min(1).max(255).optional().meta({ description: 'Retry-safe creation: the same key and body return the first response.' });

/** The request headers a route reads: its Idempotency-Key, a webhook's signature. */
const headersOf = (spec: RouteSpec): z.ZodObject =>
  z.object({
    ...(spec.idempotent && { 'idempotency-key': idempotencyKey }),
    ...(spec.signatureHeaders && (spec.signatureHeaders as z.ZodObject).shape),
  });

function operation(key: string, spec: RouteSpec): ZodOpenApiOperationObject {
  const { method } = splitRouteKey(key);
  const success = spec.success.body
    ? { description: 'Success', content: { [spec.success.contentType ?? 'application/json']: { schema: spec.success.body } } }
    : { description: 'Success' };
  const existing = spec.success.existing;
  const responses: ZodOpenApiOperationObject['responses'] = {
    [String(spec.success.status)]: success,
    ...(existing && { [String(existing.status)]: { ...success, description: existing.description } }),
  };
  if (spec.body || spec.query || spec.path) responses['400'] = problemResponse('Invalid input (VALIDATION_FAILED, with errors[])');
  if (spec.auth === 'required') {
    responses['401'] = problemResponse('No or invalid token');
    responses['403'] = problemResponse('Role not allowed');
  }
  if (spec.auth === 'signed') responses['401'] = problemResponse('Missing, invalid or stale signature (INVALID_SIGNATURE)');
  if (spec.path) responses['404'] = problemResponse('Not found, or not yours');
  if (method !== 'GET') responses['409'] = problemResponse("The resource's state does not allow it");
  // The gateway's rate limits apply to every route; its 429 body is its own ({ message }), not problem+json.
  responses['429'] = { description: 'Throttled by the gateway: retry later' };
  return {
    operationId: key.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_|_$/g, ''),
    summary: spec.summary,
    tags: [spec.tag],
    security: securityOf[spec.auth],
    ...((spec.path || spec.query || spec.idempotent || spec.signatureHeaders) && {
      requestParams: {
        ...(spec.path && { path: spec.path as z.ZodObject }),
        ...(spec.query && { query: spec.query as z.ZodObject }),
        ...((spec.idempotent || spec.signatureHeaders) && { header: headersOf(spec) }),
      },
    }),
    ...(spec.body && { requestBody: { required: true, content: { 'application/json': { schema: spec.body } } } }),
    responses,
  };
}

let document: ReturnType<typeof createDocument> | undefined;

export function openApiDocument() {
  if (document) return document;
  const paths: ZodOpenApiPathsObject = {};
  for (const [key, spec] of Object.entries(routes) as [string, RouteSpec][]) {
    const { method, path } = splitRouteKey(key);
    paths[path] = { ...paths[path], [method.toLowerCase()]: operation(key, spec) };
  }
  document = createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Aftersale API',
      version: '1.0.0',
      description: 'What happens after "Buy": escrow, shipment tracking, receipt confirmation, reviews, disputes and refunds.',
    },
    servers: [{ url: '/' }],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    paths,
  });
  return document;
}
