import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  AllocateAddressCommand,
  CreateSubnetCommand,
  DescribeAddressesCommand,
} from '@aws-sdk/client-ec2';
import {
  DescribeTargetGroupsCommand,
  type TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BRIDGE_TYPE } from '../../functions/bridge-macro/expand.js';
import { AwsWorld, eniDescriptionOf } from '../support/aws-world.js';
import {
  type Account,
  asDeployParameters,
  expandMacroExample,
  MACRO_EXAMPLE_FILES,
  MACRO_EXAMPLE_PARAMETERS,
  PACK_FUNCTIONS,
  type ParameterValues,
  readMacroExample,
  SAMPLE_ACCOUNT,
} from '../support/macro-examples.js';
import { type MotoServer, startMotoServer } from '../support/moto-server.js';
import { budgetFor } from '../support/work-budget.js';

// examples/macro/*.yaml expanded by the AlbStaticIp macro and created as stacks by moto's
// CloudFormation, with parameter values naming resources made in moto first. moto 5.2.1 cannot
// create every type a bridge makes (moto/cloudformation/parsing.py and each model's
// create_from_cloudformation_json, each finding tried on moto), so each expansion is created
// without:
// - AWS::CloudFormation::CustomResource (the sync, nlb-private-ips), AWS::ApiGateway::VpcLink and
//   AWS::CloudWatch::Alarm: moto has no CloudFormation model for them (it skips such a resource
//   with a warning; a custom resource would not run the pack's functions anyway);
// - the NLB: moto's AWS::ElasticLoadBalancingV2::LoadBalancer reads only Subnets, SecurityGroups
//   and Scheme. With SubnetMappings alone it fails with SubnetNotFound; given Subnets, it makes an
//   application load balancer whatever Type says, and then refuses the TCP and TLS listeners
//   ("Listener protocol 'TCP' must be one of 'HTTP, HTTPS'");
// - what refers to those: the NLB's listeners, the ingress rules fed by the nlb-private-ips
//   resource's Cidrs (moto creates AWS::EC2::SecurityGroupIngress, but not that attribute), a DNS
//   alias of the NLB, their outputs. A DependsOn on a left-out resource only orders, so it goes.
// moto creates what is left: the users' own resources, the Elastic IPs, the target groups and the
// EventBridge rules with their targets. Its models drop the Tags of AWS::EC2::EIP and of
// AWS::ElasticLoadBalancingV2::TargetGroup, so the managed tag is checked on paper only, as are
// the subnet mappings (test/template/macro-examples.test.ts).
const execFileAsync = promisify(execFile);

/** The types of the expansion that moto's CloudFormation has no model for. */
const WITHOUT_MOTO_MODEL = [
  'AWS::CloudFormation::CustomResource',
  'AWS::ApiGateway::VpcLink',
  'AWS::CloudWatch::Alarm',
];

/** Every type left out: those, the NLB, and what refers to them in the examples. */
const LEFT_OUT_TYPES = [
  ...WITHOUT_MOTO_MODEL,
  'AWS::ElasticLoadBalancingV2::LoadBalancer',
  'AWS::ElasticLoadBalancingV2::Listener',
  'AWS::EC2::SecurityGroupIngress',
  'AWS::Route53::RecordSet',
];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Resource = { Type: string; Properties?: Record<string, Json>; DependsOn?: Json };
type Template = { Resources: Record<string, Resource>; Outputs?: Record<string, Json> } & Record<
  string,
  Json
>;

/** The logical ids a value refers to: Ref, Fn::GetAtt and the `${Name}` of Fn::Sub. */
function referencesOf(value: Json): Set<string> {
  const found = new Set<string>();
  const walk = (node: Json): void => {
    if (Array.isArray(node)) {
      for (const item of node) walk(item);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    for (const [key, argument] of Object.entries(node)) {
      if (key === 'Ref' && typeof argument === 'string') found.add(argument);
      if (key === 'Fn::GetAtt') {
        const target = Array.isArray(argument) ? argument[0] : String(argument).split('.')[0];
        if (typeof target === 'string') found.add(target);
      }
      if (key === 'Fn::Sub') {
        const text = Array.isArray(argument) ? argument[0] : argument;
        for (const [, name] of String(text).matchAll(/\$\{([^!}][^}.]*)/g)) {
          if (name !== undefined) found.add(name);
        }
      }
      walk(argument);
    }
  };
  walk(value);
  return found;
}

/**
 * The expansion without what moto cannot create, and without what refers to it; returns the
 * template moto gets and the logical ids left out.
 */
function creatableByMoto(expanded: Template): { template: Template; leftOut: string[] } {
  const leftOut = new Set(
    Object.entries(expanded.Resources)
      .filter(
        ([, resource]) =>
          WITHOUT_MOTO_MODEL.includes(resource.Type) ||
          (resource.Type === 'AWS::ElasticLoadBalancingV2::LoadBalancer' &&
            resource.Properties?.Type === 'network'),
      )
      .map(([id]) => id),
  );
  const refersToLeftOut = (value: Json) =>
    [...referencesOf(value)].some((name) => leftOut.has(name));
  let grew = true;
  while (grew) {
    grew = false;
    for (const [id, resource] of Object.entries(expanded.Resources)) {
      if (!leftOut.has(id) && refersToLeftOut(resource.Properties ?? {})) {
        leftOut.add(id);
        grew = true;
      }
    }
  }
  const resources: Record<string, Resource> = {};
  for (const [id, resource] of Object.entries(expanded.Resources)) {
    if (leftOut.has(id)) continue;
    const dependsOn = [resource.DependsOn ?? []]
      .flat()
      .filter((name) => !leftOut.has(String(name)));
    const { DependsOn: _dependsOn, ...rest } = resource;
    resources[id] = dependsOn.length > 0 ? { ...rest, DependsOn: dependsOn } : rest;
  }
  const outputs = Object.fromEntries(
    Object.entries(expanded.Outputs ?? {}).filter(([, output]) => !refersToLeftOut(output)),
  );
  return {
    template: { ...expanded, Resources: resources, Outputs: outputs },
    leftOut: [...leftOut].sort(),
  };
}

interface StackResource {
  LogicalResourceId: string;
  PhysicalResourceId: string;
  ResourceType: string;
  ResourceStatus: string;
}

interface Rule {
  Name: string;
  ScheduleExpression?: string;
  EventPattern?: string;
}

let moto: MotoServer;
let world: AwsWorld;
let account: Account;
let workdir: string;
let env: NodeJS.ProcessEnv;

/** An AWS CLI command against moto; its JSON answer. */
async function aws<T>(...args: string[]): Promise<T> {
  const { stdout } = await execFileAsync(
    'aws',
    ['--endpoint-url', moto.endpoint, '--output', 'json', ...args],
    { env, encoding: 'utf8' },
  );
  return (stdout.trim() === '' ? {} : JSON.parse(stdout)) as T;
}

beforeAll(
  async () => {
    // Prepare: moto, and what the examples' parameters name: a VPC with a public subnet in four
    // zones and a private one in three, a certificate, three Elastic IPs.
    moto = await startMotoServer();
    world = new AwsWorld(moto.endpoint);
    workdir = mkdtempSync(join(tmpdir(), 'alb-static-ip-macro-stacks-'));
    env = {
      ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^AWS_/.test(name))),
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_CONFIG_FILE: join(workdir, 'no-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(workdir, 'no-credentials'),
    };
    const zones = ['us-east-1a', 'us-east-1b', 'us-east-1c', 'us-east-1d'] as const;
    const network = await world.network('10.0', zones);
    const privateSubnetIds: string[] = [];
    for (const [index, zone] of zones.slice(0, 3).entries()) {
      const created = await world.ec2.send(
        new CreateSubnetCommand({
          VpcId: network.vpcId,
          CidrBlock: `10.0.${128 + 16 * index}.0/20`,
          AvailabilityZone: zone,
        }),
      );
      privateSubnetIds.push(created.Subnet?.SubnetId ?? '');
    }
    const allocationIds: string[] = [];
    for (let count = 0; count < 3; count += 1) {
      const allocated = await world.ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }));
      allocationIds.push(allocated.AllocationId ?? '');
    }
    const { CertificateArn } = await aws<{ CertificateArn: string }>(
      ...['acm', 'request-certificate', '--domain-name', 'www.example.com'],
    );
    account = {
      vpcId: network.vpcId,
      publicSubnetIds: network.subnetIds,
      privateSubnetIds,
      zones,
      certificateArn: CertificateArn,
      allocationIds,
      // Only a DNS record names it, which is left out with the NLB it aliases.
      hostedZoneId: SAMPLE_ACCOUNT.hostedZoneId,
    };
  },
  budgetFor({ motoStart: 1, motoCall: 20, awsCli: 1 }),
);

afterAll(
  async () => {
    await moto?.stop();
    if (workdir !== undefined) rmSync(workdir, { recursive: true, force: true });
  },
  budgetFor({ motoStop: 1 }),
);

/** A bridge property as the stack resolved it: a literal, a parameter's value or a physical id. */
function resolvedIn(
  value: unknown,
  parameters: ParameterValues,
  physicalIds: Map<string, string>,
): unknown {
  if (Array.isArray(value)) return value.map((item) => resolvedIn(item, parameters, physicalIds));
  const name = (value as { Ref?: unknown } | null)?.Ref;
  if (typeof name !== 'string') return value;
  if (name in parameters) return parameters[name];
  const physical = physicalIds.get(name);
  if (physical === undefined) throw new Error(`cannot resolve Ref ${name}`);
  return physical;
}

/** A stack of an example, created, as moto describes it. */
interface Created {
  readonly parameters: ParameterValues;
  readonly expanded: Template;
  /** What moto was given: the expansion without what it cannot create. */
  readonly template: Template;
  readonly leftOut: string[];
  readonly bridges: [string, Record<string, Json>][];
  readonly status: string | undefined;
  readonly resources: StackResource[];
  readonly physicalIds: Map<string, string>;
  readonly outputs: Map<string, string>;
  readonly rules: Rule[];
}

/** Expands the example with the account's ids, creates it on moto, and reads back the stack. */
async function createStack(name: string): Promise<Created> {
  const parameters = MACRO_EXAMPLE_PARAMETERS[name]?.(account) ?? {};
  const expanded = expandMacroExample(name, parameters) as unknown as Template;
  const { template, leftOut } = creatableByMoto(expanded);
  const templatePath = join(workdir, `${name}.json`);
  writeFileSync(templatePath, JSON.stringify(template));
  await aws(
    ...['cloudformation', 'create-stack', '--stack-name', name],
    ...['--template-body', `file://${templatePath}`],
    '--parameters',
    JSON.stringify(
      Object.entries(asDeployParameters(parameters)).map(([key, value]) => ({
        ParameterKey: key,
        ParameterValue: value,
      })),
    ),
  );
  const [{ Stacks }, { StackResources }, { Rules }] = await Promise.all([
    aws<{
      Stacks: { StackStatus: string; Outputs?: { OutputKey: string; OutputValue: string }[] }[];
    }>(...['cloudformation', 'describe-stacks', '--stack-name', name]),
    aws<{ StackResources: StackResource[] }>(
      ...['cloudformation', 'describe-stack-resources', '--stack-name', name],
    ),
    aws<{ Rules: Rule[] }>('events', 'list-rules'),
  ]);
  const bridges = Object.entries(readMacroExample(name).Resources as Record<string, Resource>)
    .filter(([, resource]) => resource.Type === BRIDGE_TYPE)
    .map(([id, resource]): [string, Record<string, Json>] => [id, resource.Properties ?? {}]);
  return {
    parameters,
    expanded,
    template,
    leftOut,
    bridges,
    status: Stacks[0]?.StackStatus,
    resources: StackResources,
    physicalIds: new Map(
      StackResources.map((resource) => [resource.LogicalResourceId, resource.PhysicalResourceId]),
    ),
    outputs: new Map(
      (Stacks[0]?.Outputs ?? []).map((output) => [output.OutputKey, output.OutputValue]),
    ),
    rules: Rules,
  };
}

describe.each(MACRO_EXAMPLE_FILES)('examples/macro/%s.yaml, expanded, on moto', (name) => {
  let stack: Created;

  beforeAll(
    async () => {
      stack = await createStack(name);
    },
    // create-stack, then describe-stacks, describe-stack-resources and list-rules.
    budgetFor({ awsCli: 4 }),
  );

  /** The physical ids of what a bridge made of a type. */
  const made = (bridge: string, type: string): string[] =>
    Object.entries(stack.template.Resources)
      .filter(([id, resource]) => id.startsWith(bridge) && resource.Type === type)
      .map(([id]) => stack.physicalIds.get(id) ?? '');
  const resolved = (value: Json | undefined): unknown =>
    resolvedIn(value, stack.parameters, stack.physicalIds);

  it('creates every resource it is given, leaving out only what moto cannot create', () => {
    // Assess: moto skips, with a warning only, a type it has no model for.
    expect(stack.status).toBe('CREATE_COMPLETE');
    expect(stack.resources.map((resource) => resource.LogicalResourceId).sort()).toEqual(
      Object.keys(stack.template.Resources).sort(),
    );
    expect(
      stack.leftOut.filter(
        (id) => !LEFT_OUT_TYPES.includes(stack.expanded.Resources[id]?.Type ?? ''),
      ),
    ).toEqual([]);
  });

  it('allocates an Elastic IP per subnet, unless the bridge is given them or is internal', async () => {
    for (const [bridge, properties] of stack.bridges) {
      // Prepare
      const subnets = resolved(properties.SubnetIds) as string[];
      const elasticIps = made(bridge, 'AWS::EC2::EIP');
      if (properties.ElasticIpAllocationIds !== undefined || properties.Scheme === 'internal') {
        expect(elasticIps).toEqual([]);
        continue;
      }

      // Act
      const { Addresses = [] } = await world.ec2.send(
        new DescribeAddressesCommand({ PublicIps: elasticIps }),
      );

      // Assess
      expect(Addresses.map((address) => address.Domain)).toEqual(subnets.map(() => 'vpc'));
      expect(stack.outputs.get(`${bridge}StaticIps`)?.split(',')).toEqual(elasticIps);
    }
  });

  it('makes an IP target group per port, in the bridge’s VPC', async () => {
    for (const [bridge, properties] of stack.bridges) {
      // Prepare
      const ports = [...(properties.Ports as number[])].sort((a, b) => a - b);
      const protocol = properties.CertificateArn === undefined ? 'TCP' : 'TLS';
      const groupArns = made(bridge, 'AWS::ElasticLoadBalancingV2::TargetGroup');

      // Act
      const { TargetGroups = [] } = await world.elbv2.send(
        new DescribeTargetGroupsCommand({ TargetGroupArns: groupArns }),
      );

      // Assess
      expect(
        TargetGroups.map((group: TargetGroup) => ({
          Port: group.Port,
          Protocol: group.Protocol,
          TargetType: group.TargetType,
          VpcId: group.VpcId,
        })).sort((a, b) => (a.Port ?? 0) - (b.Port ?? 0)),
      ).toEqual(
        ports.map((port) => ({
          Port: port,
          Protocol: protocol,
          TargetType: 'ip',
          VpcId: resolved(properties.VpcId),
        })),
      );
      expect(stack.outputs.get(`${bridge}TargetGroupArns`)?.split(',').sort()).toEqual(
        [...groupArns].sort(),
      );
    }
  });

  it(
    'has its rules send the sync the ALB and the target groups, as the stack resolved them',
    async () => {
      for (const [bridge, properties] of stack.bridges) {
        // Prepare
        const albArn = String(resolved(properties.LoadBalancerArn));
        const groupArns = made(bridge, 'AWS::ElasticLoadBalancingV2::TargetGroup').sort();
        const names = new Set(made(bridge, 'AWS::Events::Rule'));
        const rules = stack.rules.filter((rule) => names.has(rule.Name));
        const eniRules = rules.filter((rule) => rule.EventPattern !== undefined);

        // Act
        const targets = await Promise.all(
          rules.map((rule) =>
            aws<{ Targets: { Arn: string; Input: string }[] }>(
              ...['events', 'list-targets-by-rule', '--rule', rule.Name],
            ),
          ),
        );

        // Assess: a schedule, and the ENI rule unless turned off, matching the ALB's interfaces.
        expect(rules.filter((rule) => rule.ScheduleExpression !== undefined)).toHaveLength(1);
        expect(eniRules).toHaveLength(properties.ReactToEniEvents === false ? 0 : 1);
        for (const rule of eniRules) {
          expect(rule.EventPattern).toContain(JSON.stringify(eniDescriptionOf(albArn)));
        }
        for (const { Targets } of targets) {
          const [target] = Targets;
          const input = JSON.parse(target?.Input ?? '{}') as { TargetGroupArns?: string[] };
          expect(target?.Arn).toBe(PACK_FUNCTIONS.syncFunctionArn);
          expect({ ...input, TargetGroupArns: [...(input.TargetGroupArns ?? [])].sort() }).toEqual({
            LoadBalancerArn: albArn,
            TargetGroupArns: groupArns,
            DryRun: false,
          });
        }
      }
    },
    // list-targets-by-rule for each rule: two a bridge at most, and two bridges at most.
    budgetFor({ awsCli: 4 }),
  );
});
