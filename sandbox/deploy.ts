import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import {
  type CloudFormationClient,
  CreateStackCommand,
  DescribeStacksCommand,
  ListStackResourcesCommand,
  type StackResourceSummary,
} from '@aws-sdk/client-cloudformation';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import {
  CreateLoadBalancerCommand,
  type ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { readTemplate } from '../scripts/cloudformation-yaml.mjs';

// How the sandbox makes the world a deployment meets, and deploys template.yaml into it, as a user
// would with `sam build && sam deploy`: the user's own VPC and ALB first (made with the SDK: they
// are not ours), then `npm run package` (the bundles zipped and uploaded to an S3 bucket in moto,
// the template rewritten to point at them, as `sam package` does), the AWS::Serverless transform
// (the SAM translator, as CloudFormation runs it), and a stack in moto's CloudFormation.

const execFileAsync = promisify(execFile);
export const ROOT = resolve(import.meta.dirname, '..');

export const REGION = 'us-east-1';
export const STACK_NAME = 'alb-static-ip-sandbox';
const ARTIFACTS_BUCKET = 'alb-static-ip-sandbox-artifacts';

/** The user's VPC: three zones, a subnet in each; the ALB starts in the first two. */
export const ZONES = ['us-east-1a', 'us-east-1b', 'us-east-1c'] as const;

export interface Subnet {
  readonly id: string;
  readonly zone: string;
  readonly cidr: string;
}

export interface World {
  readonly vpcId: string;
  readonly subnets: readonly Subnet[];
  readonly albArn: string;
  readonly albSecurityGroupId: string;
}

/** What the user has before installing the bridge: a VPC, three subnets, an ALB in two of them. */
export async function createWorld(
  ec2: EC2Client,
  elbv2: ElasticLoadBalancingV2Client,
): Promise<World> {
  const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }));
  const vpcId = vpc.Vpc?.VpcId ?? '';
  const subnets = await Promise.all(
    ZONES.map(async (zone, index) => {
      const cidr = `10.0.${index * 16}.0/20`;
      const made = await ec2.send(
        new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: cidr, AvailabilityZone: zone }),
      );
      return { id: made.Subnet?.SubnetId ?? '', zone, cidr };
    }),
  );
  const group = await ec2.send(
    new CreateSecurityGroupCommand({
      GroupName: 'sandbox-alb',
      Description: 'The ALB of the sandbox',
      VpcId: vpcId,
    }),
  );
  const albSecurityGroupId = group.GroupId ?? '';
  await ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: albSecurityGroupId,
      IpPermissions: [
        { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '10.0.0.0/16' }] },
      ],
    }),
  );
  const alb = await elbv2.send(
    new CreateLoadBalancerCommand({
      Name: 'sandbox-alb',
      Type: 'application',
      Scheme: 'internal',
      Subnets: subnets.slice(0, 2).map((subnet) => subnet.id),
      SecurityGroups: [albSecurityGroupId],
    }),
  );
  return {
    vpcId,
    subnets,
    albArn: alb.LoadBalancers?.[0]?.LoadBalancerArn ?? '',
    albSecurityGroupId,
  };
}

/**
 * The stack's parameters: a bridge for the ALB, with an NLB in the ALB's first two zones. In
 * TargetMode alb, every group checks the ALB through its HTTPS listener on 443.
 */
export function stackParameters(
  world: World,
  targetMode: 'ip' | 'alb' = 'ip',
): Record<string, string> {
  return {
    ...(targetMode === 'alb' && { TargetMode: 'alb', AlbHealthCheckPort: '443' }),
    LoadBalancerArn: world.albArn,
    AlbSecurityGroupId: world.albSecurityGroupId,
    VpcId: world.vpcId,
    SubnetIds: world.subnets
      .slice(0, 2)
      .map((subnet) => subnet.id)
      .join(','),
    Scheme: 'internet-facing',
    ListenerPorts: '80,443',
    ReactToEniEvents: 'true',
    // moto has no model of AWS::ApiGateway::VpcLink (README, "What the sandbox emulates").
    CreateVpcLink: 'false',
  };
}

export interface Packaged {
  /** The SAM template with s3:// code locations. */
  readonly template: string;
  /** Each uploaded code object's key, and the bundle file it holds. */
  readonly bundleByKey: ReadonlyMap<string, string>;
}

/** `npm run package` into the sandbox's S3: the bundles zipped and uploaded, the template rewritten. */
export async function packageTemplate(
  environment: NodeJS.ProcessEnv,
  workDirectory: string,
): Promise<Packaged> {
  // The artifacts bucket, in moto's S3 (which takes an unsigned CreateBucket: a PUT of its path).
  const made = await fetch(`${environment.AWS_ENDPOINT_URL}/${ARTIFACTS_BUCKET}`, {
    method: 'PUT',
  });
  if (!made.ok) throw new Error(`cannot create the artifacts bucket: HTTP ${made.status}`);
  mkdirSync(workDirectory, { recursive: true });
  const output = join(workDirectory, 'packaged.yaml');
  await run(
    'npm run package',
    process.execPath,
    [
      join(ROOT, 'scripts', 'package.mjs'),
      '--s3-bucket',
      ARTIFACTS_BUCKET,
      '--endpoint-url',
      environment.AWS_ENDPOINT_URL ?? '',
      '--output-template-file',
      output,
    ],
    environment,
  );
  const built = readTemplate(join(ROOT, 'dist', 'template.yaml')) as SamTemplate;
  const packaged = readTemplate(output) as SamTemplate;
  const bundleByKey = new Map<string, string>();
  for (const [logicalId, resource] of Object.entries(packaged.Resources)) {
    if (resource.Type !== 'AWS::Serverless::Function') continue;
    const key = String(resource.Properties?.CodeUri ?? '').replace(/^s3:\/\/[^/]+\//, '');
    const directory = String(built.Resources[logicalId]?.Properties?.CodeUri ?? '');
    bundleByKey.set(key, join(ROOT, 'dist', directory, 'index.mjs'));
  }
  return { template: output, bundleByKey };
}

/** Runs a command of the deploy; its failure says what the command printed, not a stack trace. */
async function run(
  what: string,
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<string> {
  try {
    const { stdout } = await execFileAsync(command, args, {
      cwd: ROOT,
      env,
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    const { stderr } = error as { stderr?: string };
    throw new Error(`${what} failed: ${stderr?.trim() || String(error)}`);
  }
}

interface SamTemplate {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
}

/** The AWS::Serverless transform of the packaged template, by the SAM translator. */
export async function samTransform(
  template: string,
  parameters: Record<string, string>,
): Promise<string> {
  return await run(
    'the SAM transform',
    'python3',
    [join(ROOT, 'scripts', 'sam-translate.py'), template, JSON.stringify(parameters)],
    process.env,
  );
}

/**
 * Creates the stack and waits until moto's CloudFormation has it complete: after the custom
 * resources have answered. Rejects with the stack's status and reason when it fails, or when it is
 * not complete by `deadline`.
 */
export async function createStack(
  cloudformation: CloudFormationClient,
  templateBody: string,
  parameters: Record<string, string>,
  deadline: number,
): Promise<StackResourceSummary[]> {
  await cloudformation.send(
    new CreateStackCommand({
      StackName: STACK_NAME,
      TemplateBody: templateBody,
      Parameters: Object.entries(parameters).map(([ParameterKey, ParameterValue]) => ({
        ParameterKey,
        ParameterValue,
      })),
      Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_AUTO_EXPAND'],
    }),
  );
  for (;;) {
    const { Stacks } = await cloudformation.send(
      new DescribeStacksCommand({ StackName: STACK_NAME }),
    );
    const status = Stacks?.[0]?.StackStatus ?? '';
    if (status === 'CREATE_COMPLETE') break;
    if (status !== 'CREATE_IN_PROGRESS') {
      throw new Error(`stack ${STACK_NAME} is ${status}: ${Stacks?.[0]?.StackStatusReason ?? ''}`);
    }
    if (Date.now() > deadline) {
      throw new Error(`stack ${STACK_NAME} was not complete in time (still ${status})`);
    }
    await new Promise((wake) => setTimeout(wake, 100));
  }
  const resources: StackResourceSummary[] = [];
  let NextToken: string | undefined;
  do {
    const page = await cloudformation.send(
      new ListStackResourcesCommand({ StackName: STACK_NAME, NextToken }),
    );
    resources.push(...(page.StackResourceSummaries ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return resources;
}
