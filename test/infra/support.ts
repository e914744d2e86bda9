/** What the infra tests share: cdk.json's context (so they see the template `cdk synth` makes) and template shapes. */
import { readFileSync } from 'node:fs';

export const cdkContext = (JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: Record<string, unknown> }).context;

export interface CfnResource {
  Type: string;
  Properties: Record<string, unknown>;
}

export interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}
