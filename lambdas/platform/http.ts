/**
 * The middy stack every HTTP function shares: correlation id → problem+json errors → auth and role →
 * JSON body → zod validation → Idempotency-Key → handler. A route's auth, roles and schemas come from
 * lib/manifest.ts, so the gateway, the local host, the OpenAPI document and this stack agree.
 */
import middy, { type MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type * as z from 'zod';
import type { RouteSpec } from '../../lib/routes/spec.js';
import { DomainError, type FieldError } from '../domain/errors.js';
import { authenticate, requireRole, type BearerVerifier, type Principal } from './auth.js';
import { logger } from './logger.js';
import type { IdempotencyClaim, IdempotencyStore } from '../store/idempotency.js';

type SchemaOutput<S> = S extends z.core.$ZodType ? z.output<S> : undefined;
type Specs = Record<string, RouteSpec>;

export interface HttpRequest<Spec> {
  principal: Spec extends { auth: 'required' } ? Principal : Principal | undefined;
  body: SchemaOutput<Spec extends { body: infer S } ? S : undefined>;
  query: SchemaOutput<Spec extends { query: infer S } ? S : undefined>;
  path: SchemaOutput<Spec extends { path: infer S } ? S : undefined>;
  event: APIGatewayProxyEventV2;
}

export interface HttpResult {
  body: unknown;
  status?: number;
  /** Path of the created resource, for 201 responses. */
  location?: string;
  headers?: Record<string, string>;
}

export type RouteHandler<Spec> = (request: HttpRequest<Spec>) => Promise<HttpResult>;
export type Response = APIGatewayProxyStructuredResultV2 & { statusCode: number; headers: Record<string, string>; body: string };

/**
 * JSON bodies above 1 MB are refused before they are decoded or parsed. The gateway lets 10 MB through and
 * Lambda takes 6 MB; no request of API.md comes near 1 MB (files go straight to S3, see Uploads).
 */
export const MAX_BODY_BYTES = 1024 * 1024;

interface RequestState {
  principal?: Principal;
  input?: { body: unknown; query: unknown; path: unknown };
  idempotency?: IdempotencyClaim;
}
type StatefulContext = Context & { aftersale?: RequestState };
const stateOf = (context: Context): RequestState => ((context as StatefulContext).aftersale ??= {});

const titles: Record<number, string> = {
  400: 'Invalid request',
  401: 'Not signed in',
  403: 'Not allowed',
  404: 'Not found',
  409: 'Conflict',
  413: 'Payload too large',
  415: 'Unsupported media type',
  429: 'Too many requests',
  500: 'Internal error',
};

/** The one problem+json builder (RFC 9457, API.md): every refusal of the functions and of the local host. */
export function problem(error: DomainError): Response {
  const { status, code } = error;
  const type = `https://aftersale.dev/problems/${code.toLowerCase().replaceAll('_', '-')}`;
  return {
    statusCode: status,
    headers: { 'content-type': 'application/problem+json' },
    body: JSON.stringify({ type, title: titles[status] ?? 'Error', status, detail: error.message, code, errors: error.errors }),
  };
}

function toProblem(error: unknown): Response {
  if (error instanceof DomainError) return problem(error);
  logger.error('Unhandled error', { error: error instanceof Error ? error : String(error) });
  return problem(new DomainError('INTERNAL_ERROR', 'Something went wrong on our side; it has been logged.'));
}

/**
 * Headers every answer carries, errors included. `nosniff`: no browser may run a JSON body as HTML or
 * script. `no-store`: an answer to a request with credentials is that user's alone, so no cache, proxy
 * or browser history may keep it; anonymous answers default to it too, and only a public route that
 * sets its own policy (the OpenAPI document, the reference page) keeps that policy.
 */
export function withPlatformHeaders<R extends { headers?: Record<string, string> }>(response: R, withCredentials: boolean): R & { headers: Record<string, string> } {
  const headers: Record<string, string> = { ...response.headers, 'x-content-type-options': 'nosniff' };
  if (withCredentials || headers['cache-control'] === undefined) headers['cache-control'] = 'no-store';
  return { ...response, headers };
}

/** Payload v2 lower-cases header names; a request that sends any Authorization header counts as signed in. */
const carriesCredentials = (event: APIGatewayProxyEventV2): boolean => event.headers?.authorization !== undefined;

const problemDetails = (): MiddlewareObj<APIGatewayProxyEventV2, Response> => ({
  onError: async (request) => {
    request.response = toProblem(request.error);
  },
});

const correlation = (): MiddlewareObj<APIGatewayProxyEventV2, Response> => ({
  before: async ({ event, context }) => {
    logger.addContext(context);
    logger.setCorrelationId(event.requestContext?.requestId ?? context.awsRequestId);
  },
  after: async ({ event, context, response }) => {
    if (response) response.headers['x-correlation-id'] = event.requestContext?.requestId ?? context.awsRequestId;
    logger.resetKeys();
  },
});

const authorization = (spec: RouteSpec, verifyBearer: BearerVerifier | undefined): MiddlewareObj<APIGatewayProxyEventV2, Response> => ({
  before: async ({ event, context }) => {
    const principal = await authenticate(event, spec.auth, verifyBearer);
    requireRole(principal, spec.roles);
    if (principal) stateOf(context).principal = principal;
  },
});

/** Checks a signed route's signature over the raw body, before the body is read; throws a 401 DomainError. */
export type SignatureVerifier = (event: APIGatewayProxyEventV2, rawBody: string) => Promise<void>;

/** The body as the sender signed it: the exact bytes, decoded from base64 if the gateway encoded them. */
const rawBodyOf = (event: APIGatewayProxyEventV2): string => (event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : (event.body ?? ''));

const signature = (verify: SignatureVerifier): MiddlewareObj<APIGatewayProxyEventV2, Response> => ({
  before: async ({ event }) => {
    // Size first: nobody makes us hash 10 MB without a valid signature.
    const encoded = event.body ?? '';
    const size = event.isBase64Encoded ? Buffer.byteLength(encoded, 'base64') : Buffer.byteLength(encoded);
    if (size > MAX_BODY_BYTES) throw new DomainError('PAYLOAD_TOO_LARGE', `JSON bodies are limited to 1 MB (${MAX_BODY_BYTES} bytes).`);
    await verify(event, rawBodyOf(event));
  },
});

/** `application/json` or a `+json` type, with parameters. */
export const isJsonContentType = (contentType: string | undefined): boolean => /^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(contentType ?? '');

/** Size first (from the encoded length, before decoding), then the type, then JSON.parse. */
function readJsonBody(event: APIGatewayProxyEventV2, spec: RouteSpec): unknown {
  const encoded = event.body ?? '';
  const size = event.isBase64Encoded ? Buffer.byteLength(encoded, 'base64') : Buffer.byteLength(encoded);
  if (size > MAX_BODY_BYTES) throw new DomainError('PAYLOAD_TOO_LARGE', `JSON bodies are limited to 1 MB (${MAX_BODY_BYTES} bytes).`);
  const raw = event.isBase64Encoded ? Buffer.from(encoded, 'base64').toString('utf8') : encoded;
  if (raw.trim() === '') return spec.body ? undefined : {};
  if (!isJsonContentType(event.headers?.['content-type'])) throw new DomainError('UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json.');
  try {
    return JSON.parse(raw);
  } catch {
    throw new DomainError('VALIDATION_FAILED', 'The body is not valid JSON.', [{ path: 'body', message: 'malformed JSON' }]);
  }
}

const NoBody = { safeParse: (value: unknown) => (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0 ? { success: true as const, data: undefined } : { success: false as const, error: { issues: [{ path: [], message: 'this route takes no body' }] } }) };

type Parser = { safeParse(value: unknown): { success: true; data: unknown } | { success: false; error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] } } };

function parseWith(schema: Parser | undefined, value: unknown, where: string, errors: FieldError[]): unknown {
  if (!schema) return undefined;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  for (const issue of result.error.issues) errors.push({ path: [where, ...issue.path.map(String)].join('.'), message: issue.message });
  return undefined;
}

const validation = (spec: RouteSpec): MiddlewareObj<APIGatewayProxyEventV2, Response> => ({
  before: async ({ event, context }) => {
    const errors: FieldError[] = [];
    const rawBody = readJsonBody(event, spec);
    const body = parseWith(spec.body ?? NoBody, rawBody, 'body', errors);
    const query = parseWith(spec.query, event.queryStringParameters ?? {}, 'query', errors);
    const path = parseWith(spec.path, event.pathParameters ?? {}, 'path', errors);
    if (errors.length > 0) throw new DomainError('VALIDATION_FAILED', 'The request has invalid fields.', errors);
    stateOf(context).input = { body, query, path };
  },
});

const idempotency = (routeKey: string, store: IdempotencyStore): MiddlewareObj<APIGatewayProxyEventV2, Response> => ({
  before: async ({ event, context }) => {
    const key = event.headers?.['idempotency-key'];
    if (key === undefined) return undefined;
    if (key.length < 1 || key.length > 255) {
      throw new DomainError('VALIDATION_FAILED', 'Idempotency-Key must be 1–255 characters.', [{ path: 'header.idempotency-key', message: '1–255 characters' }]);
    }
    const state = stateOf(context);
    const principal = state.principal;
    if (!principal) return undefined;
    const outcome = await store.claim(principal.userId, key, store.hashRequest([routeKey, state.input?.path, state.input?.body]));
    if ('replay' in outcome) return { ...outcome.replay, headers: { ...outcome.replay.headers, 'idempotent-replayed': 'true' } };
    state.idempotency = outcome.claim;
    return undefined;
  },
  after: async ({ context, response }) => {
    const claim = stateOf(context).idempotency;
    if (!claim || !response) return;
    // The work is committed: failing to record its response must not free the key for a second run.
    // The claim's lock then expires and a retry sees IDEMPOTENCY_KEY_IN_USE until it does.
    await store.complete(claim, response).catch((error: unknown) => logger.error('Idempotency response not recorded', { error: String(error) }));
    stateOf(context).idempotency = undefined;
  },
  onError: async ({ context }) => {
    const claim = stateOf(context).idempotency;
    if (claim) await store.release(claim);
  },
});

function toResponse(result: HttpResult, spec: RouteSpec): Response {
  const headers: Record<string, string> = { 'content-type': spec.success.contentType ?? 'application/json', ...result.headers };
  if (result.location) headers.location = result.location;
  const body = typeof result.body === 'string' ? result.body : JSON.stringify(result.body);
  return { statusCode: result.status ?? spec.success.status, headers, body };
}

interface Options {
  /** For groups with idempotent routes: store/idempotency.ts. */
  idempotency?: IdempotencyStore;
  /** For groups with `auth: 'optional'` routes: platform/bearer-tokens.ts. */
  verifyBearer?: BearerVerifier;
  /** For groups with `auth: 'signed'` routes (webhooks): checks the sender's signature. */
  verifySignature?: SignatureVerifier;
}

function routeFunction<Spec extends RouteSpec>(routeKey: string, spec: Spec, handle: RouteHandler<Spec>, options: Options) {
  const store = options.idempotency;
  if (spec.auth === 'optional' && !options.verifyBearer) throw new Error(`${routeKey} has optional auth: pass verifyBearer to httpFunction`);
  const core = async (event: APIGatewayProxyEventV2, context: Context): Promise<Response> => {
    const state = stateOf(context);
    const input = state.input ?? { body: undefined, query: undefined, path: undefined };
    const request = { principal: state.principal, body: input.body, query: input.query, path: input.path, event } as HttpRequest<Spec>;
    return toResponse(await handle(request), spec);
  };
  if (spec.auth === 'signed' && !options.verifySignature) throw new Error(`${routeKey} is signed: pass verifySignature to httpFunction`);
  const authenticated = middy<APIGatewayProxyEventV2, Response>(core).use(correlation()).use(problemDetails()).use(authorization(spec, options.verifyBearer));
  const stack = (options.verifySignature && spec.auth === 'signed' ? authenticated.use(signature(options.verifySignature)) : authenticated).use(validation(spec));
  if (!spec.idempotent) return stack;
  // Declared idempotent but deployed without a store would silently create twice on a retry.
  if (!store) throw new Error(`${routeKey} is idempotent: pass the idempotency store to httpFunction`);
  return stack.use(idempotency(routeKey, store));
}

/**
 * One Lambda function serves a group of routes, given their declarations (lib/routes/<group>.ts) and a
 * handler per route. The gateway has already matched the route, so we dispatch on its routeKey instead
 * of matching paths a second time. Groups with idempotent routes pass the idempotency store, and groups
 * with optional-auth routes the bearer verifier; the others do not load them (nor what is behind them).
 */
export function httpFunction<S extends Specs>(specs: S, handlers: { [K in keyof S]: RouteHandler<S[K]> }, options: Options = {}) {
  const byKey = new Map<string, ReturnType<typeof routeFunction>>();
  for (const key of Object.keys(specs) as (keyof S & string)[]) byKey.set(key, routeFunction(key, specs[key] as RouteSpec, handlers[key] as RouteHandler<RouteSpec>, options));
  return async (event: APIGatewayProxyEventV2, context: Context): Promise<Response> => {
    const route = byKey.get(event.routeKey);
    const response = route ? await route(event, context) : problem(new DomainError('ROUTE_NOT_FOUND', `No route ${event.routeKey}.`));
    return withPlatformHeaders(response, carriesCredentials(event));
  };
}
