import { fileURLToPath } from 'node:url';
import { lintFromString, loadConfig } from '@redocly/openapi-core';
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../lambdas/contract/openapi.js';
import { AFTERSHIP_SIGNATURE_HEADER } from '../../lambdas/platform/carriers.js';
import { SIGNATURE_HEADER } from '../../lambdas/platform/webhook-signature.js';
import { simulatedWebhookSignatureHeader } from '../../lambdas/payments/simulated-events.js';
import { STRIPE_SIGNATURE_HEADER } from '../../lambdas/payments/stripe-events.js';
import { routes, splitRouteKey } from '../../lib/manifest.js';

type Parameter = { in: string; name: string; required?: boolean; schema?: { type?: string } };

const parametersOf = (key: string): Parameter[] => {
  const { method, path } = splitRouteKey(key);
  return ((openApiDocument().paths?.[path] as Record<string, { parameters?: Parameter[] }> | undefined)?.[method.toLowerCase()]?.parameters ?? []);
};
const headerParameters = (key: string) => parametersOf(key).filter((parameter) => parameter.in === 'header');

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(JSON.parse(JSON.stringify(openApiDocument())) as Record<string, unknown>);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('describes every route of the manifest, with its problem+json refusals', () => {
    const paths = openApiDocument().paths ?? {};
    for (const key of Object.keys(routes)) {
      const { method, path } = splitRouteKey(key);
      const operation = (paths[path] as Record<string, { responses: Record<string, unknown> }> | undefined)?.[method.toLowerCase()];
      expect(operation, key).toBeDefined();
      if (routes[key as keyof typeof routes].auth === 'required') expect(Object.keys(operation?.responses ?? {}), key).toEqual(expect.arrayContaining(['401', '403']));
    }
  });

  it("passes the linter's recommended rules, with only the exceptions redocly.yaml justifies", async () => {
    const config = await loadConfig({ configPath: fileURLToPath(new URL('../../redocly.yaml', import.meta.url)) });
    const problems = await lintFromString({ source: JSON.stringify(openApiDocument()), absoluteRef: 'openapi.json', config });
    expect(problems.map((problem) => `${problem.severity} ${problem.ruleId} at ${problem.location[0]?.pointer ?? '#'}: ${problem.message}`)).toEqual([]);
  });

  it('describes the signed webhooks\' signature headers as required header parameters, named as the verifier reads them', () => {
    expect(headerParameters('POST /v1/carrier-events/{carrier}')).toEqual([expect.objectContaining({ name: SIGNATURE_HEADER, required: true, schema: expect.objectContaining({ type: 'string' }) })]);
    expect(headerParameters('POST /v1/carrier-events/aftership')).toEqual([expect.objectContaining({ name: AFTERSHIP_SIGNATURE_HEADER, required: true, schema: expect.objectContaining({ type: 'string' }) })]);
    // The payment webhook's header is the stage's provider's: both named, as the adapters read them.
    expect(headerParameters('POST /v1/payment-events/{provider}').map((parameter) => parameter.name).sort()).toEqual([simulatedWebhookSignatureHeader, STRIPE_SIGNATURE_HEADER].sort());
  });

  it('gives every signed route its signature header parameter, and keeps the Idempotency-Key an optional one', () => {
    for (const [key, spec] of Object.entries(routes)) {
      if (spec.auth === 'signed') expect(headerParameters(key), key).not.toEqual([]);
      if ('idempotent' in spec && spec.idempotent) expect(headerParameters(key), key).toEqual([expect.objectContaining({ name: 'idempotency-key' })]);
      if ('idempotent' in spec && spec.idempotent) expect(headerParameters(key)[0]?.required, key).not.toBe(true);
    }
  });

  it('declares public operations public (security: []) and signed-in ones bearer', () => {
    const paths = openApiDocument().paths ?? {};
    for (const [key, spec] of Object.entries(routes)) {
      const { method, path } = splitRouteKey(key);
      const operation = (paths[path] as Record<string, { security?: unknown }> | undefined)?.[method.toLowerCase()];
      const expected = { none: [], signed: [], optional: [{}, { bearer: [] }], required: [{ bearer: [] }] }[spec.auth];
      expect(operation?.security, key).toEqual(expected);
    }
  });
});
