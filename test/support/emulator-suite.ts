import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { AwsWorld } from './aws-world.js';
import { type EventName, loadEvent } from './events.js';
import { lambdaContext } from './lambda-context.js';
import { type MotoServer, startMotoServer } from './moto-server.js';
import { type RecordingProxy, startRecordingProxy } from './recording-proxy.js';
import { type ResponseReceiver, startResponseReceiver } from './response-receiver.js';
import { budgetFor } from './work-budget.js';

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

/**
 * What an integration test file runs against: moto on a free loopback port, the recording proxy in
 * front of it, a receiver standing in for CloudFormation's response URL, and the function's real
 * entry point. The function's SDK clients have default configuration: AWS_ENDPOINT_URL alone
 * points them at the proxy. Each test starts from an empty emulator.
 */
export interface EmulatorSuite {
  moto: MotoServer;
  proxy: RecordingProxy;
  receiver: ResponseReceiver;
  world: AwsWorld;
  handler: Handler;
}

const QUIET = { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' };

/** Registers the file's hooks; the returned object is filled in before the first test. */
export function emulatorSuite(load: () => Promise<{ handler: unknown }>): EmulatorSuite {
  const suite = {} as EmulatorSuite;
  beforeAll(
    async () => {
      suite.moto = await startMotoServer();
      suite.proxy = await startRecordingProxy(suite.moto.endpoint);
      suite.receiver = await startResponseReceiver();
      suite.world = new AwsWorld(suite.moto.endpoint);
      Object.assign(process.env, { AWS_ENDPOINT_URL: suite.proxy.endpoint, ...QUIET });
      suite.handler = (await load()).handler as Handler;
    },
    budgetFor({ motoStart: 1, bundleImport: 1 }),
  );
  afterAll(
    async () => {
      for (const key of ['AWS_ENDPOINT_URL', ...Object.keys(QUIET)]) delete process.env[key];
      await suite.receiver?.stop();
      await suite.proxy?.stop();
      await suite.moto?.stop();
    },
    budgetFor({ motoStop: 1 }),
  );
  beforeEach(async () => {
    await suite.moto.reset();
    suite.proxy.inject(undefined);
    suite.proxy.clear();
    suite.receiver.reset();
  });
  return suite;
}

/** CloudFormation's view of a custom resource's answer. */
export interface CustomResourceAnswer {
  Status: string;
  Reason?: string;
  PhysicalResourceId: string;
  Data?: Record<string, unknown>;
}

/**
 * Sends a sample custom-resource request with these properties (and, for an Update, old
 * properties) to the suite's function; returns the answer the receiver got.
 */
export async function sendRequest(
  suite: EmulatorSuite,
  name: EventName,
  properties: Record<string, unknown>,
  extra: {
    PhysicalResourceId?: string;
    OldResourceProperties?: Record<string, unknown>;
    /** Another stack's id, or another logical id, for a second resource bound to the same things. */
    StackId?: string;
    LogicalResourceId?: string;
    /** The time the function has left, as Lambda would say (60 s by default). */
    remainingMs?: number;
  } = {},
): Promise<CustomResourceAnswer> {
  const sample = loadEvent(name);
  const withToken = (props: Record<string, unknown>) => ({
    ServiceToken: sample.ServiceToken,
    ...props,
  });
  await suite.handler(
    {
      ...sample,
      ResponseURL: suite.receiver.url,
      ResourceProperties: withToken(properties),
      ...(extra.PhysicalResourceId ? { PhysicalResourceId: extra.PhysicalResourceId } : {}),
      ...(extra.StackId ? { StackId: extra.StackId } : {}),
      ...(extra.LogicalResourceId ? { LogicalResourceId: extra.LogicalResourceId } : {}),
      ...(extra.OldResourceProperties
        ? { OldResourceProperties: withToken(extra.OldResourceProperties) }
        : {}),
    },
    lambdaContext(extra.remainingMs),
  );
  const answer = suite.receiver.received.at(-1);
  expect(answer).toBeDefined();
  return answer?.json as unknown as CustomResourceAnswer;
}
