import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LOAD_ENVIRONMENT } from '../test/support/bundle-import.js';
import { BenchFailure, check, median, percentile } from './stats.js';

export const IMPORT_RUNS = 10;

/** As Lambda runs the functions (template.yaml sets NODE_OPTIONS), and without it. */
export const NODE_OPTION_MODES = ['', '--enable-source-maps'] as const;

export interface BundleRow {
  readonly bundle: string;
  readonly nodeOptions: string;
  readonly sizeBytes: number | undefined;
  readonly mapBytes: number | undefined;
  readonly importMedianMs: number | undefined;
  readonly importP95Ms: number | undefined;
  readonly processMedianMs: number;
}

interface ChildRun {
  readonly importMs: number | undefined;
  readonly processMs: number;
}

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
 * A bare `node` process first (the floor every cold start pays), then each bundle imported in a
 * fresh process `IMPORT_RUNS` times per NODE_OPTIONS mode, after one discarded warm-up run that
 * fills the file cache.
 */
export async function benchBundles(
  snapshot: BundleSnapshot,
  progress: (line: string) => void,
): Promise<BundleRow[]> {
  const rows: BundleRow[] = [];
  const baseline = await repeat(() => runChild(undefined, ''));
  rows.push({
    bundle: '(bare node, no import)',
    nodeOptions: '',
    sizeBytes: undefined,
    mapBytes: undefined,
    importMedianMs: undefined,
    importP95Ms: undefined,
    processMedianMs: median(baseline.map((run) => run.processMs)),
  });
  for (const bundle of snapshot.bundles) {
    const name = `dist/${bundle.slice(snapshot.dir.length + 1)}`;
    const mapFile = `${bundle}.map`;
    for (const nodeOptions of NODE_OPTION_MODES) {
      const runs = await repeat(() => runChild(bundle, nodeOptions));
      const imports = runs.map((run) => run.importMs ?? Number.NaN);
      rows.push({
        bundle: name,
        nodeOptions,
        sizeBytes: statSync(bundle).size,
        mapBytes: existsSync(mapFile) ? statSync(mapFile).size : undefined,
        importMedianMs: median(imports),
        importP95Ms: percentile(imports, 95),
        processMedianMs: median(runs.map((run) => run.processMs)),
      });
      progress(
        `${name} (${nodeOptions || 'no NODE_OPTIONS'}): import median ${median(imports).toFixed(
          0,
        )} ms`,
      );
    }
  }
  return rows;
}

async function repeat(run: () => Promise<ChildRun>): Promise<ChildRun[]> {
  await run();
  const runs: ChildRun[] = [];
  for (let index = 0; index < IMPORT_RUNS; index += 1) runs.push(await run());
  return runs;
}

/**
 * One fresh `node`; with a bundle, it imports it and prints how long that took. The entry loads
 * its handler module behind an init guard, lazily, so the clock stops only after the work queued
 * by the import has run too (a macrotask later), which is what the first invocation waits for.
 */
async function runChild(bundle: string | undefined, nodeOptions: string): Promise<ChildRun> {
  const script = bundle
    ? `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(bundle).href)});` +
      ' await new Promise((resolve) => setImmediate(resolve));' +
      ' console.log(performance.now() - t);'
    : '';
  const start = performance.now();
  const { code, stdout, stderr } = await new Promise<{
    code: number | null;
    stdout: string;
    stderr: string;
  }>((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      // The settings the bundles check as they load, as template.yaml gives them (the macro's).
      env: { ...process.env, ...LOAD_ENVIRONMENT, NODE_OPTIONS: nodeOptions },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (exitCode) => resolve({ code: exitCode, stdout: out, stderr: err }));
  });
  const processMs = performance.now() - start;
  if (code !== 0) {
    throw new BenchFailure(
      `importing ${bundle ?? '(nothing)'} exited with code ${code}: ${stderr.slice(-2000)}`,
    );
  }
  if (!bundle) return { importMs: undefined, processMs };
  const importMs = Number(stdout.trim().split('\n').pop());
  check(
    Number.isFinite(importMs),
    `importing ${bundle} printed no time: ${JSON.stringify(stdout.slice(-500))}`,
  );
  return { importMs, processMs };
}
