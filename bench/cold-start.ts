import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readTemplate } from '../scripts/cloudformation-yaml.mjs';
import {
  type BuildProperties,
  esbuildArguments,
  esbuildFunctions,
} from '../scripts/sam-esbuild.mjs';
import type { ColdScenario, ColdWorld } from './cold-world.js';
import { BenchFailure, check, kib, markdownTable, median, ms, percentile } from './stats.js';

/**
 * Cold starts of the functions' bundles: each run is a fresh `node` (bench/cold-child.mjs) that
 * imports a bundle and invokes its handler once against moto, as a new Lambda execution
 * environment does; every run's result is checked. First the bundles of dist/ (template.yaml's
 * settings), then the levers: template.yaml's settings as they were when issue 13 was opened, and
 * one build setting changed at a time, each built into a temporary directory with the arguments
 * sam-esbuild.mjs maps from them, as `sam build` would.
 */

/** Measured runs per bundle and NODE_OPTIONS, after one discarded (but checked) warm-up run. */
export const COLD_RUNS = 15;

/** Without, and with, Node.js mapping every stack trace through the source maps at load. */
export const NODE_OPTION_MODES = ['', '--enable-source-maps'] as const;

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CHILD = join(root, 'bench', 'cold-child.mjs');
const RESULT_MARKER = '@@cold-run@@';
const esbuild = join(
  dirname(createRequire(import.meta.url).resolve('esbuild/package.json')),
  'bin',
  'esbuild',
);

/** The settings every function had when issue 13 was opened: the levers start from these. */
export const ISSUE_13_PROPERTIES: BuildProperties = {
  Format: 'esm',
  OutExtension: ['.js=.mjs'],
  Target: 'node22',
  Minify: true,
  Sourcemap: true,
  KeepNames: true,
  Banner: [
    "js=import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
  ],
};

export interface Lever {
  readonly name: string;
  /** The build settings, from the previous row's. */
  readonly apply: (properties: BuildProperties) => BuildProperties;
  /** Why it is not applied, for a lever that did not win. */
  readonly kept: boolean;
  readonly note: string;
}

/** Each build lever, applied on top of the rows before it that were kept. */
export const LEVERS: readonly Lever[] = [
  {
    name: 'MainFields: module,main',
    apply: (properties) => ({ ...properties, MainFields: 'module,main' }),
    kept: true,
    note: "the SDK's ES modules (dist-es) instead of dist-cjs: esbuild can drop what is not imported",
  },
  {
    name: 'KeepNames off',
    apply: ({ KeepNames: _keepNames, ...properties }) => properties,
    kept: true,
    note: 'no __name() call per function and class; frames get their names from the map instead',
  },
  {
    name: 'SourcesContent: "false"',
    apply: (properties) => ({ ...properties, SourcesContent: 'false' }),
    kept: true,
    note: "the map without the sources' text: stack traces need only names and positions",
  },
  {
    name: 'Splitting: true',
    apply: (properties) => ({ ...properties, Splitting: true }),
    kept: true,
    note: "lazy imports become chunks: the SDK's credential providers but the environment's, and their clients, are never loaded",
  },
  {
    name: 'Sourcemap: external',
    apply: (properties) => ({ ...properties, Sourcemap: 'external' }),
    kept: true,
    note: 'no sourceMappingURL comment: --enable-source-maps (which sam build adds) reads no map at load; an error reads it',
  },
  {
    name: 'Minify: false',
    apply: (properties) => ({ ...properties, Minify: false }),
    kept: false,
    note: 'not kept: twice the code to read and compile, for readable frames the map already gives',
  },
];

export interface ColdRow {
  readonly bundle: string;
  readonly nodeOptions: string;
  /** Every code file of the bundle's directory: the entry and its chunks. */
  readonly codeBytes: number;
  readonly mapBytes: number;
  readonly importMs: number;
  readonly invokeMs: number;
  readonly totalMs: number;
  readonly totalP95Ms: number;
  readonly maxRssMiB: number;
}

export interface LeverRow {
  readonly lever: string;
  readonly kept: boolean;
  readonly note: string;
  /** One row per NODE_OPTIONS mode. */
  readonly rows: readonly ColdRow[];
}

interface ColdSample {
  readonly importMs: number;
  readonly invokeMs: number;
  readonly maxRssKiB: number;
  readonly result?: unknown;
  readonly error?: string;
}

/** The sizes of a bundle directory's code files and of its source maps. */
export function bundleSizes(dir: string): { codeBytes: number; mapBytes: number } {
  let codeBytes = 0;
  let mapBytes = 0;
  for (const file of readdirSync(dir)) {
    const size = statSync(join(dir, file)).size;
    if (/\.(mjs|cjs|js)$/.test(file)) codeBytes += size;
    else if (file.endsWith('.map')) mapBytes += size;
  }
  return { codeBytes, mapBytes };
}

/** One cold start: a fresh node that imports the bundle and invokes it once. */
async function coldRun(
  bundle: string,
  eventFile: string,
  environment: Readonly<Record<string, string>>,
  nodeOptions: string,
): Promise<ColdSample> {
  const { code, stdout, stderr } = await new Promise<{
    code: number | null;
    stdout: string;
    stderr: string;
  }>((done, fail) => {
    const child = spawn(process.execPath, [CHILD, bundle, eventFile], {
      env: { ...process.env, ...environment, NODE_OPTIONS: nodeOptions },
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
    child.on('error', fail);
    child.on('close', (exitCode) => done({ code: exitCode, stdout: out, stderr: err }));
  });
  const line = stdout.split('\n').find((text) => text.startsWith(RESULT_MARKER));
  if (code !== 0 || line === undefined) {
    throw new BenchFailure(
      `a cold start of ${bundle} exited with code ${code} and no result line: ${stderr.slice(-2000)}${stdout.slice(-1000)}`,
    );
  }
  const sample = JSON.parse(line.slice(RESULT_MARKER.length)) as ColdSample;
  check(
    Number.isFinite(sample.importMs) && Number.isFinite(sample.invokeMs),
    `a cold start of ${bundle} printed no times: ${line.slice(0, 500)}`,
  );
  return sample;
}

/** One bundle, run under one NODE_OPTIONS with one scenario. */
export interface ColdTarget {
  readonly label: string;
  readonly bundleDir: string;
  readonly scenario: ColdScenario;
  readonly nodeOptions: string;
}

/**
 * Every target measured in turns: a checked warm-up round that fills the file cache, then `runs`
 * rounds of one checked run of each target, each after its scenario has put the world back. Taking
 * turns spreads the machine's changing load over all targets alike, instead of giving it to
 * whichever ran at the time.
 */
export async function measureTargets(
  targets: readonly ColdTarget[],
  world: ColdWorld,
  runs = COLD_RUNS,
): Promise<ColdRow[]> {
  const scratch = mkdtempSync(join(tmpdir(), 'alb-static-ip-cold-'));
  try {
    const eventFiles = targets.map((target, index) => {
      const file = join(scratch, `event-${index}.json`);
      writeFileSync(file, JSON.stringify(target.scenario.event));
      return file;
    });
    const samples: ColdSample[][] = targets.map(() => []);
    for (let round = 0; round <= runs; round += 1) {
      for (const [index, target] of targets.entries()) {
        await target.scenario.prepare();
        const bundle = join(target.bundleDir, 'index.mjs');
        const eventFile = eventFiles[index] ?? '';
        const sample = await coldRun(bundle, eventFile, world.environment, target.nodeOptions);
        await target.scenario.check(sample);
        if (round > 0) samples[index]?.push(sample);
      }
    }
    return targets.map((target, index) => summary(target, samples[index] ?? []));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function summary(target: ColdTarget, samples: readonly ColdSample[]): ColdRow {
  const totals = samples.map((sample) => sample.importMs + sample.invokeMs);
  return {
    bundle: target.label,
    nodeOptions: target.nodeOptions,
    ...bundleSizes(target.bundleDir),
    importMs: median(samples.map((sample) => sample.importMs)),
    invokeMs: median(samples.map((sample) => sample.invokeMs)),
    totalMs: median(totals),
    totalP95Ms: percentile(totals, 95),
    maxRssMiB: median(samples.map((sample) => sample.maxRssKiB)) / 1024,
  };
}

/** Builds one function with these BuildProperties into `outdir`, as npm run build does. */
export function buildVariant(
  entryPoints: readonly string[],
  properties: BuildProperties,
  outdir: string,
): void {
  const args = esbuildArguments({ EntryPoints: [...entryPoints], ...properties }, outdir);
  execFileSync(esbuild, [...args, '--log-level=warning'], { cwd: root, stdio: 'inherit' });
}

/** template.yaml's esbuild functions, and its NODE_OPTIONS (as deployed). */
export function templateFunctions(): {
  functions: ReturnType<typeof esbuildFunctions>;
  nodeOptions: string;
} {
  const template = readTemplate(join(root, 'template.yaml')) as {
    Globals?: { Function?: { Environment?: { Variables?: Record<string, unknown> } } };
  };
  const nodeOptions = template.Globals?.Function?.Environment?.Variables?.NODE_OPTIONS;
  return {
    functions: esbuildFunctions(template),
    nodeOptions: typeof nodeOptions === 'string' ? nodeOptions : '',
  };
}

const withoutEntryPoints = ({ EntryPoints: _entryPoints, ...rest }: BuildProperties) => rest;

/**
 * The settings of each lever row, from issue 13's: checked to end at template.yaml's settings for
 * the function, so the table's last kept row is what is deployed.
 */
export function leverSettings(
  current: BuildProperties,
): { lever: Lever | undefined; properties: BuildProperties }[] {
  const rows: { lever: Lever | undefined; properties: BuildProperties }[] = [
    { lever: undefined, properties: ISSUE_13_PROPERTIES },
  ];
  let kept = ISSUE_13_PROPERTIES;
  for (const lever of LEVERS) {
    const properties = lever.apply(kept);
    rows.push({ lever, properties });
    if (lever.kept) kept = properties;
  }
  const sorted = (properties: BuildProperties) =>
    JSON.stringify(Object.entries(properties).sort(([a], [b]) => a.localeCompare(b)));
  check(
    sorted(kept) === sorted(withoutEntryPoints(current)),
    `the kept levers give ${sorted(kept)}, but template.yaml has ${sorted(withoutEntryPoints(current))}: update LEVERS in bench/cold-start.ts`,
  );
  return rows;
}

/** Every lever row for one function, each built into a temporary directory and measured. */
export async function benchLevers(
  functionName: string,
  world: ColdWorld,
  progress: (line: string) => void,
  runs = COLD_RUNS,
): Promise<LeverRow[]> {
  const fn = templateFunctions().functions.find((candidate) => candidate.name === functionName);
  const scenario = world.scenarios.get(functionName);
  if (fn === undefined || scenario === undefined) {
    throw new BenchFailure(`no esbuild function or scenario named ${functionName}`);
  }
  const entryPoints = fn.buildProperties.EntryPoints as string[];
  const built: { lever: Lever | undefined; name: string; outdir: string }[] = [];
  try {
    for (const { lever, properties } of leverSettings(fn.buildProperties)) {
      const outdir = mkdtempSync(join(tmpdir(), 'alb-static-ip-lever-'));
      built.push({
        lever,
        name: lever === undefined ? 'issue 13 (start)' : `+ ${lever.name}`,
        outdir,
      });
      buildVariant(entryPoints, properties, outdir);
    }
    progress(`${functionName}: ${built.length} lever builds, measured in turns`);
    const targets = built.flatMap(({ name, outdir }) =>
      NODE_OPTION_MODES.map((nodeOptions) => ({
        label: name,
        bundleDir: outdir,
        scenario,
        nodeOptions,
      })),
    );
    const measured = await measureTargets(targets, world, runs);
    return built.map(({ lever, name }) => ({
      lever: name,
      kept: lever?.kept ?? true,
      note: lever?.note ?? "template.yaml's settings when issue 13 was opened",
      rows: measured.filter((row) => row.bundle === name),
    }));
  } finally {
    for (const { outdir } of built) rmSync(outdir, { recursive: true, force: true });
  }
}

const mib = (value: number) => value.toFixed(0);
const modeName = (nodeOptions: string) => nodeOptions || '(none)';

/** The Markdown of the cold-start section of `npm run bench`. */
export function bundleReport(options: {
  readonly bundles: readonly ColdRow[];
  readonly levers: { readonly functionName: string; readonly rows: readonly LeverRow[] };
  readonly deployedNodeOptions: string;
  readonly runs: number;
}): string[] {
  const { bundles, levers, deployedNodeOptions, runs } = options;
  const out: string[] = ['## Cold start: each bundle in a fresh node process', ''];
  out.push(
    markdownTable(
      [
        'bundle',
        'NODE_OPTIONS',
        'code KB',
        'map KB',
        'import ms',
        'first invocation ms',
        'cold total ms',
        'total p95 ms',
        'peak RSS MiB',
      ],
      bundles.map((row) => [
        row.bundle,
        `${modeName(row.nodeOptions)}${row.nodeOptions === deployedNodeOptions ? ' (deployed)' : ''}`,
        kib(row.codeBytes),
        kib(row.mapBytes),
        ms(row.importMs),
        ms(row.invokeMs),
        ms(row.totalMs),
        ms(row.totalP95Ms),
        mib(row.maxRssMiB),
      ]),
    ),
  );
  out.push(
    '',
    `Medians of ${runs} runs after one warm-up run, every run checked (the sync registered the ` +
      "ALB's IPs; the custom resource answered SUCCESS with the NLB's IPs; the macro expanded " +
      'the template). import: the bundle imported, and the work it queued run; first ' +
      'invocation: the handler called once against moto on loopback (a scheduled sync, a ' +
      'custom-resource Create, a macro request); cold total: the two; peak RSS: the ' +
      "process's maxRSS. code KB: the entry and its chunks; map KB: their source maps. " +
      "issue 13: template.yaml's settings when the issue was opened, built into a temporary " +
      'directory from the current sources; now: dist/, built by npm run build.',
  );
  out.push('', `### Levers, one at a time (${levers.functionName})`, '');
  out.push(
    markdownTable(
      [
        'lever',
        'kept',
        'code KB',
        'map KB',
        ...NODE_OPTION_MODES.flatMap((mode) => [
          `import ms ${modeName(mode)}`,
          `first invocation ms ${modeName(mode)}`,
          `cold total ms ${modeName(mode)}`,
          `peak RSS MiB ${modeName(mode)}`,
        ]),
        'why',
      ],
      levers.rows.map((lever) => {
        const [first] = lever.rows;
        return [
          lever.lever,
          lever.kept ? 'yes' : 'no',
          first === undefined ? '–' : kib(first.codeBytes),
          first === undefined ? '–' : kib(first.mapBytes),
          ...lever.rows.flatMap((row) => [
            ms(row.importMs),
            ms(row.invokeMs),
            ms(row.totalMs),
            mib(row.maxRssMiB),
          ]),
          lever.note,
        ];
      }),
    ),
  );
  out.push(
    '',
    'Each row adds its lever to the kept rows above it; each is built into a temporary directory ' +
      'with the esbuild arguments sam build derives from the settings (scripts/sam-esbuild.mjs). ' +
      'All rows are measured in turns, one run of each per round. The source-level levers ' +
      '(source maps read only for an error; lazy clients and loggers) are in the code every ' +
      'row is built from. With external maps, --enable-source-maps reads nothing at load, so ' +
      'the (none) columns and the others should agree. Deployed: ' +
      `NODE_OPTIONS=${modeName(deployedNodeOptions)} (template.yaml).`,
  );
  return out;
}
