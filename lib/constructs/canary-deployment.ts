import { Validations } from 'aws-cdk-lib';
import { LambdaDeploymentConfig, LambdaDeploymentGroup, type ILambdaApplication, type ILambdaDeploymentConfig } from 'aws-cdk-lib/aws-codedeploy';
import { Construct } from 'constructs';
import type { ManifestFunction } from './manifest-function.js';

/**
 * How a deployment moves a function's `live` alias to the new version: `canary` sends 10 % of the
 * invocations for 5 minutes, then the rest; `allAtOnce` moves it in one step (the dev stage, where
 * nobody waits on a canary). Either way the rollback alarms are watched and roll the alias back.
 */
export type DeploymentStrategy = 'canary' | 'allAtOnce';

export const deploymentConfigs: Readonly<Record<DeploymentStrategy, ILambdaDeploymentConfig>> = {
  canary: LambdaDeploymentConfig.CANARY_10PERCENT_5MINUTES,
  allAtOnce: LambdaDeploymentConfig.ALL_AT_ONCE,
};

/** The stage that deploys all at once; every other stage deploys as a canary. */
export const ALL_AT_ONCE_STAGE = 'dev';

export function deploymentStrategyOf(stage: string): DeploymentStrategy {
  return stage === ALL_AT_ONCE_STAGE ? 'allAtOnce' : 'canary';
}

export interface CanaryDeploymentProps {
  readonly application: ILambdaApplication;
  readonly fn: ManifestFunction;
  readonly strategy: DeploymentStrategy;
}

/**
 * A CodeDeploy deployment group for one manifest function: `cdk deploy` publishes a version, and
 * CloudFormation hands the alias update to CodeDeploy, which shifts it and rolls back (alias to the old
 * version) when any of the function's rollback alarms fires or the deployment fails or is stopped.
 */
export class CanaryDeployment extends Construct {
  readonly deploymentGroup: LambdaDeploymentGroup;

  constructor(scope: Construct, id: string, props: CanaryDeploymentProps) {
    super(scope, id);
    this.deploymentGroup = new LambdaDeploymentGroup(this, 'Group', {
      application: props.application,
      alias: props.fn.live,
      deploymentConfig: deploymentConfigs[props.strategy],
      alarms: props.fn.rollbackAlarms,
      autoRollback: { failedDeployment: true, stoppedDeployment: true, deploymentInAlarm: true },
    });
    Validations.of(this.deploymentGroup.role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited]',
      reason:
        "CodeDeploy's own service role for Lambda: the Limited policy lets it read and update aliases and invoke only hook functions named CodeDeployHook_*, and AWS keeps it in step with what CodeDeploy calls.",
    });
  }
}
