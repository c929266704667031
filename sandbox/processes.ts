import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';

// Starting and stopping the processes the sandbox and the tests own: moto_server on a free loopback
// port, and any child that must not outlive its owner.

/** A port the kernel says is free on 127.0.0.1 right now. */
export async function freeLoopbackPort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port was assigned'));
      });
    });
  });
}

/** Stops a child: SIGTERM, then SIGKILL after `graceMs`; resolves when it has exited. */
export async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** How much of moto's stderr is kept, for error messages. */
const STDERR_KEPT = 16_000;

export interface MotoProcess {
  readonly endpoint: string;
  readonly child: ChildProcess;
  /** The last few kilobytes moto wrote to stderr: its request log and any traceback. */
  stderr(): string;
  stop(): Promise<void>;
}

export interface MotoOptions {
  /** The command and its arguments before the port: `['moto_server', '-H', '127.0.0.1', '-p']`. */
  readonly command: readonly [string, ...string[]];
  /** Arguments after the port. */
  readonly after?: readonly string[];
  /** How long it may take to answer once started. */
  readonly readyTimeoutMs: number;
  /** How long it may take to exit after SIGTERM before it is killed. */
  readonly stopGraceMs: number;
}

/** Starts a moto server on a free loopback port, and waits until it answers. */
export async function startMoto(options: MotoOptions): Promise<MotoProcess> {
  const port = await freeLoopbackPort();
  const [command, ...before] = options.command;
  const child = spawn(command, [...before, String(port), ...(options.after ?? [])], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (error) =>
      reject(
        new Error(
          `cannot start ${command} (${error.message}): it needs the moto AWS emulator (Python package moto with its server extra)`,
          { cause: error },
        ),
      ),
    );
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-STDERR_KEPT);
  });
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilReady(endpoint, child, () => stderr, options.readyTimeoutMs);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    endpoint,
    child,
    stderr: () => stderr,
    stop: () => stopChild(child, options.stopGraceMs),
  };
}

async function waitUntilReady(
  endpoint: string,
  child: ChildProcess,
  stderr: () => string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`moto exited with code ${child.exitCode}: ${stderr()}`);
    }
    try {
      const response = await fetch(`${endpoint}/moto-api/data.json`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`moto did not answer on ${endpoint} within ${timeoutMs} ms`);
}
