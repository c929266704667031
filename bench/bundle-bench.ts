import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import {
  benchLevers,
  buildVariant,
  bundleReport,
  COLD_RUNS,
  type ColdTarget,
  ISSUE_13_PROPERTIES,
  measureTargets,
  NODE_OPTION_MODES,
  templateFunctions,
} from './cold-start.js';
import { startColdWorld } from './cold-world.js';
import { BenchFailure, check } from './stats.js';

/** The function whose build levers the bench measures: the one that runs every minute. */
export const LEVER_FUNCTION = 'target-group-sync';

/** A copy of dist/ taken when the benchmark starts, and the bundles in it. */
export interface BundleSnapshot {
  /** The copy's root: a bundle's path relative to it is its path relative to dist/. */
  readonly dir: string;
  readonly bundles: readonly string[];
  remove(): void;
}

/**
 * Copies dist/ (just built by `npm run bench`) to a temporary directory, so the bundles measured
 * are the ones built for this run even if something rebuilds dist/ meanwhile. Each bundle is
 * `<function>/<entry>.mjs` (or .js / .cjs).
 */
export function snapshotBundles(distDir: string): BundleSnapshot {
  check(existsSync(distDir), `${distDir} does not exist; run npm run build first`);
  const dir = mkdtempSync(join(tmpdir(), 'alb-static-ip-bench-'));
  try {
    cpSync(distDir, dir, { recursive: true });
    const bundles: string[] = [];
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      for (const file of readdirSync(join(dir, entry.name))) {
        // The functions' entry points (Handler index.handler), not the CLI's bundle under dist/cli.
        if (/^index\.(mjs|cjs|js)$/.test(file)) bundles.push(join(dir, entry.name, file));
      }
    }
    check(
      bundles.length > 0,
      `no function bundle (*/index.mjs, .cjs or .js) found under ${distDir}`,
    );
    return {
      dir,
      bundles: bundles.sort(),
      remove: () => rmSync(dir, { recursive: true, force: true }),
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * The cold-start section of `npm run bench`, as Markdown lines: every function bundle of the
 * snapshot, then the build levers of LEVER_FUNCTION, against one moto_server and response receiver
 * that are stopped however it ends. BENCH_COLD_RUNS sets fewer (or more) runs than COLD_RUNS.
 */
export async function benchColdStart(
  snapshot: BundleSnapshot,
  progress: (line: string) => void,
): Promise<string[]> {
  const runs = Number(process.env.BENCH_COLD_RUNS || COLD_RUNS);
  check(
    Number.isInteger(runs) && runs > 0,
    `BENCH_COLD_RUNS: expected a whole number, got ${runs}`,
  );
  progress('cold start: starting moto_server and building its world');
  const world = await startColdWorld();
  const scratch: string[] = [];
  try {
    // Before: issue 13's settings, built into temporary directories; after: dist/.
    const targets: ColdTarget[] = [];
    for (const bundle of snapshot.bundles) {
      const name = basename(dirname(bundle));
      const scenario = world.scenarios.get(name);
      const fn = templateFunctions().functions.find((candidate) => candidate.name === name);
      if (scenario === undefined || fn === undefined) {
        throw new BenchFailure(`no esbuild function or cold-start scenario for ${bundle}`);
      }
      const before = mkdtempSync(join(tmpdir(), 'alb-static-ip-before-'));
      scratch.push(before);
      buildVariant(fn.buildProperties.EntryPoints as string[], ISSUE_13_PROPERTIES, before);
      for (const [label, bundleDir] of [
        [`${name} (issue 13)`, before],
        [`${name} (now)`, dirname(bundle)],
      ] as const) {
        for (const nodeOptions of NODE_OPTION_MODES) {
          targets.push({ label, bundleDir, scenario, nodeOptions });
        }
      }
    }
    progress(`cold start: ${targets.length} bundle and NODE_OPTIONS pairs, measured in turns`);
    const bundles = await measureTargets(targets, world, runs);
    for (const row of bundles) {
      progress(
        `${row.bundle} (${row.nodeOptions || 'no NODE_OPTIONS'}): import ${row.importMs.toFixed(0)} ms, cold total ${row.totalMs.toFixed(0)} ms`,
      );
    }
    const levers = await benchLevers(LEVER_FUNCTION, world, progress, runs);
    return bundleReport({
      bundles,
      levers: { functionName: LEVER_FUNCTION, rows: levers },
      deployedNodeOptions: templateFunctions().nodeOptions,
      runs,
    });
  } finally {
    for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
    await world.stop().catch((error) => progress(`stopping moto failed: ${error}`));
    progress('cold start: moto_server stopped');
  }
}
