/**
 * The use-case kernel: load → decide → one transaction → after commit. Every use case that changes
 * stored state runs through `runCommand`, so they share one retry policy and one way of turning a
 * refused write into the rule's answer.
 *
 * A refused transaction names its failed guards (store/transactions.ts). A guard listed in `refusals`
 * means "the rule says no" (a payment already used, a shop that stopped taking orders) and becomes that
 * domain error; any other failure means "someone changed what I read" (a version moved, a concurrent
 * transaction) and the command is loaded and decided again on fresh data, so the loser of a race gets
 * the rule's own answer. After `maxAttempts` lost races the caller gets 409 CONCURRENT_UPDATE. A guard
 * listed in `alreadyDone` means the work was done meanwhile by someone else: nothing to answer but that.
 */
import { DomainError } from '../domain/errors.js';
import { clock } from '../platform/clock.js';
import { logger } from '../platform/logger.js';
import { ConflictError, transact, type GuardName, type Write } from '../store/transactions.js';

/**
 * Work that follows a commit: a queue send covered by an outbox timer (services/outbox.ts), a business
 * event. It runs only once the writes are committed, in order, and its failure is logged, never thrown:
 * the change is committed and the answer must say so. Work that must happen is written in the
 * transaction (an outbox timer re-sends a lost message), never left to an after-commit step alone.
 */
export type AfterCommit = () => unknown;

export interface Decision<R> {
  /** Written in one transaction; none means there is nothing to write (and nothing to race for). */
  writes: readonly Write[];
  /** What the use case answers once the writes are committed. */
  result: R;
  afterCommit?: readonly AfterCommit[];
}

/**
 * The answer to a failed guard: the domain error itself, or a function that finds out why (typically by
 * re-reading what the guard checked) and returns the error, or 'retry' when the reason went away or the
 * next decision will know better; the other failed guards are then left to that next attempt.
 */
export type Refusal<L> = DomainError | ((loaded: L, now: string) => DomainError | 'retry' | Promise<DomainError | 'retry'>);

export interface Command<L, R> {
  /** What is being changed, in the words of the CONCURRENT_UPDATE answer: 'order', 'dispute'. */
  subject: string;
  load: () => Promise<L>;
  /** The rule: throws a DomainError to refuse, or returns the writes and the result. */
  decide: (loaded: L, now: string) => Decision<R> | Promise<Decision<R>>;
  /** Guards whose failure is the rule refusing; checked in the order listed, the first failed one answers. */
  refusals?: Partial<Record<GuardName, Refusal<L>>>;
  /**
   * Guards whose failure means the work was already done by someone else (a concurrent sweep moved the
   * timer this command fires): the command answers `result` and writes nothing.
   */
  alreadyDone?: { guards: readonly GuardName[]; result: R };
  /** Loads and decisions in all before CONCURRENT_UPDATE (default 3). */
  maxAttempts?: number;
}

/** What the kernel does I/O with; tests pass their own. */
export interface CommandIo {
  transact: (writes: readonly Write[]) => Promise<void>;
  now: () => string;
  sleep: (ms: number) => Promise<void>;
}

const DEFAULT_ATTEMPTS = 3;
/** Losers of a race wait up to this many ms per attempt so far, so they do not collide again in step. */
const JITTER_MS = 10;

const defaultIo: CommandIo = {
  transact,
  now: () => clock.nowIso(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export async function runCommand<L, R>(command: Command<L, R>, io: CommandIo = defaultIo): Promise<R> {
  const maxAttempts = command.maxAttempts ?? DEFAULT_ATTEMPTS;
  for (let attempt = 1; ; attempt++) {
    const loaded = await command.load();
    const now = io.now();
    const decision = await command.decide(loaded, now);
    try {
      if (decision.writes.length > 0) await io.transact(decision.writes);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      const done = command.alreadyDone;
      if (done?.guards.some((guard) => error.failedGuards.has(guard))) return done.result;
      const refused = await refusalFor(command, error, loaded, now);
      if (refused !== 'retry') throw refused;
      if (attempt >= maxAttempts) throw new DomainError('CONCURRENT_UPDATE', `The ${command.subject} changed while we were updating it; reload and retry.`);
      await io.sleep(Math.random() * JITTER_MS * attempt);
      continue;
    }
    await runAfterCommit(command.subject, decision.afterCommit ?? []);
    return decision.result;
  }
}

/** The first failed guard with a refusal decides: its error, or 'retry' (decide again on fresh data). */
async function refusalFor<L>(command: Command<L, unknown>, error: ConflictError, loaded: L, now: string): Promise<DomainError | 'retry'> {
  for (const [guard, refusal] of Object.entries(command.refusals ?? {}) as [GuardName, Refusal<L> | undefined][]) {
    if (refusal && error.failedGuards.has(guard)) return refusal instanceof DomainError ? refusal : refusal(loaded, now);
  }
  return 'retry';
}

async function runAfterCommit(subject: string, steps: readonly AfterCommit[]): Promise<void> {
  for (const [index, step] of steps.entries()) {
    try {
      await step();
    } catch (error) {
      logger.error('A step after a committed change failed', { subject, step: index, error: error instanceof Error ? error : String(error) });
    }
  }
}
