import type { Context } from 'aws-lambda';

/**
 * A signal aborted shortly before the Lambda deadline: `marginMs` before it, or a tenth of the time
 * left when that is less. Work that checks it stops writing while the function can still log and
 * publish what it did, instead of being cut off mid-write. Dispose of it when the work is over.
 */
export function abortBeforeDeadline(
  context: Pick<Context, 'getRemainingTimeInMillis'>,
  marginMs: number,
): { readonly signal: AbortSignal; dispose(): void } {
  const remaining = context.getRemainingTimeInMillis();
  const controller = new AbortController();
  const timer = setTimeout(
    () =>
      controller.abort(
        new Error(
          "The run was stopped before the Lambda function's timeout; nothing more is written",
        ),
      ),
    Math.max(0, remaining - Math.min(marginMs, remaining / 10)),
  );
  return { signal: controller.signal, dispose: () => clearTimeout(timer) };
}

/**
 * Makes AWS calls under a run's signal, the one way every adapter does: nothing is sent once the
 * signal is aborted (the answer has gone, or the run was stopped), and a call cut short by it fails
 * with the signal's reason, not the SDK's. Any other failure goes to `failed`, which throws the
 * error that names the call, or returns what the failure means (a group already gone).
 */
export async function callUnderSignal<T>(
  signal: AbortSignal,
  calls: () => Promise<T>,
  failed: (cause: unknown) => T,
): Promise<T> {
  signal.throwIfAborted();
  try {
    return await calls();
  } catch (cause) {
    signal.throwIfAborted();
    return failed(cause);
  }
}

/**
 * The work's outcome, or the signal's reason if it aborts first. For work that takes no abort
 * signal of its own, such as the AssumeRole a credentials provider makes: a hanging STS endpoint
 * then ends with the run instead of holding it to the Lambda timeout. The work itself is left to
 * settle, unheard.
 */
export function untilAborted<T>(signal: AbortSignal, work: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    signal.throwIfAborted();
    signal.addEventListener('abort', () => reject(signal.reason));
    work.then(resolve, reject);
  });
}
