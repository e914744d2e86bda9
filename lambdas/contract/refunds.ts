/** The admins' refund routes (API.md): the FAILED queue, and retrying or settling a FAILED refund by hand. */
import * as z from 'zod/mini';
import { Refund } from './disputes.js';
import { ListQuery, described, page, text } from './shared.js';

export const AdminRefundsQuery = z.extend(ListQuery, {
  status: described(z._default(z.enum(['FAILED']), 'FAILED'), { description: 'The refunds waiting for an admin: FAILED, oldest first.' }),
});

export const AdminRefund = described(
  z.extend(Refund, {
    lastFailure: described(z.nullable(z.string()), { description: "The payment provider's reason for the last failed attempt." }),
    paidManually: described(z.nullable(z.object({ reference: z.string(), by: z.string() })), { description: 'Set when an admin marked it paid by hand.' }),
  }),
  { id: 'AdminRefund' },
);

export const AdminRefundPage = page(AdminRefund, 'AdminRefundPage');

export const RetryRefund = described(
  z.union([
    z.strictObject({ markPaid: z.literal(true), reference: described(text(1, 200), { description: 'The reference of the payment made outside the provider.' }) }),
    z.strictObject({ markPaid: z.optional(z.literal(false)) }),
  ]),
  { id: 'RetryRefund' },
);
