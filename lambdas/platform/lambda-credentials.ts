/**
 * The credential provider the Lambda bundles use in place of `@aws-sdk/credential-provider-node`
 * (an esbuild alias in lib/constructs/manifest-function.ts). Lambda hands every function its role's
 * credentials in environment variables, so the SDK's default chain — SSO, INI files, process, web
 * identity, IMDS, with their own STS/SSO clients — is about 130 KB of code a function never runs.
 * Same export name and shape as the package it replaces.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';

export const defaultProvider = (init: Parameters<typeof fromEnv>[0] = {}) => fromEnv(init);
