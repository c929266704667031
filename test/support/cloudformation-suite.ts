import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { AwsWorld } from './aws-world.js';
import { type MotoServer, startMotoServer } from './moto-server.js';
import { budgetFor } from './work-budget.js';

/**
 * What a test file of stacks in moto's CloudFormation runs against: moto on a free loopback port,
 * the world's helpers and a CloudFormation client pointed at it. With `sdkDefaults`, the SDK's
 * default configuration points at it too (AWS_ENDPOINT_URL), as the CLI's clients need, and each
 * test starts from an empty emulator.
 */
export interface CloudFormationSuite {
  moto: MotoServer;
  world: AwsWorld;
  cloudFormation: CloudFormationClient;
  /** Creates a stack of `template` with these parameters; moto creates it before it answers. */
  createStack(name: string, template: object, parameters?: Record<string, string>): Promise<void>;
}

/** Registers the file's hooks; the returned object is filled in before the first test. */
export function cloudFormationSuite(options: { sdkDefaults: boolean }): CloudFormationSuite {
  const suite = {
    async createStack(name: string, template: object, parameters: Record<string, string> = {}) {
      await suite.cloudFormation.send(
        new CreateStackCommand({
          StackName: name,
          TemplateBody: JSON.stringify(template),
          Parameters: Object.entries(parameters).map(([ParameterKey, ParameterValue]) => ({
            ParameterKey,
            ParameterValue,
          })),
        }),
      );
    },
  } as CloudFormationSuite;
  beforeAll(
    async () => {
      suite.moto = await startMotoServer();
      suite.world = new AwsWorld(suite.moto.endpoint);
      suite.cloudFormation = new CloudFormationClient({ endpoint: suite.moto.endpoint });
      if (options.sdkDefaults) process.env.AWS_ENDPOINT_URL = suite.moto.endpoint;
    },
    budgetFor({ motoStart: 1 }),
  );
  afterAll(
    async () => {
      if (options.sdkDefaults) delete process.env.AWS_ENDPOINT_URL;
      suite.cloudFormation?.destroy();
      await suite.moto?.stop();
    },
    budgetFor({ motoStop: 1 }),
  );
  if (options.sdkDefaults) {
    beforeEach(async () => {
      await suite.moto.reset();
    });
  }
  return suite;
}
