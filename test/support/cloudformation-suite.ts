import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
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
  /** The value of a stack's output, or '' when it has none by that key. */
  output(stackName: string, key: string): Promise<string>;
}

/**
 * One TargetMode ip bridge's resources as a stack has them, in template.yaml's shape or the
 * macro's: its IP target group (`<prefix>TargetGroup1`, in the parameter `Vpc`) and its schedule
 * rule, whose input is the sync's binding for the ALB of the parameter `albParameter`.
 */
export function ipBridgeResources(prefix: string, rule: string, albParameter: string) {
  return {
    [`${prefix}TargetGroup1`]: {
      Type: 'AWS::ElasticLoadBalancingV2::TargetGroup',
      Properties: { TargetType: 'ip', Protocol: 'TCP', Port: 443, VpcId: { Ref: 'Vpc' } },
    },
    [rule]: {
      Type: 'AWS::Events::Rule',
      Properties: {
        ScheduleExpression: 'rate(1 minute)',
        State: 'ENABLED',
        Targets: [
          {
            Id: 'target-group-sync',
            Arn: 'arn:aws:lambda:us-east-1:123456789012:function:pack-TargetGroupSync',
            Input: {
              'Fn::Sub': `{"LoadBalancerArn":"\${${albParameter}}","TargetGroupArns":["\${${prefix}TargetGroup1}"],"DryRun":false}`,
            },
          },
        ],
      },
    },
  };
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
    async output(stackName: string, key: string) {
      const described = await suite.cloudFormation.send(
        new DescribeStacksCommand({ StackName: stackName }),
      );
      const outputs = described.Stacks?.[0]?.Outputs ?? [];
      return outputs.find((output) => output.OutputKey === key)?.OutputValue ?? '';
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
