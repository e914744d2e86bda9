/**
 * The whole app as `cdk synth` builds it from the real manifest (lib/manifest.ts): every function is
 * bundled once, in beforeAll, and the cdk-nag AWS Solutions pack runs as part of the synth.
 */
import { App, type CfnElement, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, NagPack } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { defineAftersale, type Aftersale } from '../../bin/aftersale.js';
import { cdkContext, type CfnResource, type Statement } from './support.js';
import { routeThrottles, strictRoutes, throttleClassOf } from '../../lib/api-stack.js';
import { functions, jobs, queues, routes, workers, type FunctionSpec, type RouteSpec } from '../../lib/manifest.js';
import { carriers } from '../../lambdas/platform/config.js';


let aftersale: Aftersale;
let api: Template;
let synthError: unknown;

beforeAll(() => {
  aftersale = defineAftersale(new App({ context: cdkContext }));
  try {
    // Runs the registered cdk-nag plugin: any unacknowledged finding makes the synth throw.
    aftersale.app.synth();
  } catch (error) {
    synthError = error;
  }
  api = Template.fromStack(aftersale.api);
  // Bundles every function with esbuild: seconds alone, minutes when the machine is shared.
}, 240_000);

function resources(type: string): Record<string, CfnResource> {
  return api.findResources(type) as Record<string, CfnResource>;
}

/** The logical id of the manifest function `name` (the NodejsFunction inside its ManifestFunction). */
function functionId(name: string): string {
  const fn = aftersale.api.functions.get(name);
  if (!fn) throw new Error(`no function ${name}`);
  return aftersale.api.getLogicalId(fn.function.node.defaultChild as CfnElement);
}

/** The logical id of the `live` alias of manifest function `name`. */
function aliasId(name: string): string {
  const fn = aftersale.api.functions.get(name);
  if (!fn) throw new Error(`no function ${name}`);
  return aftersale.api.getLogicalId(fn.live.node.defaultChild as CfnElement);
}

/** The Allow statements in the policies attached to the role of manifest function `name`. */
function allowedStatements(name: string): Statement[] {
  const fn = aftersale.api.functions.get(name);
  if (!fn) throw new Error(`no function ${name}`);
  const roleId = aftersale.api.getLogicalId(fn.role.node.defaultChild as CfnElement);
  return Object.values(resources('AWS::IAM::Policy'))
    .filter((policy) => JSON.stringify(policy.Properties['Roles']) === JSON.stringify([{ Ref: roleId }]))
    .flatMap((policy) => (policy.Properties['PolicyDocument'] as { Statement: Statement[] }).Statement)
    .filter((statement) => statement.Effect === 'Allow');
}

/** Actions of all Allow statements of the role of manifest function `name`. */
function allowedActions(name: string): string[] {
  return allowedStatements(name).flatMap((statement) => [statement.Action].flat());
}

/**
 * The S3 object actions of function `name`, per object resource written as the part after the bucket
 * ARN (`/owned/*`); the bucket ARN itself is imported by its export name.
 */
function objectGrants(name: string): Record<string, string[]> {
  const bucketArn = { 'Fn::ImportValue': aftersale.stateful.bucketArnExportName };
  const grants: Record<string, string[]> = {};
  for (const statement of allowedStatements(name)) {
    const actions = [statement.Action].flat().filter((action) => action.startsWith('s3:') && action !== 's3:ListBucket');
    if (actions.length === 0) continue;
    for (const resource of [statement.Resource].flat() as { 'Fn::Join': [string, [unknown, string]] }[]) {
      const [, [arn, suffix]] = resource['Fn::Join'];
      expect(arn, name).toEqual(bucketArn);
      grants[suffix] = [...(grants[suffix] ?? []), ...actions].sort();
    }
  }
  return grants;
}

const functionNames = Object.keys(functions) as (keyof typeof functions)[];
const specOf = (name: keyof typeof functions): FunctionSpec => functions[name];
const routeKeys = Object.keys(routes) as (keyof typeof routes)[];

describe('functions', () => {
  it('has one Node 24 arm64 function per manifest function', () => {
    expect(Object.keys(resources('AWS::Lambda::Function'))).toHaveLength(functionNames.length);
    for (const name of functionNames) {
      const fn = resources('AWS::Lambda::Function')[functionId(name)];
      const spec = specOf(name);
      expect(fn?.Properties, name).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
        MemorySize: spec.memoryMb ?? 1024,
        Timeout: spec.timeoutSeconds ?? 10,
      });
    }
  });

  it('gives every function the platform environment, and the cursor key only to those that sign cursors', () => {
    for (const name of functionNames) {
      const variables = (resources('AWS::Lambda::Function')[functionId(name)]?.Properties['Environment'] as { Variables: Record<string, unknown> })
        .Variables;
      expect(Object.keys(variables).sort(), name).toEqual(
        [
          'TABLE_NAME',
          'BUCKET_NAME',
          ...(specOf(name).signsCursors ? ['CURSOR_SECRET'] : []),
          'JWT_ISSUER',
          'JWT_JWKS_URL',
          'JWT_CLIENT_IDS',
          'POWERTOOLS_SERVICE_NAME',
          'NODE_OPTIONS',
          ...(specOf(name).sendsTo ?? []).map((queue) => `QUEUE_URL_${queue.toUpperCase()}`),
          ...(specOf(name).carrierSecrets ? ['CARRIER_SECRET_ARNS'] : []),
          ...(specOf(name).paymentProvider ? ['PAYMENT_PROVIDER', 'STRIPE_SECRET_ARN'] : []),
          ...(specOf(name).emits?.length ? ['EVENT_BUS_NAME'] : []),
          ...(specOf(name).paymentEventSecret ? ['PAYMENT_PROVIDER', 'PAYMENT_EVENT_SECRET_ARNS'] : []),
        ]
          .filter((variable, index, all) => all.indexOf(variable) === index)
          .sort(),
      );
      expect(variables['POWERTOOLS_SERVICE_NAME']).toBe('aftersale');
      expect(variables['NODE_OPTIONS']).toBe('--enable-source-maps');
      if (specOf(name).signsCursors) expect(JSON.stringify(variables['CURSOR_SECRET'])).toContain('{{resolve:secretsmanager:');
      expect(JSON.stringify(variables['JWT_JWKS_URL'])).toContain('/.well-known/jwks.json');
    }
  });

  it('publishes business events on one EventBus, which only the functions that declare `emits` may put to', () => {
    const buses = Object.entries(resources('AWS::Events::EventBus'));
    expect(buses).toHaveLength(1);
    const [busId] = buses[0] as [string, CfnResource];
    const emitters = functionNames.filter((name) => (specOf(name).emits ?? []).length > 0);
    expect(emitters).toContain('webhookWorker');
    for (const name of functionNames) {
      const putEvents = allowedStatements(name).filter((statement) => [statement.Action].flat().includes('events:PutEvents'));
      if (!emitters.includes(name)) {
        expect(putEvents, name).toEqual([]);
        continue;
      }
      expect(putEvents.map((statement) => statement.Resource), name).toEqual([{ 'Fn::GetAtt': [busId, 'Arn'] }]);
      const variables = (resources('AWS::Lambda::Function')[functionId(name)]?.Properties['Environment'] as { Variables: Record<string, unknown> }).Variables;
      expect(variables['EVENT_BUS_NAME'], name).toEqual({ Ref: busId });
    }
  });

  it('never lets a deployed function call loopback webhooks (a local host setting only)', () => {
    for (const name of functionNames) {
      const variables = (resources('AWS::Lambda::Function')[functionId(name)]?.Properties['Environment'] as { Variables: Record<string, unknown> }).Variables;
      expect(variables['WEBHOOK_ALLOW_LOOPBACK'], name).toBeUndefined();
    }
  });

  it("keeps one retained secret per carrier, readable only by the functions that verify carriers' signatures", () => {
    const secrets = Object.entries(resources('AWS::SecretsManager::Secret')).filter(([, secret]) => String(secret.Properties['Description']).includes('signs its tracking webhooks'));
    expect(secrets.map(([, secret]) => String(secret.Properties['Description']).match(/carrier '([a-z]+)'/)?.[1]).sort()).toEqual(Object.keys(carriers).sort());
    for (const [id] of secrets) expect(api.toJSON().Resources[id].DeletionPolicy).toBe('Retain');
    const readers = functionNames.filter((name) => specOf(name).carrierSecrets === 'read');
    expect(readers).toEqual(['carrierEvents']);
    for (const name of functionNames) {
      const variables = (resources('AWS::Lambda::Function')[functionId(name)]?.Properties['Environment'] as { Variables: Record<string, unknown> }).Variables;
      const arns = JSON.stringify(variables['CARRIER_SECRET_ARNS'] ?? null);
      for (const [id] of secrets) expect(arns.includes(id), `${name} knows ${id}`).toBe(readers.includes(name));
    }
  });

  it('gives the Stripe key (a retained secret) and PAYMENT_PROVIDER=stripe only to the functions that use the payment provider', () => {
    const secrets = Object.entries(resources('AWS::SecretsManager::Secret')).filter(([, secret]) => String(secret.Properties['Description']).includes('Stripe secret API key'));
    expect(secrets).toHaveLength(1);
    const [secretId] = secrets[0] as [string, unknown];
    expect(api.toJSON().Resources[secretId].DeletionPolicy).toBe('Retain');
    const users = functionNames.filter((name) => specOf(name).paymentProvider === 'use');
    expect(users.sort()).toEqual(['orders', 'timerShardWorker']);
    for (const name of functionNames) {
      const variables = (resources('AWS::Lambda::Function')[functionId(name)]?.Properties['Environment'] as { Variables: Record<string, unknown> }).Variables;
      expect(variables['PAYMENT_PROVIDER'], name).toBe(users.includes(name) || specOf(name).paymentEventSecret === 'read' ? 'stripe' : undefined);
      expect(JSON.stringify(variables['STRIPE_SECRET_ARN'] ?? null).includes(secretId), name).toBe(users.includes(name));
    }
    // Read access goes with the ARN: a policy naming the secret for each user, none for the others.
    const policies = JSON.stringify(resources('AWS::IAM::Policy'));
    expect(policies).toContain(secretId);
  });

  it("keeps one retained webhook secret for the stage's payment provider, readable only by the function that hears it, which never gets the API key", () => {
    const secrets = Object.entries(resources('AWS::SecretsManager::Secret')).filter(([, secret]) => String(secret.Properties['Description']).includes('signs its webhooks (chargebacks)'));
    expect(secrets.map(([, secret]) => String(secret.Properties['Description']).match(/payment provider '([a-z]+)'/)?.[1])).toEqual(['stripe']);
    const [secretId] = secrets[0] as [string, unknown];
    expect(api.toJSON().Resources[secretId].DeletionPolicy).toBe('Retain');
    const readers = functionNames.filter((name) => specOf(name).paymentEventSecret === 'read');
    expect(readers).toEqual(['paymentEvents']);
    for (const name of functionNames) {
      const variables = (resources('AWS::Lambda::Function')[functionId(name)]?.Properties['Environment'] as { Variables: Record<string, unknown> }).Variables;
      expect(JSON.stringify(variables['PAYMENT_EVENT_SECRET_ARNS'] ?? null).includes(secretId), name).toBe(readers.includes(name));
    }
    expect(specOf('paymentEvents').paymentProvider).toBeUndefined();
  });

  it('declares signsCursors exactly on the functions with a route taking a cursor query parameter', () => {
    const takesCursor = (key: keyof typeof routes): boolean => {
      // Classic and mini zod objects both carry their shape in the core definition.
      const query = (routes[key] as RouteSpec).query as { _zod?: { def?: { shape?: Record<string, unknown> } } } | undefined;
      return Object.hasOwn(query?._zod?.def?.shape ?? {}, 'cursor');
    };
    const signers = new Set<string>(routeKeys.filter(takesCursor).map((key) => routes[key].fn));
    expect(signers.size).toBeGreaterThan(0);
    for (const name of functionNames) expect(specOf(name).signsCursors === true, name).toBe(signers.has(name));
    expect(functionNames.filter((name) => !signers.has(name)).length).toBeGreaterThan(0);
  });

  it('gives every function its own log group kept 30 days', () => {
    const logGroups = resources('AWS::Logs::LogGroup');
    for (const name of functionNames) {
      const config = resources('AWS::Lambda::Function')[functionId(name)]?.Properties['LoggingConfig'] as { LogGroup: { Ref: string } };
      expect(logGroups[config.LogGroup.Ref]?.Properties['RetentionInDays'], name).toBe(30);
    }
  });

  it('uses no AWS managed policies, but for CodeDeploy’s own limited Lambda role', () => {
    const codeDeployRoles = new Set([...aftersale.api.deployments.values()].map((deployment) => aftersale.api.getLogicalId(deployment.deploymentGroup.role.node.defaultChild as CfnElement)));
    expect(codeDeployRoles.size).toBe(functionNames.length);
    for (const [id, role] of Object.entries(resources('AWS::IAM::Role'))) {
      if (codeDeployRoles.has(id)) {
        expect(JSON.stringify(role.Properties['ManagedPolicyArns']), id).toMatch(/:iam::aws:policy\/service-role\/AWSCodeDeployRoleForLambdaLimited"\]\]\}\]$/);
      } else {
        expect(role.Properties['ManagedPolicyArns'], id).toBeUndefined();
      }
    }
  });
});

describe('least privilege', () => {
  const tableRead = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'];
  const tableWrite = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem', 'dynamodb:ConditionCheckItem'];

  it('grants table actions exactly as the manifest declares', () => {
    for (const name of functionNames) {
      const dynamo = allowedActions(name).filter((action) => action.startsWith('dynamodb:'));
      const access = specOf(name).table;
      if (access === 'none') expect(dynamo, name).toEqual([]);
      if (access === 'read') expect(dynamo.sort(), name).toEqual([...tableRead].sort());
      if (access === 'readWrite') expect(dynamo.sort(), name).toEqual([...tableRead, ...tableWrite].sort());
    }
  });

  it('gives the operations function (table: none) no DynamoDB, S3 or SQS access at all', () => {
    expect(functions.operations.table).toBe('none');
    expect(allowedActions('operations').filter((action) => /^(dynamodb|s3|sqs):/.test(action))).toEqual([]);
  });

  it('never allows Scan or wildcard actions', () => {
    const all = functionNames.flatMap(allowedActions);
    expect(all).not.toContain('dynamodb:Scan');
    expect(all.filter((action) => action.includes('*'))).toEqual([]);
  });

  it('grants queues only to functions that declare them', () => {
    for (const name of functionNames) {
      if (!specOf(name).sendsTo?.length) expect(allowedActions(name).filter((action) => action === 'sqs:SendMessage'), name).toEqual([]);
    }
  });

  // The key layout the uploads code writes: client posts per purpose, platform copies, identity documents.
  const prefixes = { incoming: '/incoming/*', owned: '/owned/*', privateDocuments: '/private/kyc/*', incomingKyc: '/incoming/kyc/*' } as const;
  const publicIncoming = ['/incoming/review-media/*', '/incoming/dispute-evidence/*', '/incoming/listing-images/*', '/incoming/messages/*'] as const;
  const actionsFor = { read: ['s3:GetObject'], write: ['s3:PutObject'], readWrite: ['s3:GetObject', 's3:PutObject'] } as const;

  it('grants media objects per prefix exactly as the manifest declares, never the whole bucket', () => {
    for (const name of functionNames) {
      const spec = specOf(name);
      const expected: Record<string, string[]> = {};
      const incoming = spec.bucket?.incoming;
      if (incoming === 'write') expected[prefixes.incoming] = [...actionsFor.write];
      else if (incoming) for (const objects of publicIncoming) expected[objects] = [...actionsFor[incoming]].sort();
      if (spec.bucket?.owned) expected[prefixes.owned] = [...actionsFor[spec.bucket.owned]].sort();
      if (spec.privateDocuments) {
        expected[prefixes.privateDocuments] = [...actionsFor[spec.privateDocuments]].sort();
        expected[prefixes.incomingKyc] = ['s3:GetObject'];
      }
      expect(objectGrants(name), name).toEqual(expected);
      const reads = Object.values(expected).some((actions) => actions.includes('s3:GetObject'));
      expect(allowedActions(name).includes('s3:ListBucket'), `${name} may list (a missing key answers 404) only if it reads`).toBe(reads);
      if (Object.keys(expected).length === 0) expect(allowedActions(name).filter((action) => action.startsWith('s3:')), name).toEqual([]);
    }
  });

  it('lets only seller verification reach identity documents, as posted (incoming/kyc/) or as copied (private/kyc/)', () => {
    const readers = functionNames.filter((name) => objectGrants(name)[prefixes.privateDocuments] || objectGrants(name)[prefixes.incomingKyc]);
    expect(readers).toEqual(['sellers']);
    expect(objectGrants('sellers')).toEqual({ [prefixes.privateDocuments]: ['s3:GetObject', 's3:PutObject'], [prefixes.incomingKyc]: ['s3:GetObject'] });
  });

  it('lets readers of media read the platform copies only, never what clients posted', () => {
    expect(objectGrants('reviews')).toEqual({ [prefixes.owned]: ['s3:GetObject'] });
  });

  it('lets the functions that adopt uploads read the client posts of public purposes and write only platform copies', () => {
    // Dispute evidence is checked and copied when a dispute names it (services/uploads.ts adoptUploads);
    // the grants name each public purpose, so no wildcard reaches incoming/kyc/.
    for (const name of ['disputes', 'moderationWorker', 'listingReviewWorker'] as const) {
      const grants = objectGrants(name);
      expect(Object.keys(grants).filter((objects) => objects.startsWith('/incoming/')).sort(), name).toEqual([...publicIncoming].sort());
      expect(grants[prefixes.incomingKyc], name).toBeUndefined();
      expect(grants[prefixes.incoming], name).toBeUndefined();
    }
    expect(objectGrants('uploads')).toEqual({ [prefixes.incoming]: ['s3:PutObject'] });
  });
});

describe('HTTP API', () => {
  const routeResources = (): CfnResource[] => Object.values(resources('AWS::ApiGatewayV2::Route'));

  it('has exactly one route per manifest route', () => {
    const keys = routeResources().map((route) => route.Properties['RouteKey']);
    expect([...keys].sort()).toEqual([...routeKeys].sort());
  });

  it('deploys no /local route', () => {
    const keys = routeResources().map((route) => String(route.Properties['RouteKey']));
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.filter((key) => key.includes('/local'))).toEqual([]);
  });

  it('puts the Cognito JWT authorizer on required routes only', () => {
    api.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 1);
    api.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', { AuthorizerType: 'JWT', IdentitySource: ['$request.header.Authorization'] });
    const [authorizerId] = Object.keys(resources('AWS::ApiGatewayV2::Authorizer'));
    for (const route of routeResources()) {
      const key = route.Properties['RouteKey'] as keyof typeof routes;
      if (routes[key].auth === 'required') {
        expect(route.Properties, key).toMatchObject({ AuthorizationType: 'JWT', AuthorizerId: { Ref: authorizerId } });
      } else {
        expect(route.Properties['AuthorizationType'], key).toBe('NONE');
        expect(route.Properties['AuthorizerId'], key).toBeUndefined();
      }
    }
  });

  it('integrates each route with its function’s live alias, one integration per function', () => {
    const integrations = resources('AWS::ApiGatewayV2::Integration');
    const routedFunctions = new Set(routeKeys.map((key) => routes[key].fn));
    expect(Object.keys(integrations)).toHaveLength(routedFunctions.size);
    for (const route of routeResources()) {
      const key = route.Properties['RouteKey'] as keyof typeof routes;
      const integrationId = JSON.stringify(route.Properties['Target']).match(/"Ref":"([^"]+)"/)?.[1] ?? '';
      expect(JSON.stringify(integrations[integrationId]?.Properties['IntegrationUri']), key).toContain(`{"Ref":"${aliasId(routes[key].fn)}"}`);
    }
  });

  it('answers CORS preflight for Authorization, Content-Type and Idempotency-Key', () => {
    api.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'HTTP',
      CorsConfiguration: { AllowOrigins: ['*'], AllowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key'] },
    });
  });

  it('has a throttled default stage with JSON access logs', () => {
    api.resourceCountIs('AWS::ApiGatewayV2::Stage', 1);
    const [stage] = Object.values(resources('AWS::ApiGatewayV2::Stage'));
    expect(stage?.Properties).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingBurstLimit: routeThrottles.read.burstLimit, ThrottlingRateLimit: routeThrottles.read.rateLimit },
    });
    const settings = stage?.Properties['AccessLogSettings'] as { DestinationArn: unknown; Format: string };
    expect(JSON.parse(settings.Format)).toMatchObject({ requestId: '$context.requestId', status: '$context.status' });
    expect(JSON.stringify(settings.DestinationArn)).toContain('ApiAccessLogs');
  });

  it('throttles every write route tighter than the reads, order placement and upload slots tightest', () => {
    const [stage] = Object.values(resources('AWS::ApiGatewayV2::Stage'));
    const settings = stage?.Properties['RouteSettings'] as Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }>;
    const writes = routeKeys.filter((key) => !key.startsWith('GET '));
    expect(writes.length).toBeGreaterThan(0);
    // Reads run on the stage default; every write has its own, tighter, limit.
    expect(Object.keys(settings).sort()).toEqual([...writes].sort());
    const { read } = routeThrottles;
    for (const key of writes) {
      const limit = settings[key];
      expect(limit?.ThrottlingRateLimit, key).toBeLessThan(read.rateLimit);
      expect(limit?.ThrottlingBurstLimit, key).toBeLessThan(read.burstLimit);
      expect(limit, key).toEqual({ ThrottlingRateLimit: routeThrottles[throttleClassOf(key)].rateLimit, ThrottlingBurstLimit: routeThrottles[throttleClassOf(key)].burstLimit });
    }
    for (const key of ['POST /v1/orders', 'POST /v1/uploads']) {
      expect(settings[key]?.ThrottlingRateLimit, key).toBe(Math.min(...writes.map((write) => settings[write]?.ThrottlingRateLimit ?? Infinity)));
      expect(settings[key]?.ThrottlingRateLimit, key).toBeLessThan(settings['PUT /v1/sellers/me']?.ThrottlingRateLimit ?? 0);
    }
  });

  it('names only real routes as strict, and creates the stage after the routes its settings name', () => {
    for (const key of strictRoutes) expect(routeKeys, key).toContain(key);
    const [stage] = Object.values(api.findResources('AWS::ApiGatewayV2::Stage') as Record<string, CfnResource & { DependsOn?: string[] }>);
    const routeIdByKey = new Map(Object.entries(resources('AWS::ApiGatewayV2::Route')).map(([id, route]) => [route.Properties['RouteKey'] as string, id]));
    for (const key of Object.keys(stage?.Properties['RouteSettings'] as object)) expect(stage?.DependsOn, key).toContain(routeIdByKey.get(key));
  });

  it('outputs the API URL', () => {
    expect(Object.keys(api.findOutputs('ApiUrl'))).toHaveLength(1);
  });
});

describe('workers and jobs', () => {
  it('has one event source mapping per manifest worker (see manifest-variants.test.ts for the shape)', () => {
    api.resourceCountIs('AWS::Lambda::EventSourceMapping', workers.length);
  });

  it('bounds the timer shard workers by the event source, as the manifest declares', () => {
    api.hasResourceProperties('AWS::Lambda::EventSourceMapping', { FunctionName: Match.anyValue(), BatchSize: 1, ScalingConfig: { MaximumConcurrency: 16 } });
    expect(workers.find((worker) => worker.queue === 'timerShards')).toMatchObject({ fn: 'timerShardWorker', batchSize: 1, maxConcurrency: 16 });
  });

  it('delivers the listing-review queue to its own worker, with partial batch failures and a DLQ after 5 receives', () => {
    const stateful = Template.fromStack(aftersale.stateful);
    const queueId = aftersale.stateful.getLogicalId(aftersale.stateful.queues.listingReview.queue.node.defaultChild as CfnElement);
    const dlqId = aftersale.stateful.getLogicalId(aftersale.stateful.queues.listingReview.deadLetterQueue.node.defaultChild as CfnElement);
    expect(stateful.findResources('AWS::SQS::Queue')[queueId]?.Properties).toMatchObject({ RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: 5 } });
    const mappings = Object.values(resources('AWS::Lambda::EventSourceMapping')).filter((mapping) => JSON.stringify(mapping.Properties['FunctionName']).includes(aliasId('listingReviewWorker')));
    expect(mappings.map((mapping) => mapping.Properties)).toEqual([expect.objectContaining({ BatchSize: 5, FunctionResponseTypes: ['ReportBatchItemFailures'] })]);
    // Only the functions that ask for a review (and the outbox retries) may send to it.
    const senders = functionNames.filter((name) => (specOf(name).sendsTo as readonly string[] | undefined)?.includes('listingReview'));
    expect(senders.sort()).toEqual(['products', 'timerShardWorker']);
  });

  it('gives each worker queue a visibility timeout of at least 6× its worker timeout (AWS guidance for SQS event sources)', () => {
    const queueResources = Template.fromStack(aftersale.stateful).findResources('AWS::SQS::Queue') as Record<string, CfnResource>;
    expect(workers.length).toBeGreaterThan(0);
    for (const worker of workers) {
      const queueId = aftersale.stateful.getLogicalId(aftersale.stateful.queues[worker.queue].queue.node.defaultChild as CfnElement);
      const visibility = queueResources[queueId]?.Properties['VisibilityTimeout'];
      const timeout = resources('AWS::Lambda::Function')[functionId(worker.fn)]?.Properties['Timeout'];
      expect(typeof visibility === 'number' && typeof timeout === 'number', worker.queue).toBe(true);
      expect(visibility as number, worker.queue).toBeGreaterThanOrEqual(6 * (timeout as number));
    }
  });

  it('runs each job one invocation at a time (reserved concurrency 1), so two sweeps never overlap', () => {
    expect(Object.keys(jobs).length).toBeGreaterThan(0);
    for (const job of Object.values(jobs)) {
      expect(resources('AWS::Lambda::Function')[functionId(job.fn)]?.Properties['ReservedConcurrentExecutions'], job.fn).toBe(1);
    }
  });

  it('reserves concurrency only where the manifest asks for it', () => {
    for (const name of functionNames) {
      expect(resources('AWS::Lambda::Function')[functionId(name)]?.Properties['ReservedConcurrentExecutions'], name).toBe(specOf(name).reservedConcurrency);
    }
  });

  it('schedules each job’s live alias with retries', () => {
    const rules = Object.values(resources('AWS::Events::Rule'));
    expect(rules).toHaveLength(Object.keys(jobs).length);
    for (const job of Object.values(jobs)) {
      const rule = rules.find((candidate) => candidate.Properties['ScheduleExpression'] === job.schedule);
      expect(rule?.Properties['Targets']).toEqual([
        expect.objectContaining({ Arn: { Ref: aliasId(job.fn) }, RetryPolicy: expect.objectContaining({ MaximumRetryAttempts: 2 }) }),
      ]);
    }
  });

  it('runs the badge job once a day (DOMAIN.md: badges recomputed daily), on its own function with one run at a time', () => {
    const daily = Object.values(resources('AWS::Events::Rule')).filter((rule) => rule.Properties['ScheduleExpression'] === 'cron(15 0 * * ? *)');
    expect(daily.map((rule) => rule.Properties['Targets'])).toEqual([[expect.objectContaining({ Arn: { Ref: aliasId('badgesJob') } })]]);
    expect(resources('AWS::Lambda::Function')[functionId('badgesJob')]?.Properties['ReservedConcurrentExecutions']).toBe(1);
  });
});

describe('alarms', () => {
  const alarms = (): CfnResource[] => Object.values(resources('AWS::CloudWatch::Alarm'));

  it('alarms when any dead-letter queue holds a message', () => {
    const dlqAlarms = alarms().filter((alarm) => alarm.Properties['MetricName'] === 'ApproximateNumberOfMessagesVisible');
    expect(dlqAlarms).toHaveLength(Object.keys(queues).length);
    for (const name of Object.keys(queues) as (keyof typeof queues)[]) {
      const dlq = aftersale.stateful.queues[name].deadLetterQueue;
      const dlqId = aftersale.stateful.getLogicalId(dlq.node.defaultChild as CfnElement);
      const alarm = dlqAlarms.find((candidate) => JSON.stringify(candidate.Properties['Dimensions']).includes(dlqId));
      expect(alarm?.Properties, name).toMatchObject({ Namespace: 'AWS/SQS', Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    }
  });

  it('alarms on 5 or more API 5xx answers in 5 minutes', () => {
    const alarm = alarms().find((candidate) => candidate.Properties['MetricName'] === '5xx');
    expect(alarm?.Properties).toMatchObject({
      Namespace: 'AWS/ApiGateway',
      Statistic: 'Sum',
      Period: 300,
      Threshold: 5,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('counts every business event a function declares as a CloudWatch metric from its own logs', () => {
    // The other filters (5xx, timer lag) are checked in operations.test.ts.
    const filters = (Object.values(api.findResources('AWS::Logs::MetricFilter')) as { Properties: { FilterPattern: string; LogGroupName: unknown; MetricTransformations: { MetricName: string; MetricNamespace: string; MetricValue: string }[] } }[]).filter((filter) => filter.Properties.FilterPattern.startsWith('{ $.businessEvent ='));
    const declared = functionNames.flatMap((name) => (specOf(name).emits ?? []).map((event) => ({ name, event })));
    expect(filters).toHaveLength(declared.length);
    for (const { name, event } of declared) {
      const logGroupId = aftersale.api.getLogicalId(aftersale.api.functions.get(name)?.logGroup.node.defaultChild as CfnElement);
      const filter = filters.find((candidate) => candidate.Properties.MetricTransformations[0]?.MetricName === event && JSON.stringify(candidate.Properties.LogGroupName).includes(logGroupId));
      expect(filter, `${name} ${event}`).toBeDefined();
      expect(filter?.Properties.FilterPattern).toBe(`{ $.businessEvent = "${event}" }`);
      expect(filter?.Properties.MetricTransformations[0]).toMatchObject({ MetricNamespace: 'Aftersale', MetricValue: '1' });
    }
  });

  it('alarms as soon as a webhook delivery is given up (DEAD)', () => {
    expect(functions.webhookWorker.emits).toContain('WebhookDead');
    const dead = alarms().filter((candidate) => candidate.Properties['MetricName'] === 'WebhookDead');
    expect(dead).toHaveLength(1);
    expect(dead[0]?.Properties).toMatchObject({ Namespace: 'Aftersale', Statistic: 'Sum', Period: 300, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
  });

  it('alarms as soon as the timer sweep parks a timer', () => {
    expect(functions.timerShardWorker.emits).toContain('TimerParked');
    const parked = alarms().filter((candidate) => candidate.Properties['MetricName'] === 'TimerParked');
    expect(parked).toHaveLength(1);
    expect(parked[0]?.Properties).toMatchObject({
      Namespace: 'Aftersale',
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
    expect(parked[0]?.Properties['Dimensions']).toBeUndefined();
  });

  it('sends every alarm to one encrypted, SSL-only topic', () => {
    const topicId = aftersale.api.getLogicalId(aftersale.api.alarmTopic.node.defaultChild as CfnElement);
    for (const alarm of alarms()) expect(alarm.Properties['AlarmActions'], JSON.stringify(alarm.Properties['AlarmDescription'])).toEqual([{ Ref: topicId }]);
    api.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    api.hasResourceProperties('AWS::SNS::TopicPolicy', { PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) } });
  });

  it('alarms on each function’s errors', () => {
    const errorAlarms = alarms().filter((alarm) => alarm.Properties['MetricName'] === 'Errors');
    for (const name of functionNames) {
      expect(
        errorAlarms.some((alarm) => JSON.stringify(alarm.Properties['Dimensions']).includes(functionId(name))),
        name,
      ).toBe(true);
    }
  });
});

describe('cdk-nag (AWS Solutions)', () => {
  it('synthesizes with the pack registered and nothing unacknowledged', () => {
    expect(synthError).toBeUndefined();
    const report = new AwsSolutionsChecks().validateScope(aftersale.app);
    expect(report.violations.map((violation) => `${violation.ruleName} at ${violation.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('acknowledges only findings that exist, each with a reason, on the narrowest construct', () => {
    const acknowledged = acknowledgementsIn(aftersale.app);
    expect(acknowledged.length).toBeGreaterThan(0);
    const raw = rawFindings(aftersale.app);
    for (const ack of acknowledged) {
      expect(ack.reason.length, `${ack.id} at ${ack.path}`).toBeGreaterThan(40);
      // The acknowledgement silences a finding on this construct or below it, and none outside the stacks.
      const matches = raw.filter((finding) => finding.rule === ack.id && (finding.path === ack.path || finding.path.startsWith(`${ack.path}/`)));
      expect(matches.length, `unused acknowledgement ${ack.id} at ${ack.path}`).toBeGreaterThan(0);
      expect(ack.path.split('/').length, `${ack.id} acknowledged on a whole stack or app`).toBeGreaterThan(1);
    }
  });
});

interface Acknowledgement {
  id: string;
  reason: string;
  path: string;
}

/** Every `Validations.of(x).acknowledge()` in the tree, read back from construct metadata. */
function acknowledgementsIn(root: IConstruct): Acknowledgement[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          id: id.replace(/^annotation::/i, ''),
          reason,
          path: construct.node.path,
        })),
      ),
  );
}

/** What the pack finds when acknowledgements are ignored (its private check is switched off for one run). */
function rawFindings(root: IConstruct): { rule: string; path: string }[] {
  const prototype = NagPack.prototype as unknown as { isAcknowledged?: (...args: unknown[]) => boolean };
  const original = prototype.isAcknowledged;
  expect(typeof original, 'cdk-nag changed its internals: update rawFindings()').toBe('function');
  prototype.isAcknowledged = () => false;
  try {
    return new AwsSolutionsChecks()
      .validateScope(root)
      .violations.flatMap((violation) => violation.violatingResources.map((resource) => ({ rule: violation.ruleName, path: resource.constructPath ?? '' })));
  } finally {
    prototype.isAcknowledged = original;
  }
}
