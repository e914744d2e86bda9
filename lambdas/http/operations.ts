import { openApiDocument } from '../contract/openapi.js';
import { REFERENCE_PAGE_CSP, referencePage } from '../contract/reference-page.js';
import { operationRoutes } from '../../lib/routes/operations.js';
import { httpFunction } from '../platform/http.js';

let page: string | undefined;

export const handler = httpFunction(operationRoutes, {
  'GET /v1/health': async () => ({ body: { status: 'ok' } }),
  'GET /v1/openapi.json': async () => ({ body: openApiDocument(), headers: { 'cache-control': 'public, max-age=300' } }),
  'GET /docs': async () => ({
    body: (page ??= referencePage(openApiDocument())),
    headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'public, max-age=300', 'content-security-policy': REFERENCE_PAGE_CSP },
  }),
});
