import { type ChildProcess, fork } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The sandbox plays the Lambda service, because moto 5.2.1 runs a function only in Docker. The
// patched moto (moto_sandbox.py) hands each invocation here: its own CloudFormation calling a
// custom resource, a rule delivering an event, a `lambda invoke`. This runs it in an execution
// environment of the function (runtime.mjs: a Node.js process with the function's environment
// variables and the bundle it was created from), answers moto with the result, and tells the
// sandbox what ran. A custom resource's answer goes to this service's receiver, on loopback, which
// passes it on to moto's CloudFormation (moto waits for it there, as CloudFormation waits at its
// presigned S3 URL); the view reads the same answer from the invocation's result.

/** What moto posts for one invocation (moto_sandbox.py, invoke_in_sandbox). */
interface InvocationRequest {
  readonly FunctionName: string;
  readonly FunctionArn: string;
  readonly Handler: string;
  readonly Timeout: number | string;
  readonly MemorySize: number | string;
  readonly Environment: Record<string, string>;
  readonly Code: { readonly S3Bucket?: string; readonly S3Key?: string };
  readonly Source?: string;
  readonly Event: unknown;
}

/** How one invocation went, for the sandbox's view. */
export interface Invocation {
  readonly functionName: string;
  /** `cloudformation`, `rule/<name>` or `lambda` (a direct Invoke call). */
  readonly source: string;
  readonly event: unknown;
  readonly startedAt: number;
  readonly durationMs: number;
  readonly errored: boolean;
  /** The handler's result (or error), parsed. */
  readonly result: unknown;
  /** How many bytes of logs the invocation wrote: what CloudWatch Logs would bill. */
  readonly logBytes: number;
  /** Whether it ran in a new execution environment (an init, a cold start). */
  readonly coldStart: boolean;
}

export interface LambdaServiceOptions {
  /** The bundle file that a function's code (its S3 object) was packaged from. */
  readonly bundleFor: (code: InvocationRequest['Code']) => string | undefined;
  /** Settings every execution environment gets: Region and credentials (and moto as endpoint). */
  readonly environment: Readonly<Record<string, string>>;
  /** moto, e.g. http://127.0.0.1:5000: the functions' AWS endpoint, and where its CloudFormation
   * waits for custom resources' answers. */
  readonly motoEndpoint: () => string;
  /** Where each function's logs are appended, one file per function. */
  readonly logDirectory: string;
  readonly onInvocation: (invocation: Invocation) => void;
}

export interface LambdaService {
  readonly url: string;
  stop(): Promise<void>;
}

const RUNTIME = fileURLToPath(new URL('./runtime.mjs', import.meta.url));
const RESPONSE_PATH = '/custom-resource-response';

/** A custom resource request, by the fields CloudFormation always sends. */
function isCustomResourceRequest(
  event: unknown,
): event is { ResponseURL: string; RequestType: string } {
  return (
    typeof event === 'object' &&
    event !== null &&
    typeof (event as { ResponseURL?: unknown }).ResponseURL === 'string' &&
    typeof (event as { RequestType?: unknown }).RequestType === 'string'
  );
}

interface Environment {
  readonly child: ChildProcess;
  busy: boolean;
  /** Bytes logged by the invocation it is running. */
  logged: number;
  settle?: (answer: { errored: boolean; payload: string }) => void;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export async function startLambdaService(options: LambdaServiceOptions): Promise<LambdaService> {
  mkdirSync(options.logDirectory, { recursive: true });
  const pools = new Map<string, Environment[]>();
  const logs = new Map<string, WriteStream>();
  let stopping = false;

  function logFile(functionName: string): WriteStream {
    let stream = logs.get(functionName);
    if (stream === undefined) {
      stream = createWriteStream(join(options.logDirectory, `${functionName}.log`), { flags: 'a' });
      logs.set(functionName, stream);
    }
    return stream;
  }

  /** A free execution environment of the function, or a new one (a cold start). */
  function environmentFor(request: InvocationRequest, bundle: string): [Environment, boolean] {
    const pool = pools.get(request.FunctionName) ?? [];
    pools.set(request.FunctionName, pool);
    const free = pool.find((environment) => !environment.busy && environment.child.connected);
    if (free !== undefined) return [free, false];
    const [file, exportName] = [bundle, request.Handler.split('.').pop() ?? 'handler'];
    const child = fork(RUNTIME, [file, exportName], {
      // A plain Node.js process, as Lambda's runtime is: none of the sandbox's own loader flags.
      execArgv: [],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: {
        PATH: process.env.PATH ?? '',
        ...request.Environment,
        ...options.environment,
        AWS_ENDPOINT_URL: options.motoEndpoint(),
        AWS_LAMBDA_FUNCTION_NAME: request.FunctionName,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(request.MemorySize),
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${request.FunctionName}`,
        AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs20.x',
        SANDBOX_FUNCTION_ARN: request.FunctionArn,
      },
    });
    const environment: Environment = { child, busy: false, logged: 0 };
    const stream = logFile(request.FunctionName);
    const onOutput = (chunk: Buffer) => {
      environment.logged += chunk.length;
      stream.write(chunk);
    };
    child.stdout?.on('data', onOutput);
    child.stderr?.on('data', onOutput);
    child.on('message', (message: { errored: boolean; payload: string }) => {
      environment.settle?.(message);
    });
    child.on('exit', (code, signal) => {
      const index = pool.indexOf(environment);
      if (index >= 0) pool.splice(index, 1);
      environment.settle?.({
        errored: true,
        payload: JSON.stringify({
          errorType: 'Runtime.ExitError',
          errorMessage: `the execution environment exited (${signal ?? `code ${code}`})`,
        }),
      });
    });
    pool.push(environment);
    return [environment, true];
  }

  async function invoke(
    request: InvocationRequest,
  ): Promise<{ errored: boolean; payload: string }> {
    const bundle = options.bundleFor(request.Code);
    if (bundle === undefined) {
      return {
        errored: true,
        payload: JSON.stringify({
          errorType: 'Sandbox.UnknownCode',
          errorMessage: `no bundle was packaged as s3://${request.Code.S3Bucket}/${request.Code.S3Key}`,
        }),
      };
    }
    let event = request.Event;
    if (isCustomResourceRequest(event)) {
      // The answer comes to the receiver first, then goes on to where moto waits for it.
      const waiting = new URL(event.ResponseURL);
      const forward = `${options.motoEndpoint()}${waiting.pathname}${waiting.search}`;
      event = { ...event, ResponseURL: `${url}${RESPONSE_PATH}?to=${encodeURIComponent(forward)}` };
    }
    const [environment, coldStart] = environmentFor(request, bundle);
    environment.busy = true;
    environment.logged = 0;
    const timeoutMs = Number(request.Timeout) * 1000;
    const startedAt = Date.now();
    const answer = await new Promise<{ errored: boolean; payload: string }>((resolve) => {
      // Lambda stops an invocation at its timeout; the environment is not reused after that.
      const timer = setTimeout(() => {
        environment.settle = undefined;
        environment.child.kill('SIGKILL');
        resolve({
          errored: true,
          payload: JSON.stringify({
            errorType: 'Sandbox.Timeout',
            errorMessage: `Task timed out after ${Number(request.Timeout)} seconds`,
          }),
        });
      }, timeoutMs);
      environment.settle = (settled) => {
        clearTimeout(timer);
        environment.settle = undefined;
        resolve(settled);
      };
      environment.child.send({ id: startedAt, event, timeoutMs });
    });
    environment.busy = false;
    if (!stopping) {
      options.onInvocation({
        functionName: request.FunctionName,
        source: request.Source ?? (isCustomResourceRequest(event) ? 'cloudformation' : 'lambda'),
        event: request.Event,
        startedAt,
        durationMs: Date.now() - startedAt,
        errored: answer.errored,
        result: parseJson(answer.payload),
        logBytes: environment.logged,
        coldStart,
      });
    }
    return answer;
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    const path = new URL(request.url ?? '/', 'http://sandbox');
    if (request.method === 'PUT' && path.pathname === RESPONSE_PATH) {
      const to = path.searchParams.get('to') ?? '';
      const forwarded = await fetch(to, {
        method: 'PUT',
        body,
        headers: { 'content-type': '' },
      });
      response.writeHead(forwarded.status).end();
      return;
    }
    if (request.method === 'POST' && path.pathname === '/invoke') {
      const answer = await invoke(JSON.parse(body) as InvocationRequest);
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ Payload: answer.payload, Errored: answer.errored, Logs: '' }));
      return;
    }
    response.writeHead(404).end();
  }

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500);
      response.end(error instanceof Error ? error.message : String(error));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    async stop() {
      stopping = true;
      const exits: Promise<unknown>[] = [];
      for (const pool of pools.values()) {
        for (const { child } of pool) {
          if (child.exitCode === null && child.signalCode === null) {
            exits.push(new Promise((resolve) => child.once('exit', resolve)));
            child.kill('SIGKILL');
          }
        }
      }
      server.closeAllConnections();
      await Promise.all([
        ...exits,
        new Promise((resolve) => server.close(resolve)),
        ...[...logs.values()].map((stream) => new Promise((resolve) => stream.end(resolve))),
      ]);
    },
  };
}
