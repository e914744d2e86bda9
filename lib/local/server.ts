/**
 * The local stand-in for API Gateway: matches the manifest's routes, verifies dev JWTs on routes that
 * need them (as the Cognito authorizer would), builds payload-v2 events and calls the same handlers
 * that Lambda runs. Also serves the local-only routes of API.md under /local.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { functions, routes, splitRouteKey, type FunctionName, type RouteSpec } from '../manifest.js';
import { gatewayEvent, lambdaContext } from './gateway-event.js';

export type HttpHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

const MAX_REQUEST_BYTES = 10 * 1024 * 1024; // API Gateway's own payload limit.

interface CompiledRoute {
  key: string;
  method: string;
  pattern: RegExp;
  params: string[];
  spec: RouteSpec;
}

/** Static segments win over parameters, as in API Gateway ("/sellers/me" before "/sellers/{sellerId}"). */
export function compileRoutes(): CompiledRoute[] {
  return Object.entries(routes as Record<string, RouteSpec>)
    .map(([key, spec]) => {
      const { method, path } = splitRouteKey(key);
      const params: string[] = [];
      const source = path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_, name: string) => {
        params.push(name);
        return '([^/]+)';
      });
      return { key, method, pattern: new RegExp(`^${source}$`), params, spec };
    })
    .sort((a, b) => a.params.length - b.params.length);
}

export function loadFunction<T>(fn: FunctionName): Promise<T> {
  const url = pathToFileURL(resolve(import.meta.dirname, '../..', functions[fn].entry)).href;
  return import(url).then((module: { handler: T }) => module.handler);
}

export interface LocalRoute {
  method: string;
  pattern: RegExp;
  handle(input: { params: string[]; body: unknown; url: URL }): Promise<{ status: number; body: unknown }>;
}

function send(response: ServerResponse, status: number, headers: Record<string, string | number | boolean>, body: string | Buffer): void {
  response.writeHead(status, { 'access-control-allow-origin': '*', ...Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, String(v)])) });
  response.end(body);
}

const problem = (status: number, code: string, title: string, detail: string) =>
  JSON.stringify({ type: `https://aftersale.dev/problems/${code.toLowerCase().replaceAll('_', '-')}`, title, status, detail, code });

async function readBody(request: IncomingMessage): Promise<Buffer | 'too-large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BYTES) return 'too-large';
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function createGatewayServer(options: {
  verifyToken: (token: string) => Promise<Record<string, unknown>>;
  localRoutes: LocalRoute[];
  log: (line: string) => void;
}): Server {
  const compiled = compileRoutes();
  const handlers = new Map<FunctionName, Promise<HttpHandler>>();
  const handlerOf = (fn: FunctionName) => handlers.get(fn) ?? handlers.set(fn, loadFunction<HttpHandler>(fn)).get(fn)!;

  return createServer(async (request, response) => {
    const started = performance.now();
    const url = new URL(request.url ?? '/', 'http://localhost');
    const method = request.method ?? 'GET';
    try {
      if (method === 'OPTIONS') {
        send(response, 204, { 'access-control-allow-methods': 'GET,POST,PUT,PATCH,DELETE', 'access-control-allow-headers': 'authorization,content-type,idempotency-key', 'access-control-max-age': 600 }, '');
        return;
      }
      const body = await readBody(request);
      if (body === 'too-large') {
        send(response, 413, { 'content-type': 'application/problem+json' }, problem(413, 'PAYLOAD_TOO_LARGE', 'Payload too large', 'Requests are limited to 10 MB.'));
        return;
      }
      const local = options.localRoutes.find((route) => route.method === method && route.pattern.test(url.pathname));
      if (local) {
        let parsed: unknown = {};
        try {
          parsed = body.length > 0 ? JSON.parse(body.toString('utf8')) : {};
        } catch {
          send(response, 400, { 'content-type': 'application/problem+json' }, problem(400, 'VALIDATION_FAILED', 'Invalid request', 'The body is not valid JSON.'));
          return;
        }
        const result = await local.handle({ params: (local.pattern.exec(url.pathname) ?? []).slice(1), body: parsed, url });
        const isProblem = result.status >= 400;
        send(response, result.status, { 'content-type': isProblem ? 'application/problem+json' : 'application/json' }, JSON.stringify(result.body));
        return;
      }
      const route = compiled.find((candidate) => candidate.method === method && candidate.pattern.test(url.pathname));
      if (!route) {
        send(response, 404, { 'content-type': 'application/problem+json' }, problem(404, 'ROUTE_NOT_FOUND', 'Not found', `No route ${method} ${url.pathname}.`));
        return;
      }
      const match = route.pattern.exec(url.pathname) ?? [];
      let pathParameters: Record<string, string>;
      try {
        pathParameters = Object.fromEntries(route.params.map((name, index) => [name, decodeURIComponent(match[index + 1] ?? '')]));
      } catch {
        send(response, 400, { 'content-type': 'application/problem+json' }, problem(400, 'VALIDATION_FAILED', 'Invalid request', 'The path is not valid percent-encoding.'));
        return;
      }
      let claims: Record<string, unknown> | undefined;
      if (route.spec.auth === 'required') {
        // The gateway's JWT authorizer answers 401 itself; the function never runs.
        const token = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
        claims = token ? await options.verifyToken(token).catch(() => undefined) : undefined;
        if (!claims) {
          send(response, 401, { 'content-type': 'application/problem+json', 'www-authenticate': 'Bearer' }, problem(401, 'UNAUTHENTICATED', 'Not signed in', 'A valid bearer token is required.'));
          return;
        }
      }
      const event = gatewayEvent({ request, url, routeKey: route.key, pathParameters, body, claims });
      const handler = await handlerOf(route.spec.fn);
      const result = await handler(event, lambdaContext(route.spec.fn));
      const payload = result.isBase64Encoded && result.body ? Buffer.from(result.body, 'base64') : (result.body ?? '');
      send(response, result.statusCode ?? 200, (result.headers ?? {}) as Record<string, string>, payload);
    } catch (error) {
      options.log(`${method} ${url.pathname} failed: ${error instanceof Error ? error.stack : String(error)}`);
      if (!response.headersSent) send(response, 500, { 'content-type': 'application/problem+json' }, problem(500, 'INTERNAL_ERROR', 'Internal error', 'The local host failed to run the handler.'));
    } finally {
      options.log(`${method} ${url.pathname} → ${response.statusCode} ${(performance.now() - started).toFixed(1)}ms`);
    }
  });
}
