/**
 * Timeouts for tests and hooks, derived from the work they bound instead of picked by feel.
 *
 * Each kind of work has an idle cost: what one unit took on an idle 2-core machine, rounded up
 * (measured with the commands in the comments). A test or hook states how many units of each kind
 * it does; its timeout is the sum of their costs, times SLOWDOWN, plus a fixed allowance for
 * vitest's own work around it. So a hook that packages twice and lints once gets the time that work
 * needs on a busy machine, and a hook that grows more work gets more time by saying so.
 */
export const IDLE_COST_MS = {
  /** `moto_server` until it answers, plus the first call of a service (moto loads it lazily). */
  motoStart: 1_600,
  /** `moto_server` from SIGTERM until it has exited (it gets SIGKILL after MOTO_STOP_GRACE_MS). */
  motoStop: 1_000,
  /** One AWS API call answered by moto, through the recording proxy (about 4 ms for most). */
  motoCall: 10,
  /** `cfn-lint` on one template (`time cfn-lint template.yaml`). */
  cfnLint: 2_000,
  /** The SAM transform of one template (`scripts/sam-translate.py`). */
  samTransform: 500,
  /** `node scripts/build.mjs`: every function's bundle, and the CLI's (about 750 ms). */
  build: 1_000,
  /** One `aws` CLI command: Python, botocore, and a small request. */
  awsCli: 500,
  /** `aws cloudformation package` of template.yaml: the CLI plus zipping and uploading bundles. */
  awsPackage: 1_500,
  /**
   * A fresh Node.js process that imports one of the bundles: about 10 ms for the entry, which
   * loads its handler's chunk lazily, about 110 ms with the first invocation (npm run bench).
   */
  bundleImport: 400,
  /** A fresh Python or Node.js process that does little (`python3 -c 0`, `node -e 0`). */
  process: 100,
  /** `vitest run` of a handful of small test files in a fresh process. */
  vitestRun: 3_000,
} as const;

export type Work = Partial<Record<keyof typeof IDLE_COST_MS, number>>;

/**
 * How much slower the same work may run on CI's busy 2-core machine. Three CPU-bound processes
 * beside the work made cfn-lint, the SAM transform and the build 2.1 to 3.2 times slower; twice the
 * worst of that leaves room for a second test suite running at the same time.
 */
export const SLOWDOWN = 6;

/** vitest's own share of a test or hook: module loading, hooks around it, the reporter. */
const ALLOWANCE_MS = 2_000;

/** The timeout, in milliseconds, for a test or hook that does this work. */
export function budgetFor(work: Work): number {
  let idle = 0;
  for (const [kind, count] of Object.entries(work) as [keyof typeof IDLE_COST_MS, number][]) {
    if (!Number.isInteger(count) || count < 0) {
      throw new RangeError(`${kind}: got ${count}; expected a whole number of units, 0 or more`);
    }
    idle += IDLE_COST_MS[kind] * count;
  }
  return idle * SLOWDOWN + ALLOWANCE_MS;
}
