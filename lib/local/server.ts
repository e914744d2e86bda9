/**
 * The local stand-in for API Gateway: matches the manifest's routes, verifies dev JWTs on routes that
 * need them (as the Cognito authorizer would), builds payload-v2 events and calls the same handlers
 * that Lambda runs, then checks each answer against its route's declaration (response-contract.ts).
 * Also serves the local-only routes of API.md under /local, to this machine's own callers only.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { DomainError } from '../../lambdas/domain/errors.js';
import { isJsonContentType, problem, withPlatformHeaders } from '../../lambdas/platform/http.js';
import { functions, type FunctionName } from '../manifest.js';
import { gatewayEvent, lambdaContext } from './gateway-event.js';
import { contractViolations, matchRoute } from './response-contract.js';

export type HttpHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

/** API Gateway's own payload limit. The functions refuse JSON bodies over 1 MB themselves (platform/http.ts). */
const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

export function loadFunction<T>(fn: FunctionName): Promise<T> {
  const url = pathToFileURL(resolve(import.meta.dirname, '../..', functions[fn].entry)).href;
  return import(url).then((module: { handler: T }) => module.handler);
}

/** A local-only route (host.ts). It answers JSON; a refusal is a thrown DomainError. */
export interface LocalRoute {
  method: string;
  pattern: RegExp;
  handle(input: { params: string[]; body: unknown; url: URL }): Promise<{ status: number; body: unknown }>;
}

interface Answer {
  statusCode: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

/**
 * /local/* mints admin tokens and moves the clock, so only this machine's own tools and pages may call it:
 * - a loopback Host with this port, against DNS rebinding (a foreign name that resolves to 127.0.0.1);
 * - no Origin but our own, and no Sec-Fetch-Site but same-origin or none (typed or tool-made requests):
 *   a form or a no-cors fetch from any web page reaches this port without a CORS preflight.
 * Bodies must be JSON (checked once the body is read): a cross-site text/plain POST is the classic way in.
 */
function refuseForeignCaller(request: IncomingMessage): void {
  const port = request.socket.localPort;
  const ownHosts = LOOPBACK_NAMES.flatMap((name) => [`${name}:${port}`, ...(port === 80 ? [name] : [])]);
  if (!ownHosts.includes((request.headers.host ?? '').toLowerCase())) {
    throw new DomainError('FORBIDDEN_ORIGIN', `Local routes answer only to ${LOOPBACK_NAMES.join(', ')} on port ${port}.`);
  }
  const origin = request.headers.origin;
  if (origin !== undefined && !ownHosts.some((host) => origin.toLowerCase() === `http://${host}`)) {
    throw new DomainError('FORBIDDEN_ORIGIN', 'Local routes refuse cross-origin requests.');
  }
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') throw new DomainError('FORBIDDEN_ORIGIN', 'Local routes refuse cross-site requests.');
}

const declaredLength = (request: IncomingMessage): number => Number(request.headers['content-length'] ?? 0);

/** Requests whose body was refused for its size: the rest is discarded, and the connection closed soon after the answer. */
const oversized = new WeakSet<IncomingMessage>();
/** How long a refused body may keep arriving, discarded, after the answer. */
const LINGER_MS = 1000;

function refuseBody(request: IncomingMessage): 'too-large' {
  oversized.add(request);
  request.resume();
  return 'too-large';
}

/**
 * Collects the body up to `limit` bytes, and no further: past it, the rest is discarded unread, so an
 * endless chunked body costs the host no memory.
 */
function readBody(request: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  if (declaredLength(request) > limit) return Promise.resolve(refuseBody(request));
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      request.off('data', onData);
      resolveBody(refuseBody(request));
    };
    request.on('data', onData);
    request.once('end', () => resolveBody(Buffer.concat(chunks)));
    request.once('error', reject);
  });
}

function parseLocalBody(request: IncomingMessage, body: Buffer): unknown {
  if (body.length === 0) return {};
  if (!isJsonContentType(request.headers['content-type'])) throw new DomainError('UNSUPPORTED_MEDIA_TYPE', 'Local routes take application/json bodies only.');
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new DomainError('VALIDATION_FAILED', 'The body is not valid JSON.', [{ path: 'body', message: 'malformed JSON' }]);
  }
}

const json = (status: number, body: unknown): Answer => ({ statusCode: status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

export function createGatewayServer(options: {
  verifyToken: (token: string) => Promise<Record<string, unknown>>;
  localRoutes: LocalRoute[];
  /** One line per request. */
  log: (line: string) => void;
  /** Failures: a handler that threw, an answer that breaks its route's declaration. Loud by default. */
  logError?: (line: string) => void;
  /** Where a function's handler comes from; the functions of lib/manifest.ts by default. */
  loadHandler?: (fn: FunctionName) => Promise<HttpHandler>;
}): Server {
  const logError = options.logError ?? ((line: string) => console.error(line));
  const loadHandler = options.loadHandler ?? ((fn: FunctionName) => loadFunction<HttpHandler>(fn));
  const handlers = new Map<FunctionName, Promise<HttpHandler>>();
  const handlerOf = (fn: FunctionName) => handlers.get(fn) ?? handlers.set(fn, loadHandler(fn)).get(fn)!;

  async function serveLocal(request: IncomingMessage, url: URL, method: string): Promise<Answer> {
    refuseForeignCaller(request);
    const local = options.localRoutes.find((route) => route.method === method && route.pattern.test(url.pathname));
    if (!local) throw new DomainError('ROUTE_NOT_FOUND', `No route ${method} ${url.pathname}.`);
    const body = await readBody(request, MAX_REQUEST_BYTES);
    if (body === 'too-large') throw new DomainError('PAYLOAD_TOO_LARGE', 'Requests are limited to 10 MB.');
    const result = await local.handle({ params: (local.pattern.exec(url.pathname) ?? []).slice(1), body: parseLocalBody(request, body), url });
    return json(result.status, result.body);
  }

  async function serveApi(request: IncomingMessage, url: URL, method: string): Promise<Answer> {
    if (method === 'OPTIONS') {
      return { statusCode: 204, headers: { 'access-control-allow-methods': 'GET,POST,PUT,PATCH,DELETE', 'access-control-allow-headers': 'authorization,content-type,idempotency-key', 'access-control-max-age': '600' }, body: '' };
    }
    const route = matchRoute(method, url.pathname);
    if (!route) throw new DomainError('ROUTE_NOT_FOUND', `No route ${method} ${url.pathname}.`);
    const body = await readBody(request, MAX_REQUEST_BYTES);
    if (body === 'too-large') throw new DomainError('PAYLOAD_TOO_LARGE', 'Requests are limited to 10 MB.');
    const match = route.pattern.exec(url.pathname) ?? [];
    let pathParameters: Record<string, string>;
    try {
      pathParameters = Object.fromEntries(route.params.map((name, index) => [name, decodeURIComponent(match[index + 1] ?? '')]));
    } catch {
      throw new DomainError('VALIDATION_FAILED', 'The path is not valid percent-encoding.');
    }
    let claims: Record<string, unknown> | undefined;
    if (route.spec.auth === 'required') {
      // The gateway's JWT authorizer answers 401 itself; the function never runs.
      const token = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
      claims = token ? await options.verifyToken(token).catch(() => undefined) : undefined;
      if (!claims) {
        const refusal = problem(new DomainError('UNAUTHENTICATED', 'A valid bearer token is required.'));
        return { ...refusal, headers: { ...refusal.headers, 'www-authenticate': 'Bearer' } };
      }
    }
    const event = gatewayEvent({ request, url, routeKey: route.key, pathParameters, body, claims });
    const result = await (await handlerOf(route.spec.fn))(event, lambdaContext(route.spec.fn));
    const payload = result.isBase64Encoded && result.body ? Buffer.from(result.body, 'base64') : (result.body ?? '');
    const answer: Answer = { statusCode: result.statusCode ?? 200, headers: (result.headers ?? {}) as Record<string, string>, body: payload };
    const violations = contractViolations(route.spec, { status: answer.statusCode, contentType: answer.headers['content-type'], body: payload.toString() });
    if (violations.length === 0) return answer;
    // Never serve an answer that breaks the contract clients build against: fail where a test or a person sees it.
    logError(`RESPONSE CONTRACT VIOLATION ${route.key} answered ${answer.statusCode}:\n${violations.map((issue) => `  ${issue.path}: ${issue.message}`).join('\n')}`);
    return problem(new DomainError('RESPONSE_CONTRACT_VIOLATION', `${route.key} answered ${answer.statusCode} with a body its declared schema refuses (lib/routes).`, violations));
  }

  async function serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const started = performance.now();
    const url = new URL(request.url ?? '/', 'http://localhost');
    const method = request.method ?? 'GET';
    const isLocal = url.pathname === '/local' || url.pathname.startsWith('/local/');
    let answer: Answer;
    try {
      answer = await (isLocal ? serveLocal(request, url, method) : serveApi(request, url, method));
    } catch (error) {
      if (!(error instanceof DomainError)) logError(`${method} ${url.pathname} failed: ${error instanceof Error ? error.stack : String(error)}`);
      answer = problem(error instanceof DomainError ? error : new DomainError('INTERNAL_ERROR', 'The local host failed to run the handler.'));
    }
    const { headers } = withPlatformHeaders(answer, request.headers.authorization !== undefined);
    // The API is for any origin (bearer tokens, no cookies); /local is for this machine alone.
    if (!isLocal) headers['access-control-allow-origin'] = '*';
    response.writeHead(answer.statusCode, headers);
    // A body refused for its size may never end: the connection gets a moment to deliver the answer, then
    // closes. (`Connection: close` would make Node reset it at once, and the client lose the answer.)
    response.end(answer.body, () => {
      if (oversized.has(request)) setTimeout(() => request.socket.destroy(), LINGER_MS).unref();
    });
    options.log(`${method} ${url.pathname} → ${answer.statusCode} ${(performance.now() - started).toFixed(1)}ms`);
  }

  const server = createServer((request, response) => void serve(request, response));
  // A client that waits for "100 Continue" before a body we would refuse is refused without sending it.
  server.on('checkContinue', (request: IncomingMessage, response: ServerResponse) => {
    if (declaredLength(request) <= MAX_REQUEST_BYTES) response.writeContinue();
    void serve(request, response);
  });
  return server;
}
