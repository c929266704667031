import type { SoakOptions } from './soak.js';

/**
 * What a soak does, in the units of test/support/work-budget.ts and in the time it waits, so that
 * the timeout of a test that runs one is derived from its cycles and fault rate.
 *
 * Counted from soaks of 10 to 300 cycles: the functions make about 16 calls a cycle through the
 * proxy (with the fault-free runs), the soak about 15 more to the emulator directly (churn and
 * checks); the bounds below are twice that.
 */
export const PROXIED_CALLS_PER_CYCLE = 32;
export const DIRECT_CALLS_PER_CYCLE = 30;
/**
 * The longest wait the SDK adds for one faulted attempt: its standard retry mode waits up to
 * 500 ms × 2^attempt for a throttled call (2 s before the third attempt), less for other errors.
 */
export const SDK_BACKOFF_CAP_MS = 2_000;
/** A hung PUT to a ResponseURL costs the runtime one whole attempt (custom-resource-response.ts). */
export const HANG_COST_MS = 10_000;

export function soakWork(
  options: Pick<SoakOptions, 'cycles' | 'faultRate' | 'resourceEventShare' | 'receiverHangRate'>,
): { motoCalls: number; waitMs: number } {
  const { cycles, faultRate, resourceEventShare = 0.5, receiverHangRate = 0.05 } = options;
  const faults = Math.ceil(cycles * PROXIED_CALLS_PER_CYCLE * faultRate);
  const hangs = Math.ceil(cycles * resourceEventShare * receiverHangRate * 2);
  return {
    motoCalls: cycles * (PROXIED_CALLS_PER_CYCLE + DIRECT_CALLS_PER_CYCLE),
    waitMs: faults * SDK_BACKOFF_CAP_MS + hangs * HANG_COST_MS,
  };
}
