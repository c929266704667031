import type { Context } from 'aws-lambda';

/**
 * The parts of a Lambda context the functions read. Like Lambda's, the time left shrinks as the
 * clock runs (the fake clock too, where a test installs one): `remainingMs` from now.
 */
export function lambdaContext(remainingMs = 60_000): Context {
  const deadline = Date.now() + remainingMs;
  return {
    functionName: 'test-function',
    awsRequestId: 'c0ffee00-0000-4000-8000-000000000000',
    logStreamName: '2026/11/21/[$LATEST]0123456789abcdef',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  } as Context;
}
