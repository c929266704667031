import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { budgetFor, IDLE_COST_MS, SLOWDOWN } from './work-budget.js';

/** A moto_server (the AWS API emulator) on a free loopback port, owned by one test file or bench. */
export interface MotoServer {
  readonly endpoint: string;
  /** Forgets every resource, so each test starts from an empty account. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/** How long moto_server may take to answer after it starts, on a busy machine. */
const READY_TIMEOUT_MS = budgetFor({ motoStart: 1 });
/** How long moto_server may take to exit after SIGTERM before it is killed. */
const MOTO_STOP_GRACE_MS = IDLE_COST_MS.motoStop * SLOWDOWN;

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

export async function startMotoServer(): Promise<MotoServer> {
  const port = await freeLoopbackPort();
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const spawned = new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (error) =>
      reject(
        new Error(
          `cannot start moto_server (${error.message}): the integration tests need the moto AWS emulator on PATH (Python package moto with its server extra)`,
          { cause: error },
        ),
      ),
    );
  });
  await spawned;
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilReady(endpoint, child, () => stderr);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    endpoint,
    async reset() {
      const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      if (!response.ok) throw new Error(`moto reset failed with HTTP ${response.status}`);
    },
    stop: () => stopProcess(child),
  };
}

async function waitUntilReady(
  endpoint: string,
  child: ChildProcess,
  stderr: () => string,
): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`moto_server exited with code ${child.exitCode}: ${stderr()}`);
    }
    try {
      const response = await fetch(`${endpoint}/moto-api/data.json`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`moto_server did not answer on ${endpoint} within ${READY_TIMEOUT_MS} ms`);
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), MOTO_STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}
