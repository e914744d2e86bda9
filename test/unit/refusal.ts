import { DomainError, type ErrorCode } from '../../lambdas/domain/errors.js';

/** The code of the DomainError a rule refuses with; fails the test if it does not refuse. */
export function refusal(action: () => unknown): ErrorCode {
  try {
    action();
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
  throw new Error('expected a DomainError');
}
