/**
 * The stage's payment provider (`PAYMENT_PROVIDER`), chosen once per cold start. There is no default: a
 * stage that forgot the setting fails loudly instead of taking made-up payment references.
 */
import { env, required } from '../platform/config.js';
import { getSecretValue } from '../platform/carriers.js';
import { PAYMENT_PROVIDERS, type PaymentProvider, type PaymentProviderName } from './port.js';
import { simulatedProvider } from './simulated.js';
import { stripeProvider } from './stripe.js';

let stripeKey: Promise<string> | undefined;

/** The Stripe secret key, read once per cold start (a failed read is tried again next time). */
function stripeSecretKey(): Promise<string> {
  if (stripeKey) return stripeKey;
  const loading = getSecretValue(required(env.STRIPE_SECRET_ARN));
  stripeKey = loading;
  loading.catch(() => (stripeKey = undefined));
  return loading;
}

let chosen: PaymentProvider | undefined;

export function paymentProvider(): PaymentProvider {
  if (chosen) return chosen;
  const name = required(env.PAYMENT_PROVIDER);
  if (!(PAYMENT_PROVIDERS as readonly string[]).includes(name)) throw new Error(`PAYMENT_PROVIDER must be one of ${PAYMENT_PROVIDERS.join(', ')}, got ${name}`);
  chosen = (name as PaymentProviderName) === 'stripe' ? stripeProvider({ secretKey: stripeSecretKey }) : simulatedProvider;
  return chosen;
}
