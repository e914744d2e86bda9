/**
 * The stage's payment provider (`PAYMENT_PROVIDER`), chosen once per cold start. There is no default: a
 * stage that forgot the setting fails loudly instead of taking made-up payment references.
 */
import { env, required } from '../platform/config.js';
import { getSecretValue, oncePerColdStart } from '../platform/secrets.js';
import { PAYMENT_PROVIDERS, type PaymentProvider, type PaymentProviderName } from './port.js';
import { simulatedProvider } from './simulated.js';
import { stripeProvider } from './stripe.js';

/** The Stripe secret key, read once per cold start (a failed read is tried again next time). */
const stripeSecretKey = (): Promise<string> => readStripeKey(required(env.STRIPE_SECRET_ARN));
const readStripeKey = oncePerColdStart(getSecretValue);

let chosen: PaymentProvider | undefined;

export function paymentProvider(): PaymentProvider {
  if (chosen) return chosen;
  const name = required(env.PAYMENT_PROVIDER);
  if (!(PAYMENT_PROVIDERS as readonly string[]).includes(name)) throw new Error(`PAYMENT_PROVIDER must be one of ${PAYMENT_PROVIDERS.join(', ')}, got ${name}`);
  chosen = (name as PaymentProviderName) === 'stripe' ? stripeProvider({ secretKey: stripeSecretKey }) : simulatedProvider;
  return chosen;
}
