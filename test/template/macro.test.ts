import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BRIDGE_TYPE, expandTemplate } from '../../functions/bridge-macro/expand.js';
import { budgetFor } from '../support/work-budget.js';
import { lintTemplates } from './cloudformation.js';

// What the AlbStaticIp macro makes passes cfn-lint, as CloudFormation would receive it after the
// macro: users' templates with bridges of every shape, expanded, then linted in one process.

const FUNCTIONS = {
  syncFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:pack-TargetGroupSync',
  nlbPrivateIpsFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:pack-NlbPrivateIps',
  deadLetterQueueArn: 'arn:aws:sqs:us-east-1:123456789012:pack-SyncDeadLetterQueue',
};

/** A user's template: a VPC's subnets as a list parameter, an ALB, and the bridge given. */
const userTemplate = (bridge: Record<string, unknown>) => ({
  AWSTemplateFormatVersion: '2010-09-09',
  Parameters: {
    Vpc: { Type: 'AWS::EC2::VPC::Id' },
    PublicSubnets: { Type: 'List<AWS::EC2::Subnet::Id>' },
    AlbSecurityGroup: { Type: 'AWS::EC2::SecurityGroup::Id' },
    Certificate: {
      Type: 'String',
      Default:
        'arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000',
    },
  },
  Resources: {
    WebAlb: {
      Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
      Properties: { Type: 'application', Subnets: { Ref: 'PublicSubnets' } },
    },
    WebStaticIps: { Type: BRIDGE_TYPE, Properties: bridge },
  },
  // Read here too, so that a bridge that does not use them leaves no parameter unused.
  Outputs: {
    AlbGroup: { Value: { Ref: 'AlbSecurityGroup' } },
    Certificate: { Value: { Ref: 'Certificate' } },
  },
});

const COMMON = {
  LoadBalancerArn: { Ref: 'WebAlb' },
  VpcId: { Ref: 'Vpc' },
  SubnetIds: { Ref: 'PublicSubnets' },
};
const PARAMETERS = {
  PublicSubnets: [
    'subnet-0000000000000000a',
    'subnet-0000000000000000b',
    'subnet-0000000000000000c',
  ],
};

const BRIDGES: Record<string, Record<string, unknown>> = {
  'one bridge, new Elastic IPs, the ALB group opened': {
    ...COMMON,
    Ports: [80, 443],
    AlbSecurityGroupId: { Ref: 'AlbSecurityGroup' },
  },
  'internal, fixed private IPs, TLS': {
    ...COMMON,
    Ports: [443],
    Scheme: 'internal',
    PrivateIpAddresses: ['10.0.0.10', '10.0.1.10', '10.0.2.10'],
    CertificateArn: { Ref: 'Certificate' },
  },
  'existing Elastic IPs, five ports, a VPC link, no ENI rule': {
    ...COMMON,
    Ports: [80, 443, 8080, 8443, 9000],
    ElasticIpAllocationIds: [
      'eipalloc-0000000000000000a',
      'eipalloc-0000000000000000b',
      'eipalloc-0000000000000000c',
    ],
    VpcLink: true,
    ReactToEniEvents: false,
    Schedule: 'rate(5 minutes)',
  },
  'TargetMode alb, HTTP checks through one port, the NLB group admitted by reference': {
    ...COMMON,
    Ports: [80, 443],
    TargetMode: 'alb',
    AlbHealthCheckProtocol: 'HTTP',
    AlbHealthCheckPort: 80,
    AlbHealthCheckPath: '/healthz',
    NlbSecurityGroup: true,
    AlbIngressMode: 'security-group',
    AlbSecurityGroupId: { Ref: 'AlbSecurityGroup' },
  },
  'TargetMode alb, checks through a port no listener has, both groups, a VPC link': {
    ...COMMON,
    Ports: [80, 443],
    TargetMode: 'alb',
    AlbHealthCheckPort: 8443,
    NlbSecurityGroup: true,
    AlbSecurityGroupId: { Ref: 'AlbSecurityGroup' },
    VpcLink: true,
  },
};

let directory = '';
let findings = new Map<string, string[]>();
const pathOf = (name: string) => join(directory, `${name.replace(/[^a-z]+/gi, '-')}.json`);

beforeAll(
  async () => {
    directory = mkdtempSync(join(tmpdir(), 'alb-static-ip-macro-'));
    for (const [name, bridge] of Object.entries(BRIDGES)) {
      const result = expandTemplate(userTemplate(bridge), PARAMETERS, FUNCTIONS);
      if (!result.ok) throw new Error(`${name}: ${result.problems.join('; ')}`);
      writeFileSync(pathOf(name), JSON.stringify(result.fragment, null, 2));
    }
    findings = await lintTemplates(Object.keys(BRIDGES).map(pathOf));
  },
  budgetFor({ cfnLint: 1 }),
);

afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

describe('The AlbStaticIp macro: cfn-lint of what it makes', () => {
  it.each(Object.keys(BRIDGES))('%s: no finding', (name) => {
    expect(findings.get(pathOf(name))).toEqual([]);
  });
});
