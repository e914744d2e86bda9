/** The contract's own helpers, imported without classic zod (as the function bundles import them). */
import { describe, expect, it } from 'vitest';
import { PlaceOrder } from '../../lambdas/contract/orders.js';
import { enumOf } from '../../lambdas/contract/shared.js';

describe('the contract', () => {
  it('lists exactly the members of a domain union (checked by tsc)', () => {
    type Colour = 'RED' | 'GREEN';
    expect(enumOf<Colour>()(['RED', 'GREEN']).options).toEqual(['RED', 'GREEN']);
    // @ts-expect-error a member the domain has and the contract forgot
    enumOf<Colour>()(['RED']);
    // @ts-expect-error a member the domain does not have
    enumOf<Colour>()(['RED', 'GREEN', 'BLUE']);
  });

  it('answers field errors in English without classic zod loaded', () => {
    const result = PlaceOrder.safeParse({ items: [], shippingAddress: {}, paymentReference: ' ' });
    const messages = result.error?.issues.map((issue) => issue.message) ?? [];
    expect(messages.length).toBeGreaterThan(0);
    expect(messages.filter((message) => message === 'Invalid input')).toEqual([]);
    expect(messages).toContain('Too small: expected array to have >=1 items');
  });
});
