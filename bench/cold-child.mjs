// One cold start of a function's bundle, in this fresh Node.js process, as Lambda's Node.js runtime
// makes it: the bundle imported once (the init), then its handler called once with one event. Prints
// one line, RESULT_MARKER followed by JSON: the import's and the invocation's milliseconds, the
// process's peak resident set size, and what the handler returned or threw, for the bench to check.
// The bench (cold-start.ts) gives this process the function's environment; the handler's own logs
// go to stdout before that line.
// https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html
//
//   node bench/cold-child.mjs BUNDLE_FILE EVENT_FILE
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const RESULT_MARKER = '@@cold-run@@';
const [bundle, eventFile] = process.argv.slice(2);
// Read before the clock starts: the event is Lambda's to deliver, not the function's work.
const event = JSON.parse(readFileSync(eventFile, 'utf8'));

const started = performance.now();
const module = await import(pathToFileURL(bundle).href);
// The entry starts loading its handler module behind an init guard: the work that import queued
// runs within the next macrotask, and is the init's too.
await new Promise((resolve) => setImmediate(resolve));
const imported = performance.now();

const deadline = Date.now() + 60_000;
const context = {
  functionName: 'cold-start-bench',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:cold-start-bench',
  memoryLimitInMB: '256',
  awsRequestId: 'c01d0000-0000-4000-8000-000000000000',
  logGroupName: '/aws/lambda/cold-start-bench',
  logStreamName: '2026/11/21/[$LATEST]c01d',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
};
let outcome;
try {
  outcome = { result: await module.handler(event, context) };
} catch (error) {
  outcome = { error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
}
const invoked = performance.now();

const line = JSON.stringify({
  importMs: imported - started,
  invokeMs: invoked - imported,
  // resourceUsage().maxRSS is in kilobytes (getrusage's ru_maxrss).
  // https://nodejs.org/api/process.html#processresourceusage
  maxRssKiB: process.resourceUsage().maxRSS,
  ...outcome,
});
// Exit at once: the SDK's keep-alive sockets would keep the process waiting.
process.stdout.write(`\n${RESULT_MARKER}${line}\n`, () => process.exit(0));
