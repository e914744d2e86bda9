/**
 * The CDK app: `npx cdk synth --all` / `cdk deploy --all -c stage=prod` (optionally
 * `-c authCallbackUrls=…` for Cognito's managed login, `-c alarmEmail=…` and `-c alarmWebhookUrl=https://…`
 * for who receives the alarms).
 * Two stacks per stage — `Aftersale-<stage>-Stateful` (data, retained) and `Aftersale-<stage>-Api`
 * (functions, API, schedules, alarms, dashboard; canary deployments outside dev) — checked by cdk-nag's
 * AWS Solutions pack on every synth.
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { App, type Environment, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ApiStack, type HostManifest } from '../lib/api-stack.js';
import { StatefulStack } from '../lib/stateful-stack.js';
import { PAYMENT_PROVIDERS, type PaymentProviderName } from '../lambdas/payments/port.js';

export interface AftersaleOptions {
  /** Manifest override (tests); defaults to lib/manifest.ts. */
  readonly manifest?: HostManifest;
}

export interface Aftersale {
  readonly app: App;
  readonly stage: string;
  readonly stateful: StatefulStack;
  readonly api: ApiStack;
  readonly nag: AwsSolutionsChecks;
}

/** Adds the Aftersale stacks for the context's `stage` (default `dev`) to `app`, with cdk-nag registered. */
export function defineAftersale(app: App, options: AftersaleOptions = {}): Aftersale {
  const stage: unknown = app.node.tryGetContext('stage') ?? 'dev';
  if (typeof stage !== 'string' || !/^[a-z][a-z0-9-]{0,19}$/.test(stage)) {
    throw new Error(`Context 'stage' must be a short lowercase name such as dev or prod, got ${JSON.stringify(stage)}`);
  }
  // A concrete environment only when both account and region are known, i.e. when the CLI found
  // credentials (it always sets CDK_DEFAULT_REGION, falling back to us-east-1). Without credentials the
  // stacks stay environment-agnostic, so `cdk synth` works offline and bakes in no guessed region.
  const account = process.env.CDK_DEFAULT_ACCOUNT;
  const region = process.env.CDK_DEFAULT_REGION;
  const env: Environment | undefined = account && region ? { account, region } : undefined;

  const stateful = new StatefulStack(app, `Aftersale-${stage}-Stateful`, {
    stage,
    env,
    callbackUrls: callbackUrlsOf(app.node.tryGetContext('authCallbackUrls')),
    ...restoredTableOf(app.node.tryGetContext('restoredTables'), stage),
    description: `Aftersale ${stage}: table, media bucket, queues, user pool (retained)`,
  });
  const api = new ApiStack(app, `Aftersale-${stage}-Api`, {
    stage,
    env,
    stateful,
    description: `Aftersale ${stage}: functions, HTTP API, workers, schedules, alarms, dashboard`,
    alarmSubscriptions: {
      ...optionalString(app, 'alarmEmail'),
      ...optionalString(app, 'alarmWebhookUrl'),
    },
    ...cursorSecretVersionOf(app.node.tryGetContext('cursorSecretVersion')),
    ...paymentProviderOf(app.node.tryGetContext('paymentProvider')),
    ...(options.manifest ? { manifest: options.manifest } : {}),
  });

  // cdk-nag v3 is a policy-validation plugin: findings that are not acknowledged in code fail the synth.
  const nag = new AwsSolutionsChecks(app);
  Validations.of(app).addPlugins(nag);
  return { app, stage, stateful, api, nag };
}

/** Context `paymentProvider`: `simulated` or `stripe` (the default); anything else fails the synth. */
function paymentProviderOf(value: unknown): { paymentProvider?: PaymentProviderName } {
  if (value === undefined) return {};
  if (!(PAYMENT_PROVIDERS as readonly unknown[]).includes(value)) throw new Error(`-c paymentProvider must be one of ${PAYMENT_PROVIDERS.join(', ')}`);
  return { paymentProvider: value as PaymentProviderName };
}

/**
 * Context `restoredTables`: per stage, the name of a table restored from a point in time that the stage
 * now uses (docs/runbook.md). It lives in cdk.json, committed, never on the command line: a deploy that
 * forgot it would point the stage back at the table the restore replaced.
 */
function restoredTableOf(value: unknown, stage: string): { restoredTableName?: string } {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`Context 'restoredTables' must map stages to table names, e.g. { "prod": "aftersale-prod-restored-20261201" }, got ${JSON.stringify(value)}`);
  }
  const name: unknown = (value as Record<string, unknown>)[stage];
  if (name === undefined) return {};
  if (typeof name !== 'string' || !/^[A-Za-z0-9_.-]{3,255}$/.test(name)) {
    throw new Error(`Context 'restoredTables.${stage}' must be a DynamoDB table name, got ${JSON.stringify(name)}`);
  }
  return { restoredTableName: name };
}

/** Context `cursorSecretVersion`: the VersionId `aws secretsmanager put-secret-value` printed (a UUID). */
function cursorSecretVersionOf(value: unknown): { cursorSecretVersion?: string } {
  if (value === undefined || value === '') return {};
  if (typeof value !== 'string' || !/^[A-Za-z0-9-]{32,64}$/.test(value)) {
    throw new Error(`Context 'cursorSecretVersion' must be a secret VersionId, got ${JSON.stringify(value)}`);
  }
  return { cursorSecretVersion: value };
}

/** A context value that is a non-empty string when given, keyed for AlarmSubscriptions (`alarmEmail` → `email`). */
function optionalString(app: App, key: 'alarmEmail' | 'alarmWebhookUrl'): { email?: string; webhookUrl?: string } {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined || value === '') return {};
  if (typeof value !== 'string') throw new Error(`Context '${key}' must be a string, got ${JSON.stringify(value)}`);
  return key === 'alarmEmail' ? { email: value.trim() } : { webhookUrl: value.trim() };
}

/**
 * Context `authCallbackUrls`: a JSON array in cdk.json, or a comma-separated list on the command line
 * (`-c authCallbackUrls=https://<app host>/callback`). None: the app client has no OAuth flow.
 */
function callbackUrlsOf(value: unknown): string[] {
  if (value === undefined) return [];
  const urls = typeof value === 'string' ? value.split(',') : value;
  if (!Array.isArray(urls) || !urls.every((url): url is string => typeof url === 'string')) {
    throw new Error(`Context 'authCallbackUrls' must be a list of URLs or a comma-separated string, got ${JSON.stringify(value)}`);
  }
  return urls.map((url) => url.trim()).filter((url) => url.length > 0);
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
if (invokedDirectly) {
  defineAftersale(new App());
}
