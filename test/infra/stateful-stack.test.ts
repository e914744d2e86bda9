/**
 * The stateful stack: table, media bucket, queues, user pool and cursor secret, as CloudFormation.
 * No functions here, so nothing is bundled and the file runs in well under a second.
 */
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { CfnQueue } from 'aws-cdk-lib/aws-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { queues } from '../../lib/manifest.js';
import { StatefulStack } from '../../lib/stateful-stack.js';
import { tableKeys } from '../../lib/table.js';
import { cdkContext, type CfnResource } from './support.js';

interface RetainedResource extends CfnResource {
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}

let stack: StatefulStack;
let template: Template;

beforeAll(() => {
  // The feature flags of cdk.json, so the template is the one `cdk synth` produces.
  const app = new App({ context: cdkContext });
  stack = new StatefulStack(app, 'Aftersale-test-Stateful', { stage: 'test' });
  template = Template.fromStack(stack);
});

function resources(type: string, props?: unknown): Record<string, RetainedResource> {
  return template.findResources(type, props === undefined ? undefined : { Properties: props }) as Record<string, RetainedResource>;
}

describe('table', () => {
  it('has the keys and indexes of lib/table.ts, on demand, with TTL', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: tableKeys.partitionKey, KeyType: 'HASH' },
        { AttributeName: tableKeys.sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: tableKeys.globalIndexes.map((index) => ({
        IndexName: index.indexName,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: 'HASH' },
          { AttributeName: index.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
      TimeToLiveSpecification: { AttributeName: tableKeys.timeToLiveAttribute, Enabled: true },
    });
    const [table] = Object.values(resources('AWS::DynamoDB::Table'));
    const definitions = table?.Properties['AttributeDefinitions'] as { AttributeName: string; AttributeType: string }[];
    expect(definitions.every((definition) => definition.AttributeType === 'S')).toBe(true);
    expect(definitions).toHaveLength(2 + 2 * tableKeys.globalIndexes.length);
  });

  it('is protected: point-in-time recovery, deletion protection, retained', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: {
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });
});

describe('media bucket', () => {
  const mediaBucket = (): RetainedResource => {
    const found = Object.values(resources('AWS::S3::Bucket', { CorsConfiguration: Match.anyValue() }));
    expect(found).toHaveLength(1);
    return found[0] as RetainedResource;
  };

  it('is private, encrypted and retained', () => {
    const bucket = mediaBucket();
    expect(bucket.Properties['PublicAccessBlockConfiguration']).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.Properties['BucketEncryption']).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
    expect(bucket.DeletionPolicy).toBe('Retain');
  });

  it('refuses plain HTTP, on both buckets', () => {
    const policies = Object.values(resources('AWS::S3::BucketPolicy'));
    expect(policies).toHaveLength(2);
    for (const policy of policies) {
      expect(policy.Properties['PolicyDocument']).toMatchObject({
        Statement: expect.arrayContaining([
          expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      });
    }
  });

  it('allows browser POST (presigned upload) and GET from any origin, nothing else', () => {
    expect(mediaBucket().Properties['CorsConfiguration']).toEqual({
      CorsRules: [expect.objectContaining({ AllowedMethods: ['POST', 'GET'], AllowedOrigins: ['*'] })],
    });
  });

  it('deletes client uploads a day after they land in incoming/, versions included, and abandoned multipart uploads', () => {
    const rules = (mediaBucket().Properties['LifecycleConfiguration'] as { Rules: Record<string, unknown>[] }).Rules;
    expect(rules.every((rule) => rule['Status'] === 'Enabled')).toBe(true);
    const incoming = rules.filter((rule) => rule['Prefix'] === 'incoming/');
    expect(incoming).toEqual([expect.objectContaining({ ExpirationInDays: 1, NoncurrentVersionExpiration: { NoncurrentDays: 1 } })]);
    expect(rules).toContainEqual(expect.objectContaining({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }));
    // Nothing but incoming/ expires current objects: platform copies and identity documents stay.
    expect(rules.filter((rule) => rule['ExpirationInDays'] !== undefined || rule['ExpirationDate'] !== undefined)).toEqual(incoming);
    expect(rules).toContainEqual(expect.objectContaining({ ExpiredObjectDeleteMarker: true }));
  });

  it('writes server access logs to a separate private bucket', () => {
    const logging = mediaBucket().Properties['LoggingConfiguration'] as { DestinationBucketName: { Ref: string } };
    const logBucket = resources('AWS::S3::Bucket')[logging.DestinationBucketName.Ref];
    expect(logBucket).toBeDefined();
    expect(logBucket?.Properties['CorsConfiguration']).toBeUndefined();
    expect(logBucket?.Properties['PublicAccessBlockConfiguration']).toMatchObject({ BlockPublicPolicy: true, RestrictPublicBuckets: true });
  });

  it('exports its ARN under a stable name for object-level grants', () => {
    expect(stack.bucketArnExportName).toBe('Aftersale-test-Stateful-MediaBucketArn');
    const outputs = template.findOutputs('*', { Export: { Name: stack.bucketArnExportName } });
    expect(Object.keys(outputs)).toHaveLength(1);
  });
});

describe('queues', () => {
  const names = Object.keys(queues) as (keyof typeof queues)[];

  it('creates a queue and a dead-letter queue per manifest queue', () => {
    template.resourceCountIs('AWS::SQS::Queue', 2 * names.length);
    expect(Object.keys(stack.queues).sort()).toEqual([...names].sort());
  });

  it.each(names)('%s redrives to its own DLQ after the manifest maxReceiveCount', (name) => {
    const spec = queues[name];
    const queueId = stack.getLogicalId(stack.queues[name].queue.node.defaultChild as CfnQueue);
    const dlqId = stack.getLogicalId(stack.queues[name].deadLetterQueue.node.defaultChild as CfnQueue);
    const all = resources('AWS::SQS::Queue');
    expect(all[queueId]?.Properties).toMatchObject({
      VisibilityTimeout: spec.visibilityTimeoutSeconds,
      SqsManagedSseEnabled: true,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: spec.maxReceiveCount },
    });
    expect(all[dlqId]?.Properties).toMatchObject({ MessageRetentionPeriod: 14 * 24 * 3600, SqsManagedSseEnabled: true });
    expect(all[dlqId]?.Properties['RedrivePolicy']).toBeUndefined();
  });

  it('refuses plain HTTP on every queue', () => {
    const policies = Object.values(resources('AWS::SQS::QueuePolicy'));
    expect(policies).toHaveLength(2 * names.length);
    for (const policy of policies) {
      expect(policy.Properties['PolicyDocument']).toMatchObject({
        Statement: [expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })],
      });
    }
  });
});

describe('user pool', () => {
  it('has no self sign-up, email sign-in, a strong password policy and optional TOTP MFA', () => {
    template.hasResource('AWS::Cognito::UserPool', {
      Properties: {
        AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
        UsernameAttributes: ['email'],
        Policies: {
          PasswordPolicy: { MinimumLength: 12, RequireLowercase: true, RequireUppercase: true, RequireNumbers: true, RequireSymbols: true, PasswordHistorySize: 5 },
        },
        MfaConfiguration: 'OPTIONAL',
        EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
        DeletionProtection: 'ACTIVE',
      },
      DeletionPolicy: 'Retain',
    });
  });

  it('has the groups buyer, seller and admin', () => {
    const groups = Object.values(resources('AWS::Cognito::UserPoolGroup')).map((group) => group.Properties['GroupName']);
    expect(groups.sort()).toEqual(['admin', 'buyer', 'seller']);
  });

  const appClient = (from: Template): Record<string, unknown> => {
    const clients = Object.values(from.findResources('AWS::Cognito::UserPoolClient') as Record<string, CfnResource>);
    expect(clients).toHaveLength(1);
    return clients[0]?.Properties ?? {};
  };

  it('has one public app client signing in with SRP only (no password or admin password flow)', () => {
    const client = appClient(template);
    expect(client['GenerateSecret']).toBe(false);
    expect([...(client['ExplicitAuthFlows'] as string[])].sort()).toEqual(['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_SRP_AUTH']);
    expect(client).toMatchObject({ PreventUserExistenceErrors: 'ENABLED', EnableTokenRevocation: true });
  });

  it('has no OAuth flow and no callback without callback URLs (no implicit grant, no example.com)', () => {
    const client = appClient(template);
    expect(client['AllowedOAuthFlowsUserPoolClient']).toBe(false);
    expect(client['AllowedOAuthFlows']).toBeUndefined();
    expect(client['CallbackURLs']).toBeUndefined();
    expect(JSON.stringify(client)).not.toMatch(/example\.com|implicit/);
  });

  it('offers only the authorization code grant, to the given callback URLs', () => {
    const callbackUrls = ['https://app.aftersale.test/auth/callback', 'http://localhost:5173/auth/callback'];
    const client = appClient(Template.fromStack(new StatefulStack(new App({ context: cdkContext }), 'Callbacks', { stage: 'test', callbackUrls })));
    expect(client).toMatchObject({ AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: ['code'], CallbackURLs: callbackUrls });
    expect([...(client['AllowedOAuthScopes'] as string[])].sort()).toEqual(['email', 'openid']);
  });

  it.each([
    ['plain http', 'http://app.aftersale.test/callback', /https/],
    ['a placeholder domain', 'https://example.com', /placeholder/],
    ['a fragment', 'https://app.aftersale.test/callback#token', /fragment/],
    ['not a URL', 'app.aftersale.test', /not a URL/],
  ])('refuses a callback URL with %s', (_case, url, message) => {
    expect(() => new StatefulStack(new App({ context: cdkContext }), 'Refused', { stage: 'test', callbackUrls: [url] })).toThrow(message);
  });

  it('enforces threat protection (Plus plan) in prod only', () => {
    const pool = (from: Template): Record<string, unknown> => Object.values(from.findResources('AWS::Cognito::UserPool') as Record<string, CfnResource>)[0]?.Properties ?? {};
    const prod = pool(Template.fromStack(new StatefulStack(new App({ context: cdkContext }), 'Aftersale-prod-Stateful', { stage: 'prod' })));
    expect(prod).toMatchObject({ UserPoolTier: 'PLUS', UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' }, MfaConfiguration: 'OPTIONAL' });
    expect(pool(template)).toMatchObject({ UserPoolTier: 'ESSENTIALS' });
    expect(pool(template)['UserPoolAddOns']).toBeUndefined();
  });
});

describe('cursor secret', () => {
  it('is a generated 48-character string', () => {
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ PasswordLength: 48 }),
    });
  });
});
