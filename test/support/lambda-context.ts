import type { Context } from 'aws-lambda';

/** The parts of a Lambda context the functions read, with plenty of time left. */
export function lambdaContext(remainingMs = 60_000): Context {
  return {
    functionName: 'test-function',
    awsRequestId: 'c0ffee00-0000-4000-8000-000000000000',
    logStreamName: '2026/11/21/[$LATEST]0123456789abcdef',
    getRemainingTimeInMillis: () => remainingMs,
  } as Context;
}
