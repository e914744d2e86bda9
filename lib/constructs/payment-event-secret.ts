/**
 * The key the stage's payment provider signs its webhooks with (POST /v1/payment-events/{provider}),
 * one Secrets Manager secret. On Stripe it is the endpoint's `whsec_…` signing secret, which Stripe
 * issues: CDK creates the secret with a placeholder and an operator installs the value from the Stripe
 * dashboard. A function that declares `paymentEventSecret: 'read'` gets read access, the ARN in
 * PAYMENT_EVENT_SECRET_ARNS and the provider's name in PAYMENT_PROVIDER (not its API key), and reads the value once per cold start (services/payment-events.ts).
 */
import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { env } from '../../lambdas/platform/config.js';
import type { ManifestFunction } from './manifest-function.js';

export class PaymentEventSecret extends Construct {
  readonly secret: Secret;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: { stage: string; provider: string },
  ) {
    super(scope, id);
    this.secret = new Secret(this, 'WebhookSigningSecret', {
      description: `Aftersale ${props.stage}: the key payment provider '${props.provider}' signs its webhooks (chargebacks) with`,
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
      // The provider holds (or issued) the value: a replaced stack must not lose it.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: `A webhook signing key shared with the payment provider '${props.provider}' (on Stripe, issued by Stripe for the endpoint): it is rolled with the provider, not rotated by a Lambda.`,
    });
  }

  grantTo(fn: ManifestFunction): void {
    this.secret.grantRead(fn.function);
    fn.function.addEnvironment(env.PAYMENT_PROVIDER, this.props.provider);
    fn.function.addEnvironment(env.PAYMENT_EVENT_SECRET_ARNS, Stack.of(this).toJsonString({ [this.props.provider]: this.secret.secretArn }));
  }
}
