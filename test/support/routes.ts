/** The manifest's routes as the generic HTTP tests (access, bad input) walk them. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { functions, routes, splitRouteKey, type RouteSpec } from '../../lib/manifest.js';
import type { CarrierSlug } from '../../lambdas/platform/config.js';

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail?: string;
  errors?: { path: string; message: string }[];
}

export interface Route {
  key: string;
  method: string;
  path: string;
  spec: RouteSpec;
}

export type Json = Record<string, unknown>;

export const declared: Route[] = (Object.entries(routes) as [string, RouteSpec][]).map(([key, spec]) => ({ key, spec, ...splitRouteKey(key) }));
/** Routes whose function is still being written are listed as todo, not probed (the host could not load them). */
export const entryOf = (route: Route): string => functions[route.spec.fn].entry;
export const isImplemented = (route: Route): boolean => existsSync(resolve(import.meta.dirname, '../..', entryOf(route)));
export const allRoutes = declared.filter(isImplemented);

export const ULID = '01ARZ3NDEKTSV4RRFFQ69G5FAV';
/** A syntactically valid id of every type, for routes whose path takes one. */
export const sampleIds = [...['ord', 'prd', 'rev', 'dsp', 'cnv', 'upl', 'rfd', 'msg'].map((prefix) => `${prefix}_${ULID}`), 'ups', 'simulated'];

/** The carrier a signed webhook route speaks for: its `{carrier}` (a sample) or its literal last segment. */
export const carrierOf = (route: Route): CarrierSlug => (route.path.endsWith('{carrier}') ? 'ups' : (route.path.split('/').at(-1) as CarrierSlug));

/** Who signs a signed webhook route: a payment provider (the local stage's simulated one) or a carrier. */
export const signerOf = (route: Route): CarrierSlug | { paymentProvider: string } => (route.path.startsWith('/v1/payment-events/') ? { paymentProvider: 'simulated' } : carrierOf(route));
