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
