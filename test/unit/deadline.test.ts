import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { abortBeforeDeadline, untilAborted } from '../../functions/shared/deadline.js';

const REASON = "The run was stopped before the Lambda function's timeout; nothing more is written";

/** A Lambda context whose time left does not change: the timer alone decides. */
const contextWith = (remainingMs: number) => ({ getRemainingTimeInMillis: () => remainingMs });

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('Function: abortBeforeDeadline', () => {
  it.each([
    // The margin itself when it is at most a tenth of the time left...
    [60_000, 5_000, 55_000],
    [50_000, 5_000, 45_000],
    // ...a tenth of the time left when the margin is more.
    [3_000, 5_000, 2_700],
    [40_000, 5_000, 36_000],
    [10, 5_000, 9],
  ])(
    'with %i ms left and a margin of %i ms, aborts at %i ms, not 1 ms before',
    (remaining, margin, abortAt) => {
      // Prepare
      const { signal } = abortBeforeDeadline(contextWith(remaining), margin);

      // Act
      vi.advanceTimersByTime(abortAt - 1);
      const abortedBefore = signal.aborted;
      vi.advanceTimersByTime(1);

      // Assess
      expect(abortedBefore).toBe(false);
      expect(signal.aborted).toBe(true);
    },
  );

  it('aborts at once when no time is left', () => {
    // Prepare
    const { signal } = abortBeforeDeadline(contextWith(0), 5_000);
    const abortedAtStart = signal.aborted;

    // Act
    vi.advanceTimersByTime(0);

    // Assess: not synchronously, but as soon as timers run
    expect(abortedAtStart).toBe(false);
    expect(signal.aborted).toBe(true);
  });

  it('gives a reason that says the run was stopped and nothing more is written', () => {
    // Prepare
    const { signal } = abortBeforeDeadline(contextWith(60_000), 5_000);

    // Act
    vi.advanceTimersByTime(55_000);

    // Assess
    expect(signal.reason).toBeInstanceOf(Error);
    expect((signal.reason as Error).message).toBe(REASON);
  });

  it('never aborts once disposed of', () => {
    // Prepare
    const deadline = abortBeforeDeadline(contextWith(60_000), 5_000);

    // Act
    deadline.dispose();
    vi.advanceTimersByTime(120_000);

    // Assess
    expect(deadline.signal.aborted).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('Function: untilAborted', () => {
  const never = new Promise<string>(() => {});

  it('settles as the work does while the signal holds', async () => {
    // Prepare
    const signal = new AbortController().signal;
    const failure = new Error('AccessDenied');

    // Act & Assess
    await expect(untilAborted(signal, Promise.resolve('credentials'))).resolves.toBe('credentials');
    await expect(untilAborted(signal, Promise.reject(failure))).rejects.toBe(failure);
  });

  it("fails with the signal's reason when it aborts first, the work still pending", async () => {
    // Prepare
    const controller = new AbortController();
    const reason = new Error(REASON);
    const pending = untilAborted(controller.signal, never);

    // Act
    controller.abort(reason);

    // Assess
    await expect(pending).rejects.toBe(reason);
  });

  it('fails at once on a signal already aborted, whatever the work would give', async () => {
    // Prepare
    const controller = new AbortController();
    const reason = new Error(REASON);
    controller.abort(reason);

    // Act & Assess
    await expect(untilAborted(controller.signal, Promise.resolve('late'))).rejects.toBe(reason);
  });
});
