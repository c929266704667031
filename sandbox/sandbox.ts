import { join } from 'node:path';
import { CloudFormationClient, type StackResourceSummary } from '@aws-sdk/client-cloudformation';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { runCaptured } from '../cli/main.js';
import type { BridgeReport } from '../cli/report.js';
import { Alb, type AlbChange } from './alb.js';
import {
  createStack,
  createWorld,
  packageTemplate,
  REGION,
  ROOT,
  STACK_NAME,
  samTransform,
  stackParameters,
  ZONES,
} from './deploy.js';
import { type Invocation, startLambdaService } from './lambda-service.js';
import { type MotoProcess, startMoto } from './processes.js';
import {
  converged,
  describeChange,
  describeInvocation,
  distinctWrites,
  elapsed,
  type RuleLabels,
  type StepRecord,
  statePanel,
  summaryTable,
  type Totals,
  triggerOf,
  writesOf,
} from './view.js';

// `npm start`: the bridge at work on moto, with no AWS account. It deploys template.yaml into a
// world like a user's (sandbox/deploy.ts), then lives the ALB's life (sandbox/alb.ts) one step at
// a time, while the sync runs as it would in AWS: on each ENI event the stack's rule matches, on
// its schedule (played faster), and once at deploy time as a custom resource. Each step waits
// until the target groups hold the ALB's IPs again, and the view says which trigger got them
// there and how long it took. README, "See it work: npm start", says what is emulated and how.

/** One step of the ALB's life. */
export interface Step {
  readonly name: string;
  readonly changes: readonly AlbChange[];
  /** Whether the changes' CloudTrail events reach EventBridge (false: a lost event). */
  readonly eventsDelivered: boolean;
}

const [ZONE_A, ZONE_B, ZONE_C] = ZONES;

/** The ALB starts with a node in each of zones a and b; each round of steps ends there again. */
export const STEPS: readonly Step[] = [
  { name: 'scale out', changes: [{ kind: 'add', zone: ZONE_A }], eventsDelivered: true },
  { name: 'scale out', changes: [{ kind: 'add', zone: ZONE_B }], eventsDelivered: true },
  { name: 'scale in', changes: [{ kind: 'remove', zone: ZONE_A }], eventsDelivered: true },
  {
    name: 'node replacement',
    changes: [
      { kind: 'add', zone: ZONE_B },
      { kind: 'remove', zone: ZONE_B },
    ],
    eventsDelivered: true,
  },
  { name: 'zone not served', changes: [{ kind: 'add', zone: ZONE_C }], eventsDelivered: true },
  // A user's interface with the ALB's description, in a zone the NLB serves: the groups stay as
  // they are, and the view flags it. It stays through the lost event, whose scheduled runs meet it.
  {
    name: 'lookalike ENI',
    changes: [{ kind: 'add lookalike', zone: ZONE_A }],
    eventsDelivered: true,
  },
  { name: 'lost event', changes: [{ kind: 'remove', zone: ZONE_B }], eventsDelivered: false },
  {
    name: 'scale in, lookalike deleted',
    changes: [
      { kind: 'remove', zone: ZONE_C },
      { kind: 'remove lookalike', zone: ZONE_A },
    ],
    eventsDelivered: true,
  },
];

export interface SandboxOptions {
  /** Keep going, round after round, until `signal` aborts. */
  readonly watch: boolean;
  /**
   * The stack's TargetMode. alb: target groups of type alb hold the ALB itself and nothing runs, so
   * there is no life of the ALB to follow: the sandbox deploys, shows what the stack has and what
   * the CLI says, and ends.
   */
  readonly targetMode: 'ip' | 'alb';
  /** A step lasts at least this long, so that people can follow it. */
  readonly stepMs: number;
  /** How often the schedule rule fires (in AWS, its rate; here, faster). */
  readonly scheduleMs: number;
  /** A terminal: the state is redrawn in place. Otherwise plain lines. */
  readonly interactive: boolean;
  /** The terminal's width: longer lines are cut, so that a redraw moves up the lines it drew. */
  readonly columns?: number;
  readonly write: (text: string) => void;
  /** Aborted by Ctrl-C: the run stops, tidies up and reports. */
  readonly signal: AbortSignal;
  /** Where the work files go: the packaged template, the functions' logs. */
  readonly workDirectory: string;
}

/** The credentials and Region of everything the sandbox runs: made up, for moto. */
const SANDBOX_AWS = {
  AWS_REGION: REGION,
  AWS_DEFAULT_REGION: REGION,
  AWS_ACCESS_KEY_ID: 'sandbox',
  AWS_SECRET_ACCESS_KEY: 'sandbox',
} as const;

/** How long moto may take to start, and to stop after SIGTERM. */
const MOTO_READY_MS = 60_000;
const MOTO_STOP_GRACE_MS = 5_000;
/** The deploy waits for both custom resources: each runs within its function's Timeout. */
const DEPLOY_BUDGET_MS = 180_000;
/** How often the state is read while a step waits for the groups to match the ALB. */
const POLL_MS = 250;

/** Runs the sandbox; resolves with the exit code. Throws on what it cannot recover from. */
export async function runSandbox(options: SandboxOptions): Promise<number> {
  const started = Date.now();
  const view = new View(options, started);
  let moto: MotoProcess | undefined;
  const invocations: Invocation[] = [];
  const invocationListeners: ((invocation: Invocation) => void)[] = [];
  let bundleByKey: ReadonlyMap<string, string> = new Map();
  let ruleLabels: RuleLabels = new Map();

  // Whatever ends this process (an uncaught error included), moto does not outlive it.
  const killMoto = () => moto?.child.kill('SIGKILL');
  Object.assign(process.env, SANDBOX_AWS);
  delete process.env.AWS_PROFILE;
  const service = await startLambdaService({
    bundleFor: (code) => bundleByKey.get(code.S3Key ?? ''),
    environment: SANDBOX_AWS,
    motoEndpoint: () => moto?.endpoint ?? '',
    logDirectory: join(options.workDirectory, 'logs'),
    onInvocation: (invocation) => {
      invocations.push(invocation);
      view.event(describeInvocation(invocation, ruleLabels));
      for (const listener of invocationListeners) listener(invocation);
    },
  });
  try {
    view.event('starting moto (the AWS emulator) with the sandbox as its Lambda service');
    moto = await startMoto({
      command: ['python3', join(ROOT, 'sandbox', 'moto_sandbox.py')],
      after: [`${service.url}/invoke`, String(options.scheduleMs / 1000)],
      readyTimeoutMs: MOTO_READY_MS,
      stopGraceMs: MOTO_STOP_GRACE_MS,
    });
    process.once('exit', killMoto);
    const motoDied = new Promise<never>((_, reject) => {
      moto?.child.once('exit', (code, signal) => {
        reject(new Error(`moto exited (${signal ?? `code ${code}`}) while the sandbox used it`));
      });
    });
    motoDied.catch(() => {});
    process.env.AWS_ENDPOINT_URL = moto.endpoint;
    const ec2 = new EC2Client({});
    const elbv2 = new ElasticLoadBalancingV2Client({});
    const events = new EventBridgeClient({});
    const cloudFormation = new CloudFormationClient({});
    const race = <T>(work: Promise<T>) => Promise.race([work, motoDied]);

    // The deploy: the user's world, then template.yaml as `sam deploy` would create it.
    const world = await race(createWorld(ec2, elbv2));
    view.event(`the user's VPC (zones ${ZONES.join(', ')}) and ALB ${world.albArn.split('/')[2]}`);
    const packaged = await race(packageTemplate({ ...process.env }, options.workDirectory));
    bundleByKey = packaged.bundleByKey;
    view.event(`npm run package: ${packaged.bundleByKey.size} bundles uploaded to moto's S3`);
    const parameters = stackParameters(world, options.targetMode);
    const template = await race(samTransform(packaged.template, parameters));
    view.event(`creating stack ${STACK_NAME} from template.yaml (SAM transform done)`);
    const deployStarted = Date.now();
    const resources = await race(
      createStack(cloudFormation, template, parameters, Date.now() + DEPLOY_BUDGET_MS),
    );
    if (options.targetMode === 'alb') {
      view.event(`stack ${STACK_NAME} created: ${resources.length} resources`);
      return await race(endAlbMode(resources, invocations, view));
    }
    const alb = new Alb(world, ec2, events);
    const nlbZones = ZONES.slice(0, 2);
    const report = () => race(readReport());
    let state = await report();
    view.event(`stack ${STACK_NAME} created: ${resources.length} resources`);
    view.setState(state);
    const deployWrites = invocations
      .filter((invocation) => invocation.source === 'cloudformation')
      .map((invocation) => invocation.result as { Data?: { Registered?: number } });
    const steps: StepRecord[] = [
      {
        name: 'deploy',
        albIps: state.albIps.length,
        registered: deployWrites.reduce((sum, answer) => sum + (answer.Data?.Registered ?? 0), 0),
        deregistered: 0,
        ...(converged(state) && {
          convergedMs: Date.now() - deployStarted,
          by: 'CloudFormation (custom resource)',
        }),
      },
    ];

    // What the rules are, for the view: moto names a rule after its stack and logical id.
    ruleLabels = new Map(
      resources
        .filter((resource) => resource.ResourceType === 'AWS::Events::Rule')
        .map((resource) => [
          resource.PhysicalResourceId ?? '',
          resource.LogicalResourceId === 'SyncScheduleRule' ? 'schedule' : 'ENI event',
        ]),
    );
    if (options.watch) {
      view.event(
        `ask the CLI: AWS_ENDPOINT_URL=${moto.endpoint} AWS_REGION=${REGION} AWS_ACCESS_KEY_ID=sandbox AWS_SECRET_ACCESS_KEY=sandbox npx alb-static-ip status --stack ${STACK_NAME}`,
      );
    }

    {
      let round = 0;
      do {
        for (const step of STEPS) {
          if (options.signal.aborted) break;
          const stepStarted = Date.now();
          const results: unknown[] = [];
          let by: string | undefined;
          const listener = (invocation: Invocation) => {
            if (invocation.source === 'cloudformation' || invocation.errored) return;
            results.push(invocation.result);
            const { registered, deregistered } = writesOf(invocation.result);
            if (registered.length + deregistered.length > 0) by = triggerOf(invocation, ruleLabels);
          };
          invocationListeners.push(listener);
          const name = round > 0 ? `${step.name} (round ${round + 1})` : step.name;
          view.event(`step: ${name}`);
          for (const change of step.changes) {
            view.event(
              describeChange(await race(alb.apply(change, step.eventsDelivered)), nlbZones),
            );
          }
          let convergedMs: number | undefined;
          // A step ends once the groups match the ALB and stepMs has passed; it gives up after
          // two schedule periods more than that (the lost event's catch-up) and the runs' time.
          const giveUp =
            stepStarted + options.stepMs + 2 * options.scheduleMs + DEPLOY_BUDGET_MS / 3;
          while (!options.signal.aborted) {
            state = await report();
            view.setState(state);
            if (convergedMs === undefined && converged(state))
              convergedMs = Date.now() - stepStarted;
            if (convergedMs !== undefined && Date.now() - stepStarted >= options.stepMs) break;
            if (Date.now() > giveUp) break;
            await sleep(POLL_MS, options.signal);
          }
          invocationListeners.splice(invocationListeners.indexOf(listener), 1);
          steps.push({
            name,
            albIps: state.albIps.length,
            ...distinctWrites(results),
            ...(convergedMs !== undefined && { convergedMs, by: by ?? 'no write needed' }),
          });
          view.stepDone(state);
          if (convergedMs === undefined && !options.signal.aborted) break;
        }
        round += 1;
      } while (options.watch && !options.signal.aborted);
    }

    // The CLI's own answer about the stack, as an operator would ask it.
    const status = await race(runCaptured(['status', '--stack', STACK_NAME]));
    const totals = totalsOf(invocations, ruleLabels);
    view.finish([
      '',
      `alb-static-ip status --stack ${STACK_NAME} (exit code ${status.code}):`,
      (status.stdout + status.stderr).trimEnd(),
      '',
      ...summaryTable(steps, totals),
      `the functions' logs: ${join(options.workDirectory, 'logs')}`,
    ]);
    const allConverged = steps.every((step) => step.convergedMs !== undefined);
    if (options.signal.aborted) return options.watch ? 0 : 130;
    return allConverged && status.code === 0 && totals.failedRuns === 0 ? 0 : 1;
  } finally {
    await service.stop();
    await moto?.stop();
    process.off('exit', killMoto);
    delete process.env.AWS_ENDPOINT_URL;
  }
}

/**
 * TargetMode alb: what the stack has (its functions and rules: only nlb-private-ips, no rule), what
 * ran (its custom resource, once), and the CLI's status. 0 when nothing of the sync exists or ran
 * and the CLI finds the stack in sync.
 */
async function endAlbMode(
  resources: readonly StackResourceSummary[],
  invocations: readonly Invocation[],
  view: View,
): Promise<number> {
  const ofType = (type: string) =>
    resources
      .filter((resource) => resource.ResourceType === type)
      .map((resource) => resource.LogicalResourceId ?? '');
  const functions = ofType('AWS::Lambda::Function');
  const rules = ofType('AWS::Events::Rule');
  const runs = invocations.map((invocation) => `${invocation.functionName} (${invocation.source})`);
  const status = await runCaptured(['status', '--stack', STACK_NAME]);
  view.finish([
    '',
    `TargetMode alb: the target groups hold the ALB itself, which AWS keeps registered`,
    `  functions   ${functions.join(', ') || '-'}`,
    `  rules       ${rules.join(', ') || 'none: nothing runs on a schedule or on ENI events'}`,
    `  runs        ${runs.length}: ${runs.join(', ') || '-'}`,
    '',
    `alb-static-ip status --stack ${STACK_NAME} (exit code ${status.code}):`,
    (status.stdout + status.stderr).trimEnd(),
  ]);
  const syncExists = functions.some((id) => id.startsWith('TargetGroupSync')) || rules.length > 0;
  const failed = invocations.some((invocation) => invocation.errored);
  return !syncExists && !failed && status.code === 0 ? 0 : 1;
}

/** The CLI's JSON report of the sandbox's stack: its one bridge. */
async function readReport(): Promise<BridgeReport> {
  const { code, stdout, stderr } = await runCaptured([
    'status',
    '--stack',
    STACK_NAME,
    '--output',
    'json',
  ]);
  const reports = code === 1 ? [] : (JSON.parse(stdout) as BridgeReport[]);
  const report = reports[0];
  if (report === undefined) throw new Error(`alb-static-ip status failed: ${stderr.trim()}`);
  return report;
}

function totalsOf(invocations: readonly Invocation[], ruleLabels: RuleLabels): Totals {
  const byTrigger: Record<string, number> = {};
  for (const invocation of invocations) {
    const trigger =
      invocation.source === 'cloudformation' ? 'CloudFormation' : triggerOf(invocation, ruleLabels);
    byTrigger[trigger] = (byTrigger[trigger] ?? 0) + 1;
  }
  return {
    runs: invocations.length,
    failedRuns: invocations.filter((invocation) => invocation.errored).length,
    coldStarts: invocations.filter((invocation) => invocation.coldStart).length,
    logBytes: invocations.reduce((sum, invocation) => sum + invocation.logBytes, 0),
    byTrigger,
  };
}

async function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** The live view: event lines, and the state (redrawn in place on a terminal). */
class View {
  private readonly recent: string[] = [];
  private state: string[] = [];
  private drawn = 0;

  constructor(
    private readonly options: Pick<SandboxOptions, 'interactive' | 'write' | 'columns'>,
    private readonly started: number,
  ) {}

  event(text: string): void {
    const line = `${elapsed(Date.now() - this.started)}  ${text}`;
    if (!this.options.interactive) {
      this.options.write(`${line}\n`);
      return;
    }
    this.recent.push(line);
    this.recent.splice(0, this.recent.length - RECENT_LINES);
    this.redraw();
  }

  setState(report: BridgeReport): void {
    this.state = statePanel(report);
    if (this.options.interactive) this.redraw();
  }

  /** After a step: a plain run gets the state written once. */
  stepDone(report: BridgeReport): void {
    if (!this.options.interactive) this.options.write(`${statePanel(report).join('\n')}\n`);
  }

  finish(lines: readonly string[]): void {
    if (this.options.interactive) this.redraw();
    this.drawn = 0;
    this.options.write(`${lines.join('\n')}\n`);
  }

  private redraw(): void {
    const width = (this.options.columns ?? 80) - 1;
    const lines = [...this.recent, '', ...this.state].map((line) =>
      line.length > width ? `${line.slice(0, width - 1)}…` : line,
    );
    const up = this.drawn > 0 ? `\x1b[${this.drawn}F\x1b[J` : '';
    this.options.write(`${up}${lines.join('\n')}\n`);
    this.drawn = lines.length;
  }
}

/** How many event lines a terminal keeps above the state. */
const RECENT_LINES = 12;
