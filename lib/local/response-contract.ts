/**
 * The response half of the contract: every route declares its success status and body schema
 * (lib/routes/*), and every refusal is a Problem. The local host checks each answer against them at run
 * time, and the tests' HTTP client checks each answer it reads, so the whole suite exercises the
 * declarations. The Lambda functions do not: a check there would cost every request in AWS, and the
 * schemas are the same code in both hosts.
 */
import type { FieldError } from '../../lambdas/domain/errors.js';
import { Problem } from '../../lambdas/contract/shared.js';
import { isJsonContentType } from '../../lambdas/platform/http.js';
import { routes, splitRouteKey, type RouteSpec } from '../manifest.js';

export interface Answer {
  status: number;
  contentType: string | undefined;
  /** The body as text (the local host decodes a base64 body before asking). */
  body: string;
}

interface MatchedRoute {
  key: string;
  spec: RouteSpec;
  params: string[];
  pattern: RegExp;
  method: string;
}

/** The manifest's routes, static segments before parameters as in API Gateway ("/sellers/me" before "/sellers/{sellerId}"). */
const compiledRoutes: readonly MatchedRoute[] = Object.entries(routes as Record<string, RouteSpec>)
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

export const matchRoute = (method: string, pathname: string): MatchedRoute | undefined =>
  compiledRoutes.find((route) => route.method === method && route.pattern.test(pathname));

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

const issuesOf = (error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }, where: string): FieldError[] =>
  error.issues.map((issue) => ({ path: [where, ...issue.path.map(String)].join('.'), message: issue.message }));

/** How an answer of the route breaks its declaration; empty when it keeps it. */
export function contractViolations(spec: RouteSpec, answer: Answer): FieldError[] {
  if (answer.status >= 400) {
    if (!/^application\/problem\+json\s*(;|$)/i.test(answer.contentType ?? '')) return [{ path: 'content-type', message: `a refusal must be application/problem+json, not ${answer.contentType ?? 'nothing'}` }];
    const parsed = parseJson(answer.body);
    if (!parsed.ok) return [{ path: 'body', message: 'not valid JSON' }];
    const problem = Problem.safeParse(parsed.value);
    if (!problem.success) return issuesOf(problem.error, 'body');
    return problem.data.status === answer.status ? [] : [{ path: 'body.status', message: `says ${problem.data.status}, the answer is ${answer.status}` }];
  }
  if (answer.status !== spec.success.status && answer.status !== spec.success.existing?.status) return [{ path: 'status', message: `declared ${spec.success.status}, answered ${answer.status}` }];
  const schema = spec.success.body;
  if (schema === null) return [];
  if (!isJsonContentType(answer.contentType)) return [{ path: 'content-type', message: `declared JSON, answered ${answer.contentType ?? 'nothing'}` }];
  const parsed = parseJson(answer.body);
  if (!parsed.ok) return [{ path: 'body', message: 'not valid JSON' }];
  const result = schema.safeParse(parsed.value);
  return result.success ? [] : issuesOf(result.error, 'body');
}
