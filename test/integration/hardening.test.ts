/**
 * The platform as an attacker meets it (issue 7, point 5), and the response contract enforced (point 3):
 * local routes for this machine only, access tokens only, bounded bodies, the headers every answer
 * carries, a content policy on /docs, one problem+json, and answers that keep their declared schema.
 */
import { createHash } from 'node:crypto';
import { request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractViolations } from '../../lib/local/response-contract.js';
import { createGatewayServer, loadFunction, type HttpHandler } from '../../lib/local/server.js';
import { routes, type FunctionName } from '../../lib/manifest.js';
import { MAX_BODY_BYTES } from '../../lambdas/platform/http.js';
import { useLocalApi, type Actor } from '../support/local-api.js';
import { ULID, type Problem } from '../support/routes.js';

const local = useLocalApi();
const portOf = (url: string): number => Number(new URL(url).port);

/** A raw HTTP/1.1 request, for what fetch will not send (a Host header, a body that never ends). */
function rawRequest(url: string, options: { method: string; path: string; headers: Record<string, string | number> }, writeBody: (request: ReturnType<typeof httpRequest>) => void) {
  return new Promise<{ status: number | undefined; headers: IncomingHttpHeaders; text: string; error?: string }>((resolve) => {
    const request = httpRequest({ host: '127.0.0.1', port: portOf(url), method: options.method, path: options.path, headers: options.headers });
    request.on('response', (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode, headers: response.headers, text }));
      response.on('error', (error) => resolve({ status: response.statusCode, headers: response.headers, text, error: error.message }));
    });
    request.on('error', (error) => resolve({ status: undefined, headers: {}, text: '', error: error.message }));
    writeBody(request);
  });
}

const mintRequest = JSON.stringify({ userId: 'mallory', role: 'admin' });

function expectProblem(response: { status: number; headers: Headers; body: Problem; text: string }, status: number, code: string): void {
  expect(response.status, response.text).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(response.body).toMatchObject({ status, code });
}

describe('local routes answer this machine only', () => {
  it('refuses to mint an admin token for a cross-site text/plain POST, the request a web page sends without a preflight', async () => {
    const response = await local.api.request<Problem>('POST', '/local/tokens', { rawBody: mintRequest, headers: { 'content-type': 'text/plain', origin: 'https://attacker.example', 'sec-fetch-site': 'cross-site' } });
    expectProblem(response, 403, 'FORBIDDEN_ORIGIN');
    expect(response.text).not.toContain('token');
  });

  it.each([
    ['another site', { origin: 'https://attacker.example' }],
    ['another port of localhost', { origin: 'http://localhost:1' }],
    ['a sandboxed frame (Origin: null)', { origin: 'null' }],
    ['a cross-site request without Origin', { 'sec-fetch-site': 'cross-site' }],
    ['a same-site request from another port', { 'sec-fetch-site': 'same-site' }],
  ])('refuses a JSON request from %s with 403 FORBIDDEN_ORIGIN', async (_, headers) => {
    expectProblem(await local.api.request<Problem>('POST', '/local/tokens', { rawBody: mintRequest, headers }), 403, 'FORBIDDEN_ORIGIN');
  });

  it('refuses a body that is not JSON with 415, even from its own origin', async () => {
    const response = await local.api.request<Problem>('POST', '/local/clock', { rawBody: JSON.stringify({ advanceBy: 'P1D' }), headers: { 'content-type': 'text/plain', origin: local.api.url } });
    expectProblem(response, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('serves its own origin, and tools that send no Origin', async () => {
    for (const headers of [{ origin: local.api.url, 'sec-fetch-site': 'same-origin' }, {}] as Record<string, string>[]) {
      const response = await local.api.request<{ token: string }>('POST', '/local/tokens', { rawBody: mintRequest, headers });
      expect(response.status, response.text).toBe(200);
      expect(decodeJwt(response.body.token).sub).toBe('mallory');
    }
  });

  it('answers only a loopback Host on its port, so a rebound DNS name gets nothing', async () => {
    const port = portOf(local.api.url);
    const mint = (host: string) => rawRequest(local.api.url, { method: 'POST', path: '/local/tokens', headers: { host, 'content-type': 'application/json' } }, (request) => request.end(mintRequest));
    for (const host of [`attacker.example:${port}`, 'localhost', `localhost:${port + 1}`, `127.0.0.2:${port}`]) {
      const refused = await mint(host);
      expect(refused.status, host).toBe(403);
      expect(JSON.parse(refused.text)).toMatchObject({ code: 'FORBIDDEN_ORIGIN' });
    }
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`]) expect((await mint(host)).status, host).toBe(200);
  });

  // The engines hold every upload and queue without authentication: another machine must not reach them.
  const outward = Object.values(networkInterfaces()).flat().find((address) => address !== undefined && !address.internal && address.family === 'IPv4')?.address;
  it.skipIf(outward === undefined)('listens on loopback only: the API and every engine refuse a connection to this machine\'s network address', async () => {
    const endpoints = { api: local.api.url, dynamodb: process.env.AWS_ENDPOINT_URL_DYNAMODB, s3: process.env.AWS_ENDPOINT_URL_S3, sqs: process.env.AWS_ENDPOINT_URL_SQS };
    const reach = (port: number, host: string) =>
      new Promise<boolean>((resolve) => {
        const socket = connect({ port, host }, () => (socket.destroy(), resolve(true)));
        socket.on('error', () => resolve(false));
      });
    for (const [name, url] of Object.entries(endpoints)) {
      const port = portOf(String(url));
      expect(await reach(port, '127.0.0.1'), `${name} on loopback`).toBe(true);
      expect(await reach(port, outward!), `${name} on ${outward}`).toBe(false);
    }
  });

  it('grants no CORS on local routes, while the API keeps allowing any origin', async () => {
    const preflight = await local.api.request('OPTIONS', '/local/tokens', { headers: { origin: 'https://attacker.example', 'access-control-request-method': 'POST' } });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect((await local.api.request('POST', '/local/queues/drain', {})).headers.get('access-control-allow-origin')).toBeNull();
    expect((await local.api.get('/v1/health')).headers.get('access-control-allow-origin')).toBe('*');
  });
});

describe('access tokens only', () => {
  it("mints dev tokens with the claims of Cognito's access token", async () => {
    const claims = decodeJwt(await local.api.host.tokens.sign({ userId: 'claims-reader', role: 'seller' }));
    expect(claims).toMatchObject({ sub: 'claims-reader', username: 'claims-reader', token_use: 'access', client_id: 'aftersale-local', scope: 'aws.cognito.signin.user.admin', 'cognito:groups': ['seller'], iss: local.api.host.tokens.issuer });
    for (const claim of ['jti', 'origin_jti', 'event_id', 'auth_time', 'iat', 'exp']) expect(claims, claim).toHaveProperty(claim);
    expect(claims).not.toHaveProperty('aud');
  });

  it('refuses an ID token with 401 UNAUTHENTICATED, though the gateway authorizer lets it through as it does in AWS', async () => {
    const idToken = await local.api.host.tokens.signIdToken({ userId: 'id-holder', role: 'buyer' });
    await expect(local.api.host.tokens.verify(idToken)).resolves.toMatchObject({ token_use: 'id', aud: 'aftersale-local' });
    expectProblem(await local.api.request<Problem>('GET', '/v1/orders', { token: idToken }), 401, 'UNAUTHENTICATED');
    // A public route that reads an optional token verifies it in the function itself: the same refusal.
    const { productId } = await local.api.sellerWithListing();
    expectProblem(await local.api.request<Problem>('GET', `/v1/products/${productId}`, { token: idToken }), 401, 'UNAUTHENTICATED');
  });
});

describe('request bodies are bounded', () => {
  let seller: Actor;
  beforeAll(async () => {
    seller = await local.api.actor('seller');
  });
  /** `{"storeName":"xxx…","country":"US"}` of exactly `bytes` bytes: valid JSON, an invalid store name. */
  const profileOf = (bytes: number): string => {
    const frame = JSON.stringify({ storeName: '', country: 'US' });
    return JSON.stringify({ storeName: 'x'.repeat(bytes - frame.length), country: 'US' });
  };

  it('refuses a body one byte over 1 MB with 413 PAYLOAD_TOO_LARGE before reading its type or parsing it', async () => {
    const malformed = `{${'x'.repeat(MAX_BODY_BYTES)}`;
    expect(Buffer.byteLength(malformed)).toBe(MAX_BODY_BYTES + 1);
    expect(MAX_BODY_BYTES).toBe(1024 * 1024);
    expectProblem(await local.api.request<Problem>('PUT', '/v1/sellers/me', { as: seller, rawBody: malformed, headers: { 'content-type': 'text/plain' } }), 413, 'PAYLOAD_TOO_LARGE');
    expectProblem(await local.api.request<Problem>('PUT', '/v1/sellers/me', { as: seller, rawBody: profileOf(MAX_BODY_BYTES + 1) }), 413, 'PAYLOAD_TOO_LARGE');
  });

  it('hands a body of exactly 1 MB to the schema', async () => {
    const body = profileOf(MAX_BODY_BYTES);
    expect(Buffer.byteLength(body)).toBe(MAX_BODY_BYTES);
    const response = await local.api.request<Problem>('PUT', '/v1/sellers/me', { as: seller, rawBody: body });
    expectProblem(response, 400, 'VALIDATION_FAILED');
    expect(response.body.errors?.map((error) => error.path)).toEqual(['body.storeName']);
  });

  it('answers 413 to a Content-Length over the 10 MB gateway limit without waiting for the body', async () => {
    const response = await rawRequest(local.api.url, { method: 'PUT', path: '/v1/sellers/me', headers: { 'content-type': 'application/json', 'content-length': 50 * 1024 * 1024, authorization: `Bearer ${seller.token}` } }, (request) => request.flushHeaders());
    expect(response.status).toBe(413);
    expect(JSON.parse(response.text)).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
  });

  it('keeps no more than 10 MB of an endless chunked body: answers 413 while it is still coming, then closes the connection', async () => {
    let sent = 0;
    let closed: Promise<unknown> = Promise.resolve();
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const response = await rawRequest(local.api.url, { method: 'PUT', path: '/v1/sellers/me', headers: { 'content-type': 'application/json', authorization: `Bearer ${seller.token}` } }, (request) => {
      closed = new Promise((resolve) => request.once('close', resolve));
      let answered = false;
      request.once('response', () => (answered = true));
      const pump = (): void => {
        while (!answered && !request.destroyed && sent < 200 * 1024 * 1024) {
          sent += chunk.length;
          if (!request.write(chunk)) {
            request.once('drain', pump);
            return;
          }
        }
      };
      pump();
    });
    expect(response.status, response.error).toBe(413);
    expect(JSON.parse(response.text)).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect(sent).toBeLessThan(200 * 1024 * 1024);
    await closed;
  });
});

describe('headers on every answer', () => {
  let buyer: Actor;
  beforeAll(async () => {
    buyer = await local.api.actor('buyer');
  });

  it('answers a request with a token with Cache-Control: no-store and nosniff, successes and refusals alike', async () => {
    const expired = await local.api.host.tokens.sign({ userId: buyer.userId, role: 'buyer' }, -60);
    const answers = [
      await local.api.get('/v1/orders', buyer),
      await local.api.get(`/v1/orders/ord_${ULID}`, buyer),
      await local.api.request('POST', '/v1/orders', { as: buyer, body: {} }),
      await local.api.request('GET', '/v1/orders', { token: expired }),
      await local.api.get('/v1/openapi.json', buyer),
    ];
    expect(answers.map((answer) => answer.status)).toEqual([200, 404, 400, 401, 200]);
    for (const answer of answers) {
      expect(answer.headers.get('cache-control'), answer.text.slice(0, 80)).toBe('no-store');
      expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('sends nosniff on anonymous answers, unknown routes and local routes, and no-store unless a public route sets its own policy', async () => {
    const answers = [
      await local.api.get('/v1/health'),
      await local.api.get('/v1/nowhere'),
      await local.api.request('POST', '/local/clock', { body: { advanceBy: 'PT0S' } }),
      await local.api.request('POST', '/local/jobs/nonexistent', {}),
      await local.api.request('POST', '/local/tokens', { body: {} }),
    ];
    expect(answers.map((answer) => answer.status)).toEqual([200, 404, 200, 404, 400]);
    for (const answer of answers) {
      expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
      expect(answer.headers.get('cache-control')).toBe('no-store');
    }
    const openapi = await local.api.get('/v1/openapi.json');
    expect(openapi.headers.get('cache-control')).toBe('public, max-age=300');
    expect(openapi.headers.get('x-content-type-options')).toBe('nosniff');
  });
});

describe('the reference page (/docs)', () => {
  it('is served with a content policy that allows its one style sheet by hash, and no script, frame, form or base', async () => {
    const page = await local.api.request('GET', '/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    const policy = new Map((page.headers.get('content-security-policy') ?? '').split(';').map((directive) => {
      const [name = '', ...values] = directive.trim().split(/\s+/);
      return [name, values] as const;
    }));
    expect(policy.get('default-src')).toEqual(["'none'"]);
    // No script-src: scripts fall back to default-src 'none'.
    expect([...policy.keys()].filter((name) => name.startsWith('script-src'))).toEqual([]);
    for (const name of ['base-uri', 'form-action', 'frame-ancestors']) expect(policy.get(name), name).toEqual(["'none'"]);
    const styles = [...page.text.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((match) => match[1] ?? '');
    expect(styles).toHaveLength(1);
    expect(policy.get('style-src')).toEqual(styles.map((style) => `'sha256-${createHash('sha256').update(style).digest('base64')}'`));
    // Nothing the policy would block: no scripts, handlers, style attributes or loaded resources.
    expect(page.text).not.toMatch(/<(script|link|img|iframe|object|embed|form|base)\b/i);
    expect(page.text).not.toMatch(/\s(on\w+|style)\s*=/i);
  });
});

describe('one problem+json', () => {
  it('refuses malformed JSON with the same problem from a local route and from a function', async () => {
    const fromLocal = await local.api.request<Problem>('POST', '/local/clock', { rawBody: '{"a":' });
    const fromFunction = await local.api.request<Problem>('PUT', '/v1/sellers/me', { as: await local.api.actor('seller'), rawBody: '{"a":' });
    expectProblem(fromLocal, 400, 'VALIDATION_FAILED');
    expect(fromLocal.body).toEqual(fromFunction.body);
  });
});

describe('the response contract', () => {
  let server: Server;
  let url: string;
  const logged: string[] = [];
  const brokenRoute = 'GET /v1/orders/{orderId}';
  beforeAll(async () => {
    // The real functions, except that one route's answer loses a field its schema requires.
    const loadHandler = async (fn: FunctionName): Promise<HttpHandler> => {
      const real = await loadFunction<HttpHandler>(fn);
      return async (event, context) => {
        const result = await real(event, context);
        if (event.routeKey !== brokenRoute || typeof result.body !== 'string') return result;
        const { escrow: _, ...withoutEscrow } = JSON.parse(result.body) as Record<string, unknown>;
        return { ...result, body: JSON.stringify(withoutEscrow) };
      };
    };
    server = createGatewayServer({ verifyToken: (token) => local.api.host.tokens.verify(token), localRoutes: [], log: () => undefined, logError: (line) => logged.push(line), loadHandler });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('answers 500 RESPONSE_CONTRACT_VIOLATION naming the field, and logs it, instead of serving a broken body', async () => {
    const { buyer, orderId } = await local.api.placedOrder();
    const response = await fetch(`${url}/v1/orders/${orderId}`, { headers: { authorization: `Bearer ${buyer.token}` } });
    const problem = (await response.json()) as Problem;
    expect(response.status).toBe(500);
    expect(problem).toMatchObject({ code: 'RESPONSE_CONTRACT_VIOLATION', status: 500 });
    expect(problem.errors?.map((error) => error.path)).toContain('body.escrow');
    expect(JSON.stringify(problem)).not.toContain(buyer.userId);
    expect(logged.join('\n')).toMatch(/GET \/v1\/orders\/\{orderId\}[\s\S]*body\.escrow/);
    // The same function's other answers keep the contract and are served.
    expect((await fetch(`${url}/v1/orders`, { headers: { authorization: `Bearer ${buyer.token}` } })).status).toBe(200);
  });

  it('holds a route to its declared status, and a refusal to the Problem shape', () => {
    const placeOrder = routes['POST /v1/orders'];
    expect(contractViolations(placeOrder, { status: 200, contentType: 'application/json', body: '{}' })).toEqual([{ path: 'status', message: 'declared 201, answered 200' }]);
    expect(contractViolations(placeOrder, { status: 409, contentType: 'application/json', body: '{"code":"X"}' })[0]?.path).toBe('content-type');
    expect(contractViolations(placeOrder, { status: 409, contentType: 'application/problem+json', body: '{"code":"X"}' }).map((issue) => issue.path)).toEqual(['body.type', 'body.title', 'body.status']);
  });
});
