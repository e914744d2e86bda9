import { describe, expect, it } from 'vitest';
import { DomainError } from '../../lambdas/domain/errors.js';
import { runCommand, type Command, type CommandIo } from '../../lambdas/services/command.js';
import { ConflictError, guarded, type GuardName, type TransactItem, type Write } from '../../lambdas/store/transactions.js';
// The guards the order store declares (module augmentation), used here as names only.
import '../../lambdas/store/orders.js';
import '../../lambdas/store/sellers.js';
import '../../lambdas/store/idempotency.js';

const NOW = '2026-03-01T10:00:00.000Z';
const item = (name: string): TransactItem => ({ Put: { TableName: 't', Item: { PK: name, SK: name } } });

/** A transaction log that refuses the first `refusals.length` transactions with the given failures. */
function fakeIo(...refusals: { guards?: GuardName[]; contended?: boolean }[]) {
  const committed: (readonly Write[])[] = [];
  const attempted: (readonly Write[])[] = [];
  const sleeps: number[] = [];
  const io: CommandIo = {
    now: () => NOW,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    transact: async (writes) => {
      attempted.push(writes);
      const refusal = refusals.shift();
      if (refusal) throw new ConflictError(refusal.contended ? ['TransactionConflict'] : ['ConditionalCheckFailed'], refusal.guards ?? []);
      committed.push(writes);
    },
  };
  return { io, committed, attempted, sleeps };
}

/** A command over a counter that each load reads afresh: what a re-decided race sees. */
function counterCommand(overrides: Partial<Command<number, string>> = {}) {
  let stored = 0;
  const loads: number[] = [];
  const command: Command<number, string> = {
    subject: 'order',
    load: async () => {
      stored += 1;
      loads.push(stored);
      return stored;
    },
    decide: (version) => ({ writes: [guarded('orderVersion', item(`v${version}`)), guarded('paymentUnused', item('payment'))], result: `decided on ${version}` }),
    ...overrides,
  };
  return { command, loads };
}

describe('runCommand', () => {
  it('answers a failed guard with the refusal listed for its name, wherever the write sits in the transaction', async () => {
    for (const order of ['payment first', 'payment last']) {
      const { io } = fakeIo({ guards: ['paymentUnused'] });
      const { command } = counterCommand({
        decide: () => {
          const writes = [guarded('paymentUnused', item('payment')), guarded('orderVersion', item('order')), item('ledger')];
          return { writes: order === 'payment first' ? writes : writes.reverse(), result: 'placed' };
        },
        refusals: { paymentUnused: new DomainError('PAYMENT_ALREADY_USED', 'used') },
      });
      await expect(runCommand(command, io), order).rejects.toMatchObject({ code: 'PAYMENT_ALREADY_USED' });
    }
  });

  it('asks a refusal function why, with what was loaded and when, and answers with its error without retrying', async () => {
    const { io, attempted } = fakeIo({ guards: ['sellerTakesOrders'] });
    const asked: unknown[] = [];
    const { command, loads } = counterCommand({
      refusals: {
        sellerTakesOrders: async (loaded, now) => {
          asked.push([loaded, now]);
          return new DomainError('SELLER_RESTRICTED', 'frozen');
        },
      },
    });
    await expect(runCommand(command, io)).rejects.toMatchObject({ code: 'SELLER_RESTRICTED' });
    expect(asked).toEqual([[1, NOW]]);
    expect(loads).toEqual([1]);
    expect(attempted).toHaveLength(1);
  });

  it('checks refusals in the order they are listed when several guards failed', async () => {
    const { io } = fakeIo({ guards: ['orderVersion', 'paymentUnused'] });
    const { command } = counterCommand({
      refusals: { paymentUnused: new DomainError('PAYMENT_ALREADY_USED', 'used'), orderVersion: new DomainError('ORDER_NOT_CONFIRMABLE', 'moved') },
    });
    await expect(runCommand(command, io)).rejects.toMatchObject({ code: 'PAYMENT_ALREADY_USED' });
  });

  it('loads and decides again when a guard not listed as a refusal fails, and answers with the fresh decision', async () => {
    const { io, committed, sleeps } = fakeIo({ guards: ['orderVersion'] });
    const { command, loads } = counterCommand({ refusals: { paymentUnused: new DomainError('PAYMENT_ALREADY_USED', 'used') } });
    await expect(runCommand(command, io)).resolves.toBe('decided on 2');
    expect(loads).toEqual([1, 2]);
    expect(committed).toEqual([[guarded('orderVersion', item('v2')), guarded('paymentUnused', item('payment'))]]);
    expect(sleeps).toHaveLength(1);
  });

  it('retries a transaction that lost to a concurrent one on the same item', async () => {
    const { io, committed } = fakeIo({ contended: true });
    const { command } = counterCommand();
    await expect(runCommand(command, io)).resolves.toBe('decided on 2');
    expect(committed).toHaveLength(1);
  });

  it('retries when a refusal function says the reason went away', async () => {
    const { io } = fakeIo({ guards: ['sellerTakesOrders'] });
    const { command, loads } = counterCommand({ refusals: { sellerTakesOrders: () => 'retry' } });
    await expect(runCommand(command, io)).resolves.toBe('decided on 2');
    expect(loads).toEqual([1, 2]);
  });

  it('gives up with 409 CONCURRENT_UPDATE naming the subject after maxAttempts lost races', async () => {
    const { io, attempted, sleeps } = fakeIo({ guards: ['orderVersion'] }, { guards: ['orderVersion'] }, { guards: ['orderVersion'] }, { guards: ['orderVersion'] });
    const { command, loads } = counterCommand({ maxAttempts: 4 });
    const error = await runCommand(command, io).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: 'CONCURRENT_UPDATE', status: 409 });
    expect((error as Error).message).toContain('order');
    expect(loads).toEqual([1, 2, 3, 4]);
    expect(attempted).toHaveLength(4);
    // Jitter grows with the attempt and stays small; none after the last attempt.
    expect(sleeps).toHaveLength(3);
    sleeps.forEach((ms, index) => expect(ms).toBeLessThan(10 * (index + 1)));
  });

  it('runs the after-commit steps once, in order, only after the transaction committed', async () => {
    const { io, attempted } = fakeIo({ guards: ['orderVersion'] });
    const events: string[] = [];
    const { command } = counterCommand({
      decide: (version) => ({
        writes: [guarded('orderVersion', item(`v${version}`))],
        result: `decided on ${version}`,
        afterCommit: [() => events.push(`send ${version} after ${attempted.length} attempts`), async () => events.push(`event ${version}`)],
      }),
    });
    await expect(runCommand(command, io)).resolves.toBe('decided on 2');
    expect(events).toEqual(['send 2 after 2 attempts', 'event 2']);
  });

  it('answers with the committed result when an after-commit step fails, and still runs the steps after it', async () => {
    const { io, committed } = fakeIo();
    const events: string[] = [];
    const { command } = counterCommand({
      decide: () => ({
        writes: [item('order')],
        result: 'committed',
        afterCommit: [
          async () => {
            throw new Error('queue unreachable');
          },
          () => events.push('business event'),
        ],
      }),
    });
    await expect(runCommand(command, io)).resolves.toBe('committed');
    expect(committed).toHaveLength(1);
    expect(events).toEqual(['business event']);
  });

  it('lets a rule refusing in decide through as it is: no write, no retry, no after-commit step', async () => {
    const { io, attempted } = fakeIo();
    const { command, loads } = counterCommand({
      decide: () => {
        throw new DomainError('ORDER_NOT_CANCELLABLE', 'shipped');
      },
    });
    await expect(runCommand(command, io)).rejects.toMatchObject({ code: 'ORDER_NOT_CANCELLABLE' });
    expect(loads).toEqual([1]);
    expect(attempted).toEqual([]);
  });

  it('writes nothing when the decision has nothing to write, and still answers and runs its steps', async () => {
    const { io, attempted } = fakeIo();
    const events: string[] = [];
    const { command } = counterCommand({ decide: () => ({ writes: [], result: 'nothing to do', afterCommit: [() => events.push('logged')] }) });
    await expect(runCommand(command, io)).resolves.toBe('nothing to do');
    expect(attempted).toEqual([]);
    expect(events).toEqual(['logged']);
  });

  it('passes on a failure that is not a refused transaction without retrying', async () => {
    const { command, loads } = counterCommand();
    const io: CommandIo = { now: () => NOW, sleep: async () => undefined, transact: async () => Promise.reject(new Error('ProvisionedThroughputExceeded')) };
    await expect(runCommand(command, io)).rejects.toThrow('ProvisionedThroughputExceeded');
    expect(loads).toEqual([1]);
  });
});

describe('runCommand with work someone else already did', () => {
  it('answers the given result without retrying when a guard listed in alreadyDone failed', async () => {
    const { io, attempted } = fakeIo({ guards: ['timerUnmoved', 'orderVersion'] });
    const { command, loads } = counterCommand({ alreadyDone: { guards: ['timerUnmoved'], result: 'done elsewhere' } });
    await expect(runCommand(command, io)).resolves.toBe('done elsewhere');
    expect(loads).toEqual([1]);
    expect(attempted).toHaveLength(1);
  });
});

describe('runCommand with several failed guards', () => {
  it("decides again at once when the first failed guard's refusal says 'retry', leaving the others to the next attempt", async () => {
    const { io } = fakeIo({ guards: ['idempotencyKeyUnused', 'paymentUnused'] });
    const { command, loads } = counterCommand({
      refusals: { idempotencyKeyUnused: () => 'retry', paymentUnused: new DomainError('PAYMENT_ALREADY_USED', 'used') },
    });
    await expect(runCommand(command, io)).resolves.toBe('decided on 2');
    expect(loads).toEqual([1, 2]);
  });
});
