import { fileURLToPath } from 'node:url';
import { startMoto } from '../../sandbox/processes.js';
import { budgetFor, IDLE_COST_MS, SLOWDOWN } from './work-budget.js';

/** A moto_server (the AWS API emulator) on a free loopback port, owned by one test file or bench. */
export interface MotoServer {
  readonly endpoint: string;
  /** Forgets every resource, so each test starts from an empty account. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/** moto_server with the stand-in that makes Elastic Load Balancing's network interfaces. */
const MOTO_ELB_ENIS = fileURLToPath(new URL('../../sandbox/moto_elb_enis.py', import.meta.url));

/** How long moto_server may take to answer after it starts, on a busy machine. */
const READY_TIMEOUT_MS = budgetFor({ motoStart: 1 });
/** How long moto_server may take to exit after SIGTERM before it is killed. */
const MOTO_STOP_GRACE_MS = IDLE_COST_MS.motoStop * SLOWDOWN;

export async function startMotoServer(): Promise<MotoServer> {
  const moto = await startMoto({
    // moto_server, with Elastic Load Balancing's interfaces as EC2 describes them (see there).
    command: ['python3', MOTO_ELB_ENIS, '-H', '127.0.0.1', '-p'],
    readyTimeoutMs: READY_TIMEOUT_MS,
    stopGraceMs: MOTO_STOP_GRACE_MS,
  });
  return {
    endpoint: moto.endpoint,
    async reset() {
      const response = await fetch(`${moto.endpoint}/moto-api/reset`, { method: 'POST' });
      if (!response.ok) throw new Error(`moto reset failed with HTTP ${response.status}`);
    },
    stop: moto.stop,
  };
}
