import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DeregisterTargetsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { compareIps } from '../functions/shared/ip-order.js';
import { AwsWorld } from '../test/support/aws-world.js';
import { LOAD_ENVIRONMENT } from '../test/support/bundle-import.js';
import {
  fragmentOf,
  MACRO_EXAMPLE_PARAMETERS,
  readMacroExample,
  SAMPLE_ACCOUNT,
} from '../test/support/macro-examples.js';
import { type MotoServer, startMotoServer } from '../test/support/moto-server.js';
import { check } from './stats.js';

/**
 * What the cold-start bench invokes each function with: a real-shaped event from events/ (or, for
 * the macro, an example of examples/macro/), against a moto_server holding a world made by
 * AwsWorld, and how each invocation's result is checked. A wrong result throws BenchFailure.
 */

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const eventOf = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(root, 'events', `${name}.json`), 'utf8')) as Record<string, unknown>;

/** The ALB's interfaces: a small ALB, two zones. */
const ALB_ENI_COUNT = 6;
const PORT = 443;

export interface ColdScenario {
  /** The function's directory under dist/, as esbuildFunctions names it. */
  readonly name: string;
  readonly event: unknown;
  /** Puts the world back as it was before the run (the sync's target group emptied again). */
  prepare(): Promise<void>;
  /** Throws BenchFailure unless the handler's result, and what it did, are right. */
  check(outcome: { result?: unknown; error?: string }): Promise<void>;
}

export interface ColdWorld {
  /** The environment of every function's process: the emulator's endpoint, fake credentials. */
  readonly environment: Readonly<Record<string, string>>;
  readonly scenarios: ReadonlyMap<string, ColdScenario>;
  stop(): Promise<void>;
}

/** A loopback stand-in for CloudFormation's presigned ResponseURL: keeps each PUT's JSON body. */
async function startReceiver(): Promise<{
  url: string;
  bodies: unknown[];
  stop(): Promise<void>;
}> {
  const bodies: unknown[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      try {
        bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        bodies.push(Buffer.concat(chunks).toString('utf8'));
      }
      response.writeHead(200);
      response.end();
    });
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/cloudformation-response?X-Amz-Signature=cold`,
    bodies,
    stop: () =>
      new Promise<void>((done, fail) => {
        server.closeAllConnections();
        server.close((error) => (error ? fail(error) : done()));
      }),
  };
}

const sameList = (actual: readonly unknown[] | undefined, expected: readonly string[]) =>
  JSON.stringify(actual) === JSON.stringify(expected);

/** Starts moto_server and the receiver, builds the world; stops what it started if that fails. */
export async function startColdWorld(): Promise<ColdWorld> {
  let moto: MotoServer | undefined;
  let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;
  // The world's own clients, in this process, read the same fake credentials and region.
  process.env.AWS_REGION ||= 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID ||= 'testing';
  process.env.AWS_SECRET_ACCESS_KEY ||= 'testing';
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  try {
    moto = await startMotoServer();
    receiver = await startReceiver();
    const world = new AwsWorld(moto.endpoint);
    const { vpcId, subnetIds } = await world.network('10.1');
    const albArn = await world.loadBalancer('cold-alb', 'application', subnetIds);
    const nlbArn = await world.loadBalancer('cold-nlb', 'network', subnetIds);
    const albIps = (await world.loadBalancerEnis(albArn, subnetIds, ALB_ENI_COUNT))
      .map((eni) => eni.ip)
      .sort(compareIps);
    const nlbIps = (await world.loadBalancerEnis(nlbArn, subnetIds, subnetIds.length))
      .map((eni) => eni.ip)
      .sort(compareIps);
    const targetGroupArn = await world.targetGroup('cold-tg-443', vpcId, PORT);
    await world.listener(nlbArn, PORT, targetGroupArn);
    const scenarios = [
      syncScenario(world, albArn, albIps, targetGroupArn),
      privateIpsScenario(receiver, nlbArn, nlbIps),
      macroScenario(),
    ];
    const started = { moto, receiver };
    return {
      environment: {
        ...LOAD_ENVIRONMENT,
        // The SDK takes its endpoint from AWS_ENDPOINT_URL, as in the tests; credentials from the
        // environment, as in Lambda.
        // https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html
        AWS_ENDPOINT_URL: moto.endpoint,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'testing',
        AWS_SECRET_ACCESS_KEY: 'testing',
        AWS_EC2_METADATA_DISABLED: 'true',
        POWERTOOLS_METRICS_NAMESPACE: 'AlbStaticIp',
        AWS_LAMBDA_FUNCTION_NAME: 'cold-start-bench',
      },
      scenarios: new Map(scenarios.map((scenario) => [scenario.name, scenario])),
      stop: async () => {
        world.ec2.destroy();
        world.elbv2.destroy();
        await started.receiver.stop();
        await started.moto.stop();
      },
    };
  } catch (error) {
    await receiver?.stop().catch(() => undefined);
    await moto?.stop().catch(() => undefined);
    throw error;
  }
}

/** A scheduled sync: the ALB's IPs registered into an emptied target group. */
function syncScenario(
  world: AwsWorld,
  albArn: string,
  albIps: readonly string[],
  targetGroupArn: string,
): ColdScenario {
  const expectedTargets = albIps.map((ip) => `${ip}:${PORT}`).sort();
  return {
    name: 'target-group-sync',
    event: {
      ...eventOf('scheduled-sync'),
      LoadBalancerArn: albArn,
      TargetGroupArns: [targetGroupArn],
    },
    async prepare() {
      const targets = await world.targets(targetGroupArn);
      if (targets.length === 0) return;
      await world.elbv2.send(
        new DeregisterTargetsCommand({
          TargetGroupArn: targetGroupArn,
          Targets: targets.map((target) => ({ Id: target.split(':')[0], Port: PORT })),
        }),
      );
    },
    async check({ result, error }) {
      check(error === undefined, `target-group-sync threw: ${error}`);
      const summary = result as { albIps?: unknown[] } | undefined;
      check(
        sameList(summary?.albIps, albIps),
        `target-group-sync: albIps ${JSON.stringify(summary?.albIps)}, expected ${JSON.stringify(albIps)}`,
      );
      const targets = await world.targets(targetGroupArn);
      check(
        sameList(targets, expectedTargets),
        `target-group-sync: the group's targets are ${JSON.stringify(targets)}, expected ${JSON.stringify(expectedTargets)}`,
      );
    },
  };
}

/** A custom-resource Create: SUCCESS with the NLB's private IPs, PUT to the loopback receiver. */
function privateIpsScenario(
  receiver: Awaited<ReturnType<typeof startReceiver>>,
  nlbArn: string,
  nlbIps: readonly string[],
): ColdScenario {
  const request = eventOf('nlb-private-ips-create');
  return {
    name: 'nlb-private-ips',
    event: {
      ...request,
      ResponseURL: receiver.url,
      ResourceProperties: {
        ...(request.ResourceProperties as Record<string, unknown>),
        LoadBalancerArn: nlbArn,
      },
    },
    async prepare() {
      receiver.bodies.length = 0;
    },
    async check({ error }) {
      check(error === undefined, `nlb-private-ips threw: ${error}`);
      check(
        receiver.bodies.length === 1,
        `nlb-private-ips: the ResponseURL got ${receiver.bodies.length} answers, expected 1`,
      );
      const answer = receiver.bodies[0] as {
        Status?: string;
        Reason?: string;
        Data?: { PrivateIps?: unknown[] };
      };
      check(
        answer.Status === 'SUCCESS',
        `nlb-private-ips: Status ${answer.Status} (${answer.Reason}), expected SUCCESS`,
      );
      check(
        sameList(answer.Data?.PrivateIps, nlbIps),
        `nlb-private-ips: Data.PrivateIps ${JSON.stringify(answer.Data?.PrivateIps)}, expected ${JSON.stringify(nlbIps)}`,
      );
    },
  };
}

/** The macro expanding examples/macro/one-bridge.yaml, as CloudFormation sends it. */
function macroScenario(): ColdScenario {
  const example = 'one-bridge';
  const parameters = MACRO_EXAMPLE_PARAMETERS[example]?.(SAMPLE_ACCOUNT) ?? {};
  // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/template-macros-author.html
  const event = {
    region: 'us-east-1',
    accountId: '123456789012',
    fragment: fragmentOf(readMacroExample(example)),
    transformId: '123456789012::AlbStaticIp',
    params: {},
    requestId: 'c01d-macro',
    templateParameterValues: parameters,
  };
  return {
    name: 'bridge-macro',
    event,
    async prepare() {},
    async check({ result, error }) {
      check(error === undefined, `bridge-macro threw: ${error}`);
      const answer = result as
        | { requestId?: string; status?: string; errorMessage?: string; fragment?: unknown }
        | undefined;
      check(
        answer?.status === 'success' && answer.requestId === event.requestId,
        `bridge-macro: status ${answer?.status} (${answer?.errorMessage}) for ${answer?.requestId}, expected success for ${event.requestId}`,
      );
      const text = JSON.stringify(answer.fragment);
      check(
        text.includes(LOAD_ENVIRONMENT.SYNC_FUNCTION_ARN ?? '?') &&
          !text.includes('AlbStaticIp::Bridge'),
        'bridge-macro: the fragment is not expanded (no ServiceToken of the sync, or a bridge left)',
      );
    },
  };
}
