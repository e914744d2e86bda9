/**
 * The one family of errors the domain raises. Each code has one HTTP status, in one table, so a rule's
 * refusal reads the same everywhere (API.md: 404 for "not yours", 409 for "state does not allow it").
 */
const statusByCode = {
  // 400: the request is well-formed JSON but makes no sense.
  VALIDATION_FAILED: 400,
  INVALID_CURSOR: 400,
  MIXED_SELLERS: 400,
  MIXED_CURRENCIES: 400,
  CURRENCY_MISMATCH: 400,
  ESTIMATE_IN_PAST: 400,
  ESTIMATE_TOO_FAR: 400,
  PRODUCT_NOT_IN_ORDER: 400,
  UPLOAD_NOT_USABLE: 400,
  CONTENT_TYPE_NOT_ALLOWED: 400,
  FILE_TOO_LARGE: 400,
  /** A message with contact details, links or offensive language (DOMAIN.md "Messaging"); the reasons are in errors[]. */
  MESSAGE_NOT_ALLOWED: 400,
  /** A webhook URL that is not https, carries credentials, or reaches a private, loopback, link-local or metadata address; the reason is in errors[]. */
  WEBHOOK_URL_NOT_ALLOWED: 400,
  // 402: the payment behind an order (lambdas/payments/). A made-up reference, another buyer's and one of
  // another amount all get PAYMENT_NOT_VERIFIED, so whether a reference exists is never revealed.
  PAYMENT_DECLINED: 402,
  PAYMENT_NOT_VERIFIED: 402,
  // 401/403: who is asking.
  UNAUTHENTICATED: 401,
  INVALID_SIGNATURE: 401,
  FORBIDDEN_ROLE: 403,
  /** No self-dealing: nobody buys from its own store, nor reviews, votes on or reports reviews of its own products. */
  OWN_PRODUCT: 403,
  /** Listing needs a verified identity (DOMAIN.md "Listings and seller verification"). */
  SELLER_NOT_VERIFIED: 403,
  // 404: does not exist, or is not the caller's.
  ORDER_NOT_FOUND: 404,
  PRODUCT_NOT_FOUND: 404,
  SELLER_NOT_FOUND: 404,
  ROUTE_NOT_FOUND: 404,
  REVIEW_NOT_FOUND: 404,
  DISPUTE_NOT_FOUND: 404,
  REFUND_NOT_FOUND: 404,
  CONVERSATION_NOT_FOUND: 404,
  NOTIFICATION_NOT_FOUND: 404,
  // 409: the resource's state does not allow it.
  ORDER_NOT_CANCELLABLE: 409,
  ORDER_NOT_SHIPPABLE: 409,
  ORDER_NOT_IN_TRANSIT: 409,
  ORDER_NOT_CONFIRMABLE: 409,
  ORDER_DISPUTE_OPEN: 409,
  PROTECTION_ALREADY_EXTENDED: 409,
  PROTECTION_ENDED: 409,
  PRODUCT_NOT_AVAILABLE: 409,
  SELLER_PROFILE_REQUIRED: 409,
  SELLER_RESTRICTED: 409,
  VERIFICATION_PENDING: 409,
  ALREADY_VERIFIED: 409,
  PAYMENT_ALREADY_USED: 409,
  /** Only a FAILED refund is retried or marked paid by an admin. */
  REFUND_NOT_FAILED: 409,
  /** The buyer's bank is disputing the payment (a chargeback): no refund is paid through a dispute until it decides. */
  CHARGEBACK_OPEN: 409,
  CONCURRENT_UPDATE: 409,
  ORDER_NOT_COMPLETED: 409,
  ORDER_CANCELLED: 409,
  ORDER_CLOSED: 409,
  REVIEW_WINDOW_CLOSED: 409,
  REVIEW_ALREADY_EXISTS: 409,
  EDIT_WINDOW_CLOSED: 409,
  REVIEW_REMOVED: 409,
  REVIEW_NOT_PUBLISHED: 409,
  CANNOT_VOTE_OWN_REVIEW: 409,
  ALREADY_REPORTED: 409,
  NOTHING_TO_DECIDE: 409,
  REFUND_EXCEEDS_REFUNDABLE: 409,
  ORDER_NOT_SHIPPED: 409,
  DISPUTE_WINDOW_CLOSED: 409,
  DISPUTE_ALREADY_OPEN: 409,
  ALREADY_DELIVERED: 409,
  TRACKING_NUMBER_IN_USE: 409,
  NOT_RETURNABLE: 409,
  RETURN_WINDOW_CLOSED: 409,
  DISPUTE_NOT_AWAITING_SELLER: 409,
  NO_COUNTER_OFFER: 409,
  ESCALATION_NOT_ALLOWED_YET: 409,
  DISPUTE_CLOSED: 409,
  DISPUTE_ALREADY_AGREED: 409,
  DISPUTE_ALREADY_ESCALATED: 409,
  DISPUTE_NOT_ESCALATED: 409,
  RETURN_NOT_EXPECTED: 409,
  RETURN_NOT_SHIPPED: 409,
  RESPONSE_WINDOW_CLOSED: 409,
  RETURN_SHIPMENT_OVERDUE: 409,
  // Issue 8, disputes: a decided line takes only an appeal; a withdrawn dispute reopens once.
  DISPUTE_ALREADY_DECIDED: 409,
  DISPUTE_REOPEN_LIMIT: 409,
  // Appeals: once, within 30 days of a decision of the platform, decided by another admin.
  ALREADY_APPEALED: 409,
  DISPUTE_NOT_APPEALABLE: 409,
  APPEAL_WINDOW_CLOSED: 409,
  SAME_ARBITER: 409,
  APPEAL_DECISION_NOT_ALLOWED: 409,
  CONVERSATION_ALREADY_ESCALATED: 409,
  IDEMPOTENCY_KEY_REUSED: 409,
  IDEMPOTENCY_KEY_IN_USE: 409,
  // 429: over a per-user quota.
  UPLOAD_QUOTA_EXCEEDED: 429,
  // Transport.
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  /** Local host only: /local/* refuses other origins and non-loopback hosts (DNS rebinding). */
  FORBIDDEN_ORIGIN: 403,
  // 500: our fault, never the caller's.
  INTERNAL_ERROR: 500,
  /** Local host only: a handler answered a body its route's declared schema refuses. */
  RESPONSE_CONTRACT_VIOLATION: 500,
} as const;

export type ErrorCode = keyof typeof statusByCode;

export interface FieldError {
  path: string;
  message: string;
}

export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly errors: FieldError[] | undefined;

  constructor(code: ErrorCode, detail: string, errors?: FieldError[]) {
    super(detail);
    this.name = 'DomainError';
    this.code = code;
    this.errors = errors;
  }

  get status(): number {
    return statusByCode[this.code];
  }
}

const notFoundCodes = {
  Order: 'ORDER_NOT_FOUND',
  Product: 'PRODUCT_NOT_FOUND',
  Seller: 'SELLER_NOT_FOUND',
  Review: 'REVIEW_NOT_FOUND',
  Dispute: 'DISPUTE_NOT_FOUND',
  Refund: 'REFUND_NOT_FOUND',
  Conversation: 'CONVERSATION_NOT_FOUND',
  Notification: 'NOTIFICATION_NOT_FOUND',
} as const satisfies Record<string, ErrorCode>;

/** Does not exist, or is not the caller's: the same answer, so ids cannot be probed (API.md). */
export const notFound = (what: keyof typeof notFoundCodes, id: string): DomainError => new DomainError(notFoundCodes[what], `${what} ${id} was not found.`);
