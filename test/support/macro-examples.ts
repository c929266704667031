import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expandTemplate, type SharedFunctions } from '../../functions/bridge-macro/expand.js';
import { readTemplate } from '../../scripts/cloudformation-yaml.mjs';

/**
 * The users' templates of examples/macro/, as the AlbStaticIp macro receives them, and the parameter
 * values each is deployed with. The template tests expand them with made-up ids; the integration
 * tests expand them with the ids of resources made in moto first. Each example's parameter values
 * are written once, below, from one account's resources.
 */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const MACRO_EXAMPLES_DIR = join(ROOT, 'examples', 'macro');

/** The example files, by name without `.yaml`, sorted. */
export const MACRO_EXAMPLE_FILES = readdirSync(MACRO_EXAMPLES_DIR)
  .filter((file) => file.endsWith('.yaml'))
  .map((file) => file.slice(0, -'.yaml'.length))
  .sort();

/** The pack's shared functions, as the macro's environment would name them. */
export const PACK_FUNCTIONS: SharedFunctions = {
  syncFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:pack-TargetGroupSync',
  nlbPrivateIpsFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:pack-NlbPrivateIps',
  deadLetterQueueArn: 'arn:aws:sqs:us-east-1:123456789012:pack-SyncDeadLetterQueue',
};

/** What an account has before an example is deployed in it: the ids its parameters take. */
export interface Account {
  readonly vpcId: string;
  /** Four public subnets, one per zone of `zones`. */
  readonly publicSubnetIds: readonly string[];
  /** Three private subnets, in the first three zones. */
  readonly privateSubnetIds: readonly string[];
  /** Four Availability Zones. */
  readonly zones: readonly string[];
  readonly certificateArn: string;
  /** Three Elastic IPs the account already has. */
  readonly allocationIds: readonly string[];
  readonly hostedZoneId: string;
}

/** A parameter value as CloudFormation sends it to a macro: a list type's value is a list. */
export type ParameterValues = Record<string, string | string[]>;

/** Each example's parameter values in an account. A new example needs a line here. */
export const MACRO_EXAMPLE_PARAMETERS: Record<string, (account: Account) => ParameterValues> = {
  'one-bridge': (account) => ({
    Vpc: account.vpcId,
    PublicSubnets: account.publicSubnetIds.slice(0, 2),
    CertificateArn: account.certificateArn,
  }),
  'two-bridges': (account) => ({
    Vpc: account.vpcId,
    PublicSubnets: account.publicSubnetIds.slice(0, 3),
    CertificateArn: account.certificateArn,
  }),
  'internal-private-ips': (account) => ({ AvailabilityZones: account.zones.slice(0, 2) }),
  tls: (account) => ({
    Vpc: account.vpcId,
    PublicSubnets: account.publicSubnetIds.slice(0, 2),
    CertificateArn: account.certificateArn,
    HostedZoneId: account.hostedZoneId,
    DomainName: 'www.example.com',
  }),
  'existing-elastic-ips': (account) => ({
    Vpc: account.vpcId,
    PublicSubnets: account.publicSubnetIds.slice(0, 3),
    ElasticIpAllocationIds: [...account.allocationIds],
    CertificateArn: account.certificateArn,
  }),
  'subnet-list-parameter': (account) => ({
    Vpc: account.vpcId,
    AppSubnets: [...account.privateSubnetIds],
    NlbSubnets: account.publicSubnetIds.slice(0, 3),
  }),
  'four-zones-five-ports': (account) => ({
    AvailabilityZones: [...account.zones],
    CertificateArn: account.certificateArn,
  }),
};

/** A made-up account, for expansions that must not change from one run to the next. */
export const SAMPLE_ACCOUNT: Account = {
  vpcId: 'vpc-0a1b2c3d4e5f60718',
  publicSubnetIds: [
    'subnet-0000000000000000a',
    'subnet-0000000000000000b',
    'subnet-0000000000000000c',
    'subnet-0000000000000000d',
  ],
  privateSubnetIds: [
    'subnet-1000000000000000a',
    'subnet-1000000000000000b',
    'subnet-1000000000000000c',
  ],
  zones: ['us-east-1a', 'us-east-1b', 'us-east-1c', 'us-east-1d'],
  certificateArn:
    'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555',
  allocationIds: [
    'eipalloc-0000000000000000a',
    'eipalloc-0000000000000000b',
    'eipalloc-0000000000000000c',
  ],
  hostedZoneId: 'Z0123456789ABCDEFGHIJ',
};

type Template = Record<string, unknown>;

/** An example as written, in CloudFormation's JSON form. */
export function readMacroExample(name: string): Template {
  return readTemplate(join(MACRO_EXAMPLES_DIR, `${name}.yaml`)) as Template;
}

/**
 * The fragment CloudFormation sends a macro named in the Transform section: "the entire template
 * except for the Transform section".
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/template-macros-author.html
 */
export function fragmentOf(template: Template): Template {
  const { Transform: _transform, ...fragment } = template;
  return fragment;
}

/** The processed template: the example's fragment expanded with these parameter values. */
export function expandMacroExample(name: string, parameters: ParameterValues): Template {
  const expansion = expandTemplate(fragmentOf(readMacroExample(name)), parameters, PACK_FUNCTIONS);
  if (!expansion.ok) {
    throw new Error(`examples/macro/${name}.yaml: ${expansion.problems.join('; ')}`);
  }
  return expansion.fragment;
}

/** Parameter values as a deploy gives them (`--parameter-overrides`): lists comma-separated. */
export function asDeployParameters(parameters: ParameterValues): Record<string, string> {
  return Object.fromEntries(
    Object.entries(parameters).map(([name, value]) => [
      name,
      Array.isArray(value) ? value.join(',') : value,
    ]),
  );
}
