import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STEPS } from '../../sandbox/sandbox.js';
import { ROOT, withProjectTools } from '../../scripts/python-tools.mjs';
import { budgetFor } from '../support/work-budget.js';

// `npm start`, end to end, as a newcomer runs it and as CI runs it (no terminal): moto on a free
// port, template.yaml deployed into moto's CloudFormation with its custom resources run from the
// built bundles, the ALB's life, the summary, exit code 0, and nothing left running. Each run works
// in a copy of the project (its own dist/ and .sandbox/), so it never races the other tests' builds.

/** What one sandbox run does: moto, the build, `npm run package` (two templates), the transform,
 * some hundreds of calls to moto, each function's cold start, a few small processes. */
const RUN_BUDGET = budgetFor({
  motoStart: 1,
  build: 1,
  awsPackage: 2,
  samTransform: 1,
  motoCall: 600,
  bundleImport: 4,
  process: 20,
});
/** Fast steps and schedule, so that a run takes seconds. */
const FAST = ['--step-seconds', '0.3', '--schedule-seconds', '0.5'];
/** What `npm start` runs. */
const START = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts.start as string;
const TSX = join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
/** The project files the sandbox reads; node_modules is linked, not copied. */
const PROJECT_FILES = [
  'template.yaml',
  'package.json',
  'tsconfig.json',
  'requirements.txt',
  'LICENSE',
  'README.md',
  'functions',
  'cli',
  'sandbox',
  'scripts',
  'events',
  'docs',
];

let copies: string[] = [];

/** A copy of the project, with its own dist/ and .sandbox/. */
function projectCopy(): string {
  const copy = mkdtempSync(join(tmpdir(), 'sandbox-run-'));
  for (const entry of PROJECT_FILES)
    cpSync(join(ROOT, entry), join(copy, entry), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'));
  copies.push(copy);
  return copy;
}

/** `npm start -- ARGS` in `project`, without a terminal. */
function start(project: string, args: readonly string[], env = withProjectTools(process.env)) {
  expect(START).toBe('tsx sandbox/main.ts');
  return spawn(process.execPath, [TSX, 'sandbox/main.ts', ...args], {
    cwd: project,
    env: { ...env, AWS_ENDPOINT_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

interface Finished {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Collects a child's output; `when(text)` resolves once stdout contains it. */
function watchOutput(child: ChildProcess) {
  let stdout = '';
  let stderr = '';
  const waiting: { text: string; resolve: () => void }[] = [];
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    for (const wait of waiting.filter(({ text }) => stdout.includes(text))) {
      waiting.splice(waiting.indexOf(wait), 1);
      wait.resolve();
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const finished = new Promise<Finished>((resolve) => {
    child.once('exit', (code, signal) => {
      // The streams may still hold the last lines.
      setImmediate(() => resolve({ code, signal, stdout, stderr }));
    });
  });
  return {
    finished,
    stdout: () => stdout,
    when: (text: string) =>
      stdout.includes(text)
        ? Promise.resolve()
        : new Promise<void>((resolve) => waiting.push({ text, resolve })),
  };
}

/** The processes whose command line names `project`: moto, the functions' environments. */
function processesOf(project: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    try {
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (command.includes(project)) found.push(`${pid}: ${command}`);
    } catch {
      // gone already
    }
  }
  return found;
}

afterAll(() => {
  for (const copy of copies) rmSync(copy, { recursive: true, force: true });
  copies = [];
});

describe('npm start (the sandbox)', () => {
  let run: Finished;
  let project = '';

  beforeAll(async () => {
    project = projectCopy();
    run = await watchOutput(start(project, FAST)).finished;
  }, RUN_BUDGET);

  it('ends by itself with exit code 0, in plain lines without a terminal, and leaves nothing running', () => {
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain('\x1b[');
    expect(processesOf(project)).toEqual([]);
  });

  it('deploys template.yaml with both custom resources answered from the built bundles', () => {
    // The schedule rule is created before the custom resource; the sandbox runs it a whole period
    // after it appears, but on a slow machine a deploy can outlast that, and the schedule then
    // registers the IPs first. Either way the two ALB IPs are registered on both ports. Runs that
    // overlap (scheduled runs piling up on a busy machine, or one beside the custom resource) may
    // each register the same target, which ELB takes as a no-op: so targets are counted once.
    const created =
      /TargetGroupSync via CloudFormation Create of TargetGroupSync: SUCCESS \(AlbIpCount 2, Registered (\d+), Deregistered 0\)/.exec(
        run.stdout,
      );
    expect(created).not.toBeNull();
    const byCustomResource = Number(created?.[1]);
    const deployed = run.stdout.slice(0, run.stdout.indexOf('stack alb-static-ip-sandbox created'));
    const bySchedule = new Set(
      [...deployed.matchAll(/TargetGroupSync via rule \S+: registered ([^(]+)\(/g)].flatMap(
        (match) => (match[1] ?? '').trim().split(/\s+/),
      ),
    );
    expect(byCustomResource).toBeLessThanOrEqual(4);
    expect(bySchedule.size).toBeLessThanOrEqual(4);
    expect(byCustomResource + bySchedule.size).toBeGreaterThanOrEqual(4);
    expect(run.stdout).toMatch(
      /NlbPrivateIps via CloudFormation Create of NlbPrivateIps: SUCCESS \(PrivateIps 10\.0\.\d+\.\d+ 10\.0\.\d+\.\d+, Cidrs/,
    );
    expect(run.stdout).toMatch(/stack alb-static-ip-sandbox created: \d+ resources/);
  });

  it('lives every step of the ALB, and each converges, by the trigger that should get it there', () => {
    const table = run.stdout.slice(run.stdout.lastIndexOf('step '));
    const rows = table.split('\n').slice(2, 3 + STEPS.length);
    expect(rows.map((row) => row.split(/ {2,}/)[0])).toEqual([
      'deploy',
      ...STEPS.map((step) => step.name),
    ]);
    for (const row of rows) expect(row).not.toContain('NOT IN SYNC');
    expect(rows[0]).toMatch(/CloudFormation \(custom resource\)$/);
    // The lost event is caught by the schedule; the others by their ENI events (or the schedule,
    // when it happens to run first).
    const lost = rows[1 + STEPS.findIndex((step) => !step.eventsDelivered)];
    expect(lost).toMatch(/ 0 {2,}2 {2,}\d+\.\d s {2,}schedule$/);
    expect(run.stdout).toMatch(
      /ALB adds node [\d.]+ \(us-east-1c, a zone the NLB does not serve\)/,
    );
    expect(run.stdout).toMatch(/ALB IPs .*\(zone not served\)/);
    expect(run.stdout).toMatch(/TargetGroupSync via ENI event: registered /);
    expect(run.stdout).toMatch(/TargetGroupSync via schedule: deregistered /);
  });

  it("flags a user's lookalike of the ALB's interfaces while it exists, and never registers its IP", () => {
    const created =
      /an IAM user creates lookalike ENI (eni-\w+) ([\d.]+) \(us-east-1a\) with the ALB's description; CreateNetworkInterface event sent as the user's call/.exec(
        run.stdout,
      );
    expect(created).not.toBeNull();
    const [, eni = '', ip = ''] = created ?? [];
    expect(run.stdout).toContain(`an IAM user deletes lookalike ENI ${eni} ${ip} (us-east-1a)`);
    // The state after the lookalike's step and after the lost event flags it; after the last, gone.
    const flagged = run.stdout.split('\n').filter((line) => line.startsWith('  lookalikes '));
    expect(flagged).toEqual([
      `  lookalikes     ${eni} ${ip}  (not ELB's, never a target)`,
      `  lookalikes     ${eni} ${ip}  (not ELB's, never a target)`,
    ]);
    // Not among the ALB's IPs (4, as after the step before), and at no point a target: from its
    // creation on (no node is created after it, so its IP is no node's), no run wrote it, no state
    // showed it in a group, and the CLI's last status does not list it.
    expect(run.stdout).toMatch(/^zone not served {2,}4 .*\nlookalike ENI {2,}4 /m);
    const lines = run.stdout.slice(created?.index).split('\n');
    const written = lines.filter((line) =>
      /TargetGroupSync via .*(registered|Registered)/.test(line),
    );
    const shown = lines.filter((line) => /^ {2}(ALB IPs|group)\b/.test(line));
    const status = run.stdout.slice(run.stdout.lastIndexOf('alb-static-ip status --stack'));
    const naming = new RegExp(`(?<![\\d.])${ip.replaceAll('.', '\\.')}(?![\\d])`);
    expect(written.length).toBeGreaterThan(0);
    expect(written.filter((line) => naming.test(line))).toEqual([]);
    expect(shown.filter((line) => naming.test(line))).toEqual([]);
    expect(status).not.toMatch(naming);
  });

  it("ends with the CLI's own status of the stack (in sync, exit 0) and the runs' totals", () => {
    expect(run.stdout).toContain(
      'alb-static-ip status --stack alb-static-ip-sandbox (exit code 0):\nalb-static-ip-sandbox: in sync',
    );
    expect(run.stdout).toMatch(
      /function runs: \d+ \(2 by CloudFormation, \d+ by (ENI event|schedule), \d+ by (ENI event|schedule)\); 0 failed; \d+ cold starts; [\d.]+ kB of logs/,
    );
  });
});

describe('npm start -- --watch', () => {
  it(
    'keeps going until Ctrl-C, answers the CLI meanwhile, then reports, exits 0 and leaves nothing running',
    async () => {
      const project = projectCopy();
      const child = start(project, ['--watch', ...FAST]);
      const output = watchOutput(child);
      await output.when('npx alb-static-ip status --stack alb-static-ip-sandbox');
      const hint = /ask the CLI: (.*) npx alb-static-ip (.*)/.exec(output.stdout())?.slice(1) ?? [];
      const settings = Object.fromEntries(
        (hint[0] ?? '').split(' ').map((pair) => pair.split('=') as [string, string]),
      );
      // The built CLI, as `npx alb-static-ip` runs it, against the sandbox, while the ALB changes.
      const cli = spawnSync(
        process.execPath,
        [
          join(project, 'dist', 'cli', 'alb-static-ip.mjs'),
          ...(hint[1] ?? '').split(' '),
          '--output',
          'json',
        ],
        { env: { PATH: dirname(process.execPath), ...settings }, encoding: 'utf8' },
      );
      // (Its stderr may hold the SDK's warning about Node.js 20; never an error of its own.)
      expect(cli.stderr).not.toContain('alb-static-ip:');
      expect([0, 2, 3]).toContain(cli.status);
      const [report] = JSON.parse(cli.stdout) as {
        bridge: string;
        staticIps: string[];
        groups: unknown[];
      }[];
      expect(report?.bridge).toBe('alb-static-ip-sandbox');
      expect(report?.staticIps).toHaveLength(2);
      expect(report?.groups).toHaveLength(2);
      // A second round of the ALB's life has begun: --watch does not stop after one.
      await output.when('(round 2)');
      child.kill('SIGINT');
      const run = await output.finished;
      expect(run.stderr).not.toMatch(/^\s+at /m);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('function runs: ');
      expect(processesOf(project)).toEqual([]);
    },
    RUN_BUDGET * 2,
  );
});

describe('npm start -- --target-mode alb', () => {
  let run: Finished;
  let project = '';

  beforeAll(async () => {
    project = projectCopy();
    run = await watchOutput(start(project, [...FAST, '--target-mode', 'alb'])).finished;
  }, RUN_BUDGET);

  it('deploys the ALB into target groups of type alb with nothing that syncs, and ends in sync', () => {
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(run.code).toBe(0);
    expect(processesOf(project)).toEqual([]);
    // Only nlb-private-ips exists and runs, once, as the custom resource.
    expect(run.stdout).toMatch(
      /NlbPrivateIps via CloudFormation Create of NlbPrivateIps: SUCCESS \(PrivateIps 10\.0\.\d+\.\d+ 10\.0\.\d+\.\d+,/,
    );
    expect(run.stdout).not.toContain('TargetGroupSync via');
    expect(run.stdout).toMatch(/^ {2}functions {3}NlbPrivateIpsFunction$/m);
    expect(run.stdout).toMatch(/^ {2}rules {7}none: nothing runs on a schedule or on ENI events$/m);
    expect(run.stdout).toMatch(/^ {2}runs {8}1: \S+NlbPrivateIps\S* \(cloudformation\)$/m);
    // The CLI reads the groups: the ALB registered in each, in the ALB's VPC and account.
    expect(run.stdout).toContain(
      'alb-static-ip status --stack alb-static-ip-sandbox (exit code 0):\nalb-static-ip-sandbox: in sync',
    );
    expect(run.stdout).toMatch(/mode +alb/);
  });
});

describe('npm start when something is wrong', () => {
  it(
    'stops moto and says what failed in one line, exit code 1, when the deploy fails',
    async () => {
      const project = projectCopy();
      // A template the SAM transform refuses: a function without its required properties.
      const template = readFileSync(join(project, 'template.yaml'), 'utf8');
      writeFileSync(
        join(project, 'template.yaml'),
        template.replace(
          /^Resources:\n/m,
          'Resources:\n  Broken:\n    Type: AWS::Serverless::Function\n',
        ),
      );
      const run = await watchOutput(start(project, FAST)).finished;
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^npm start: .+/m);
      expect(run.stderr).not.toMatch(/^\s+at /m);
      expect(processesOf(project)).toEqual([]);
    },
    RUN_BUDGET,
  );

  it(
    'says which Python tools are missing and the one command that installs them',
    async () => {
      const project = projectCopy();
      const run = await watchOutput(start(project, [], { PATH: dirname(process.execPath) }))
        .finished;
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('Missing Python tools, not on PATH nor in .venv/bin:');
      expect(run.stderr).toContain('  moto_server (moto[server]==5.2.1)');
      expect(run.stderr).toContain(
        'python3 -m venv .venv && .venv/bin/pip install -r requirements.txt',
      );
      expect(run.stderr).not.toMatch(/^\s+at /m);
      expect(run.stdout).toBe('');
    },
    budgetFor({ process: 5 }),
  );

  it(
    'refuses a bad command line with the usage, exit code 64',
    async () => {
      const project = projectCopy();
      const run = await watchOutput(start(project, ['--step-seconds', '0'])).finished;
      expect(run.code).toBe(64);
      expect(run.stderr).toContain('npm start: --step-seconds: got "0"; expected seconds above 0');
      expect(run.stderr).toContain('usage: npm start');
    },
    budgetFor({ process: 5 }),
  );

  it.each([
    [['--target-mode', 'nat'], '--target-mode: got "nat"; expected ip or alb'],
    [['--target-mode', 'alb', '--watch'], '--watch follows the ALB changing'],
  ])(
    'refuses %j with the usage, exit code 64',
    async (argv, says) => {
      const project = projectCopy();
      const run = await watchOutput(start(project, argv)).finished;
      expect(run.code).toBe(64);
      expect(run.stderr).toContain(`npm start: ${says}`);
      expect(run.stderr).toContain('--target-mode alb');
    },
    budgetFor({ process: 5 }),
  );
});
