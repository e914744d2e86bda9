/**
 * The app as `cdk synth -c stage=… -c authCallbackUrls=…` builds it: the settings that differ per stage
 * or come from the context. Bundling is skipped (`aws:cdk:bundling-stacks: []`): api-stack.test.ts
 * bundles every real entry already.
 */
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { defineAftersale, type Aftersale } from '../../bin/aftersale.js';
import { cdkContext, type CfnResource } from './support.js';

function build(context: Record<string, unknown>): Aftersale {
  return defineAftersale(new App({ context: { ...cdkContext, 'aws:cdk:bundling-stacks': [], ...context } }));
}

const appClient = (aftersale: Aftersale): Record<string, unknown> =>
  Object.values(Template.fromStack(aftersale.stateful).findResources('AWS::Cognito::UserPoolClient') as Record<string, CfnResource>)[0]?.Properties ?? {};

const acknowledgedRules = (aftersale: Aftersale): string[] =>
  aftersale.app.node
    .findAll()
    .flatMap((construct) => construct.node.metadata.filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
    .flatMap((entry) => Object.keys(entry.data as Record<string, string>));

describe('prod', () => {
  it('synthesizes with cdk-nag clean and threat protection enforced, nothing acknowledged about it', () => {
    const prod = build({ stage: 'prod' });
    expect(() => prod.app.synth()).not.toThrow();
    expect(new AwsSolutionsChecks().validateScope(prod.app).violations).toEqual([]);
    Template.fromStack(prod.stateful).hasResourceProperties('AWS::Cognito::UserPool', { UserPoolTier: 'PLUS', UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' } });
    expect(acknowledgedRules(prod).filter((rule) => rule.includes('COG8'))).toEqual([]);
  }, 120_000); // a whole synth with cdk-nag: seconds alone, a minute on a shared machine

  it('is the only stage that enforces it: others acknowledge the finding', () => {
    expect(acknowledgedRules(build({ stage: 'dev' })).filter((rule) => rule.includes('COG8'))).toHaveLength(1);
  });
});

describe('context authCallbackUrls', () => {
  it('takes a comma-separated list (the command line)', () => {
    const client = appClient(build({ authCallbackUrls: 'https://app.aftersale.test/callback, https://admin.aftersale.test/callback' }));
    expect(client).toMatchObject({ AllowedOAuthFlows: ['code'], CallbackURLs: ['https://app.aftersale.test/callback', 'https://admin.aftersale.test/callback'] });
  });

  it('takes a JSON list (cdk.json)', () => {
    expect(appClient(build({ authCallbackUrls: ['https://app.aftersale.test/callback'] }))['CallbackURLs']).toEqual(['https://app.aftersale.test/callback']);
  });

  it('leaves the client without OAuth when absent, and refuses anything but URLs', () => {
    expect(appClient(build({}))['AllowedOAuthFlowsUserPoolClient']).toBe(false);
    expect(() => build({ authCallbackUrls: { url: 'https://app.aftersale.test' } })).toThrow(/authCallbackUrls/);
    expect(() => build({ authCallbackUrls: 'http://app.aftersale.test/callback' })).toThrow(/https/);
  });
});

describe('context restoredTables (a point-in-time restore, docs/runbook.md)', () => {
  const tableNameOf = (aftersale: Aftersale): unknown[] =>
    Object.values(Template.fromStack(aftersale.api).findResources('AWS::Lambda::Function') as Record<string, CfnResource>).map(
      (fn) => (fn.Properties['Environment'] as { Variables: Record<string, unknown> }).Variables['TABLE_NAME'],
    );

  it('points every function of that stage at the restored table, and the stateful stack no longer declares its own', () => {
    const prod = build({ stage: 'prod', restoredTables: { prod: 'aftersale-prod-restored-20261201' } });
    expect(new Set(tableNameOf(prod))).toEqual(new Set(['aftersale-prod-restored-20261201']));
    Template.fromStack(prod.stateful).resourceCountIs('AWS::DynamoDB::Table', 0);
    const grants = JSON.stringify(Template.fromStack(prod.api).findResources('AWS::IAM::Policy'));
    expect(grants).toContain(':table/aftersale-prod-restored-20261201"');
    expect(grants).toContain(':table/aftersale-prod-restored-20261201/index/GSI1"');
    expect(() => prod.app.synth()).not.toThrow();
  }, 120_000);

  it('leaves the other stages on their own table', () => {
    const dev = build({ restoredTables: { prod: 'aftersale-prod-restored-20261201' } });
    Template.fromStack(dev.stateful).resourceCountIs('AWS::DynamoDB::Table', 1);
    expect(JSON.stringify(tableNameOf(dev))).not.toContain('restored');
  });

  it('refuses anything but a map of stages to table names', () => {
    expect(() => build({ restoredTables: 'aftersale-prod-restored' })).toThrow(/restoredTables/);
    expect(() => build({ stage: 'prod', restoredTables: { prod: 'no spaces allowed' } })).toThrow(/restoredTables\.prod/);
  });
});

describe('context cursorSecretVersion (rotating the cursor key, docs/runbook.md)', () => {
  const cursorKeys = (aftersale: Aftersale): string[] =>
    Object.values(Template.fromStack(aftersale.api).findResources('AWS::Lambda::Function') as Record<string, CfnResource>)
      .map((fn) => (fn.Properties['Environment'] as { Variables: Record<string, unknown> }).Variables['CURSOR_SECRET'])
      .filter((key) => key !== undefined)
      .map((key) => JSON.stringify(key));

  it('pins the functions to that version, so the deploy changes the template and CloudFormation resolves the new key', () => {
    const version = '0f5a4a4e-7d1b-4c59-9a5e-1a2b3c4d5e6f';
    const pinned = cursorKeys(build({ cursorSecretVersion: version }));
    expect(pinned.length).toBeGreaterThan(0);
    for (const key of pinned) expect(key).toMatch(new RegExp(`:SecretString:::${version}}}`));
    for (const key of cursorKeys(build({}))) expect(key).toMatch(/:SecretString:::}}/);
  });

  it('refuses anything but a version id', () => {
    expect(() => build({ cursorSecretVersion: 'AWSCURRENT' })).toThrow(/cursorSecretVersion/);
  });
});
