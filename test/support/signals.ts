/** A signal that is never aborted: for calls whose test is not about cancellation. */
export const LIVE: AbortSignal = new AbortController().signal;

/** A signal aborted already, with the reason the runtime gives when its deadline answer goes out. */
export function abortedSignal(
  reason = "The Create did not finish before the Lambda function's timeout",
): AbortSignal {
  const controller = new AbortController();
  controller.abort(new Error(reason));
  return controller.signal;
}

/** What the SDK rejects with when the signal it was given is aborted (before or during a call). */
export const abortError = (): Error =>
  Object.assign(new Error('Request aborted'), { name: 'AbortError' });

/**
 * The options each mocked call was sent with, its abortSignal shown as "the signal" when it is the
 * very signal given: two AbortSignals that are not aborted compare equal, so identity is checked.
 */
export const optionsSent = (calls: readonly { args: readonly unknown[] }[], signal: AbortSignal) =>
  calls.map(({ args: [, options] }) =>
    typeof options === 'object' && options !== null && 'abortSignal' in options
      ? { ...options, abortSignal: options.abortSignal === signal ? 'the signal' : 'another' }
      : options,
  );
