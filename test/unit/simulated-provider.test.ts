import { describe, expect, it } from 'vitest';
import { simulatedProvider } from '../../lambdas/payments/simulated.js';
import { simulatedPaymentEntity } from '../../lambdas/store/payments.js';

// No engine runs in unit tests: the provider builds its write for a table and never reaches one.
process.env.TABLE_NAME ??= 'aftersale-unit';

const expected = { buyerId: 'buyer-1', amount: { amount: 2450, currency: 'USD' } };
const NOW = '2026-12-01T12:00:00.000Z';

describe('the simulated provider: verifying a reference on placement', () => {
  it("answers a pay_ reference with its binding as one guarded write for the order's transaction", async () => {
    const verification = await simulatedProvider.verify('pay_abc', expected, NOW);
    expect(verification.outcome).toBe('verified');
    const writes = verification.outcome === 'verified' ? verification.writes : [];
    expect(writes).toHaveLength(1);
    const [binding] = writes;
    expect(binding && 'guard' in binding ? binding.guard : undefined).toBe('paymentBound');
    const put = binding && 'item' in binding ? binding.item.Put : undefined;
    expect(put?.Item).toEqual(simulatedPaymentEntity.item({ reference: 'pay_abc', ...expected, authorizedAt: NOW }));
    // Bind if unbound, or pass only when bound to this very buyer, amount and currency.
    expect(put?.ConditionExpression).toMatch(/^attribute_not_exists\(PK\) OR \(/);
    expect(put?.ExpressionAttributeValues).toEqual({ ':buyerId': 'buyer-1', ':amount': 2450, ':currency': 'USD' });
  });

  it('declines pay_declined_ references and knows nothing else', async () => {
    expect(await simulatedProvider.verify('pay_declined_card', expected, NOW)).toEqual({ outcome: 'declined' });
    for (const reference of ['x', 'pi_3QaBcDEfGhIjKlMn0aBcDeFg', 'pay_', 'pay_a/b']) expect(await simulatedProvider.verify(reference, expected, NOW), reference).toEqual({ outcome: 'unknown' });
  });
});
