/**
 * Code paths the current manifest does not exercise yet: a queue worker, bucket and queue grants,
 * and the guards against manifests the AWS host must refuse. The stacks are built from a manifest-like
 * object with bundling skipped (`aws:cdk:bundling-stacks: []`): these tests are about the template,
 * and api-stack.test.ts already bundles every real entry.
 */
import { App, type CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { defineAftersale, type Aftersale } from '../../bin/aftersale.js';
import { cdkContext, type CfnResource, type Statement } from './support.js';
import { defaultManifest, type HostManifest } from '../../lib/api-stack.js';
import { queues as defaultManifestQueues } from '../../lib/manifest.js';



function build(manifest: HostManifest): Aftersale {
  return defineAftersale(new App({ context: { ...cdkContext, 'aws:cdk:bundling-stacks': [] } }), { manifest });
}

/** The real manifest plus a moderation worker that reads media and identity documents and hands disputes on. */
const withWorker: HostManifest = {
  ...defaultManifest,
  functions: {
    ...defaultManifest.functions,
    moderationWorker: {
      entry: 'lambdas/jobs/timers.ts', // any existing module: the worker only needs to be a valid entry here
      description: 'Test worker',
      table: 'read',
      bucket: { owned: 'read' },
      privateDocuments: 'read',
      sendsTo: ['disputes'],
      timeoutSeconds: 30,
    },
  },
  workers: [{ queue: 'moderation', fn: 'moderationWorker', batchSize: 5 }],
};

let aftersale: Aftersale;
let api: Template;

beforeAll(() => {
  aftersale = build(withWorker);
  aftersale.app.synth(); // throws on unacknowledged cdk-nag findings
  api = Template.fromStack(aftersale.api);
});

function workerPolicy(): Statement[] {
  const worker = aftersale.api.functions.get('moderationWorker');
  if (!worker) throw new Error('no worker');
  const roleId = aftersale.api.getLogicalId(worker.role.node.defaultChild as CfnElement);
  return Object.values(api.findResources('AWS::IAM::Policy') as Record<string, CfnResource>)
    .filter((policy) => JSON.stringify(policy.Properties['Roles']).includes(roleId))
    .flatMap((policy) => (policy.Properties['PolicyDocument'] as { Statement: Statement[] }).Statement);
}

function statementsWith(action: string): Statement[] {
  return workerPolicy().filter((statement) => [statement.Action].flat().includes(action));
}

describe('queue worker', () => {
  it('consumes its queue in batches and reports partial batch failures', () => {
    api.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    const moderation = aftersale.stateful.queues.moderation.queue;
    const queueId = aftersale.stateful.getLogicalId(moderation.node.defaultChild as CfnElement);
    api.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 5,
      EventSourceArn: { 'Fn::ImportValue': Match.stringLikeRegexp(`${queueId}Arn`) },
    });
  });

  it('may receive and delete on its queue only', () => {
    const consume = statementsWith('sqs:ReceiveMessage');
    expect(consume.length).toBeGreaterThan(0);
    for (const statement of consume) {
      expect([statement.Action].flat()).toEqual(expect.arrayContaining(['sqs:DeleteMessage', 'sqs:ChangeMessageVisibility']));
      expect(JSON.stringify(statement.Resource)).toMatch(/ModerationQueue(?!DeadLetters)/);
      expect(JSON.stringify(statement.Resource)).not.toMatch(/Disputes/);
    }
  });

  it('may send to the queues in sendsTo, and gets their URLs', () => {
    const send = statementsWith('sqs:SendMessage');
    expect(send).toHaveLength(1);
    expect(JSON.stringify(send[0]?.Resource)).toMatch(/DisputesQueue/);
    const worker = aftersale.api.functions.get('moderationWorker');
    const fnId = aftersale.api.getLogicalId(worker?.function.node.defaultChild as CfnElement);
    const fn = (api.findResources('AWS::Lambda::Function') as Record<string, CfnResource>)[fnId];
    const variables = (fn?.Properties['Environment'] as { Variables: Record<string, unknown> }).Variables;
    expect(JSON.stringify(variables['QUEUE_URL_DISPUTES'])).toMatch(/DisputesQueue/);
    expect(variables['QUEUE_URL_MODERATION']).toBeUndefined();
  });

  it('reads owned media and identity documents (copied, and as posted under incoming/kyc/ only), and may list the bucket (so a missing key answers 404), nothing more', () => {
    const s3 = workerPolicy().filter((statement) => [statement.Action].flat().some((action) => action.startsWith('s3:')));
    const objects = (prefix: string) => ({ 'Fn::Join': ['', [{ 'Fn::ImportValue': aftersale.stateful.bucketArnExportName }, `/${prefix}*`]] });
    expect(s3.flatMap((statement) => [statement.Action].flat()).sort()).toEqual(['s3:GetObject', 's3:ListBucket']);
    expect(s3.find((statement) => statement.Action === 's3:GetObject')?.Resource).toEqual(expect.arrayContaining([objects('owned/'), objects('private/kyc/'), objects('incoming/kyc/')]));
    expect([s3.find((statement) => statement.Action === 's3:GetObject')?.Resource].flat()).toHaveLength(3);
    expect(s3.find((statement) => statement.Action === 's3:ListBucket')?.Resource).toEqual({ 'Fn::ImportValue': aftersale.stateful.bucketArnExportName });
  });

  it('has read-only table access (table: read)', () => {
    const dynamo = workerPolicy()
      .flatMap((statement) => [statement.Action].flat())
      .filter((action) => action.startsWith('dynamodb:'));
    expect(dynamo.sort()).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query']);
  });

  it('passes cdk-nag, the prefix wildcards acknowledged on this role only', () => {
    expect(new AwsSolutionsChecks().validateScope(aftersale.app).violations).toEqual([]);
  });
});

describe('manifests the AWS host refuses', () => {
  it('a worker whose timeout exceeds its queue visibility timeout', () => {
    const slow: HostManifest = { ...withWorker, workers: [{ queue: 'moderation', fn: 'timersJob', batchSize: 5 }] };
    expect(() => build(slow)).toThrow(/visibility timeout/);
  });

  it('a queue whose visibility timeout is less than 6× its worker timeout', () => {
    const visibility = defaultManifestQueues.moderation.visibilityTimeoutSeconds;
    const worker = withWorker.functions['moderationWorker'];
    if (!worker) throw new Error('no worker');
    // One second more than a sixth of the visibility timeout: shorter than the queue's, but not 6× shorter.
    const justTooSlow: HostManifest = { ...withWorker, functions: { ...withWorker.functions, moderationWorker: { ...worker, timeoutSeconds: Math.floor(visibility / 6) + 1 } } };
    expect(() => build(justTooSlow)).toThrow(/less than 6× the function timeout/);
    const justFastEnough: HostManifest = { ...withWorker, functions: { ...withWorker.functions, moderationWorker: { ...worker, timeoutSeconds: Math.floor(visibility / 6) } } };
    expect(() => build(justFastEnough)).not.toThrow();
  });

  it('a route, worker or job naming an undeclared function', () => {
    expect(() => build({ ...defaultManifest, routes: { 'GET /v1/ghost': { fn: 'ghost', auth: 'none' } } })).toThrow(/ghost/);
    expect(() => build({ ...defaultManifest, jobs: { ghost: { fn: 'ghost', schedule: 'rate(1 hour)' } } })).toThrow(/ghost/);
  });

  it('a strict throttle naming a route the manifest does not declare', () => {
    const { ['POST /v1/orders']: _placeOrder, ...otherRoutes } = defaultManifest.routes;
    expect(() => build({ ...defaultManifest, routes: otherRoutes })).toThrow(/strictRoutes .*POST \/v1\/orders/);
  });

  it('a /local route', () => {
    expect(() => build({ ...defaultManifest, routes: { 'POST /local/token': { fn: 'operations', auth: 'none' } } })).toThrow(/local/);
  });
});
