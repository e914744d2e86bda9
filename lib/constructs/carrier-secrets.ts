/**
 * One Secrets Manager secret per carrier slug (lambdas/platform/config.ts `carriers`): the key a carrier
 * signs its webhook with. A function that declares `carrierSecrets: 'read'` gets read access to them and
 * their ARNs in CARRIER_SECRET_ARNS; it reads each value once per cold start (lambdas/platform/carriers.ts),
 * so no secret value is ever in the template or the function's configuration.
 */
import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { carrierSlugs, env, type CarrierSlug } from '../../lambdas/platform/config.js';
import type { ManifestFunction } from './manifest-function.js';

export class CarrierSecrets extends Construct {
  readonly secrets: ReadonlyMap<CarrierSlug, Secret>;

  constructor(scope: Construct, id: string, props: { stage: string }) {
    super(scope, id);
    this.secrets = new Map(
      carrierSlugs.map((slug) => {
        const secret = new Secret(this, slug, {
          description: `Aftersale ${props.stage}: the key carrier '${slug}' signs its tracking webhooks with`,
          generateSecretString: { passwordLength: 48, excludePunctuation: true },
          // The carrier holds a copy: a replaced stack must not silently invalidate it.
          removalPolicy: RemovalPolicy.RETAIN,
        });
        Validations.of(secret).acknowledge({
          id: 'AwsSolutions-SMG4',
          reason: `A webhook signing key is shared with the carrier '${slug}', which must install every new value: rotation is a coordinated change with that carrier (a new version, then the carrier switches), not an automatic Lambda rotation.`,
        });
        return [slug, secret] as const;
      }),
    );
  }

  /** Read access to every carrier's secret, and where to find them. */
  grantTo(fn: ManifestFunction): void {
    for (const secret of this.secrets.values()) secret.grantRead(fn.function);
    fn.function.addEnvironment(env.CARRIER_SECRET_ARNS, Stack.of(this).toJsonString(Object.fromEntries([...this.secrets].map(([slug, secret]) => [slug, secret.secretArn]))));
  }
}
