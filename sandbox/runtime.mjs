// One function's execution environment in the sandbox, as the Lambda Node.js runtime makes it: a
// process of its own, with the function's environment variables, that imports the bundle once (its
// init) and then runs one invocation at a time, each with a context whose remaining time counts
// down from the function's Timeout. The sandbox's Lambda service (lambda-service.ts) forks it and
// sends it invocations over IPC; the function's logs go to this process's stdout and stderr, as
// they go to CloudWatch Logs in Lambda.
// https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html
// https://docs.aws.amazon.com/lambda/latest/dg/nodejs-context.html
//
//   node sandbox/runtime.mjs BUNDLE_FILE EXPORT_NAME
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';

const [bundle, exportName] = process.argv.slice(2);

/** The init: a failure is every invocation's error, as Lambda reports an init error. */
const loaded = import(pathToFileURL(bundle).href).then((module) => {
  const handler = module[exportName];
  if (typeof handler !== 'function') {
    throw new Error(`${bundle} has no exported function ${exportName}`);
  }
  return handler;
});
loaded.catch(() => {});

function errorPayload(error) {
  const isError = error instanceof Error;
  return JSON.stringify({
    errorType: isError ? error.name : typeof error,
    errorMessage: isError ? error.message : String(error),
  });
}

// The sandbox gone (its IPC channel closed), the environment goes too, as Lambda's would.
process.on('disconnect', () => process.exit(0));

process.on('message', async ({ id, event, timeoutMs }) => {
  const deadline = Date.now() + timeoutMs;
  const awsRequestId = randomUUID();
  const context = {
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: '$LATEST',
    invokedFunctionArn: process.env.SANDBOX_FUNCTION_ARN,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId,
    logGroupName: `/aws/lambda/${process.env.AWS_LAMBDA_FUNCTION_NAME}`,
    logStreamName: `sandbox/[$LATEST]${awsRequestId.replaceAll('-', '')}`,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  let answer;
  try {
    const handler = await loaded;
    const result = await handler(event, context);
    answer = { id, errored: false, payload: JSON.stringify(result ?? null) };
  } catch (error) {
    answer = { id, errored: true, payload: errorPayload(error) };
  }
  process.send?.(answer);
});
