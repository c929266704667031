import { beforeAll, describe, expect, it } from 'vitest';
import { budgetFor } from '../support/work-budget.js';
import { loadTemplate, samTransform, TEMPLATE_PATH, type Template } from './cloudformation.js';
import { deploy, evaluateRules, type FailedAssertion, RuleViolationError } from './evaluate.js';
import { ALB, TG_A, TG_B } from './sample-arns.js';

// What CloudFormation refuses before it creates anything: the Rules section (parameter
// combinations) and the ListsFitSubnets condition (list lengths, which rule functions cannot
// count). Each is checked on the template the SAM transform makes, as CloudFormation receives it.
const SUBNETS = [
  'subnet-0123456789abcdef0',
  'subnet-0123456789abcdef1',
  'subnet-0123456789abcdef2',
];
const EIPS = [
  'eipalloc-0a0a0a0a0a0a0a0a0',
  'eipalloc-0b0b0b0b0b0b0b0b0',
  'eipalloc-0c0c0c0c0c0c0c0c0',
];
const IPS = ['10.0.0.10', '10.0.16.10', '10.0.32.10'];
const CERTIFICATE =
  'arn:aws:acm:us-east-1:123456789012:certificate/0f0e0d0c-0b0a-4908-8706-050403020100';

const first = (list: readonly string[], count: number) => list.slice(0, count).join(',');

/** A new internet-facing NLB in two zones with Elastic IPs the stack allocates. */
const NEW_NLB = {
  LoadBalancerArn: ALB,
  VpcId: 'vpc-0123456789abcdef0',
  SubnetIds: first(SUBNETS, 2),
};
const GROUP = 'sg-0123456789abcdef0';
/** The ALB's group admits the NLB's own group (AlbIngressMode security-group). */
const SECURITY_GROUP_MODE = {
  ...NEW_NLB,
  AlbSecurityGroupId: GROUP,
  AlbIngressMode: 'security-group',
  CreateNlbSecurityGroup: 'true',
};
/** The pack: no ALB, and so nothing of a bridge. */
const PACK: Record<string, string> = {};
/** An ALB in another account, read through a discovery role there (README). */
const DISCOVERY_ROLE = 'arn:aws:iam::210987654321:role/alb-static-ip/discovery';
const EXTERNAL_ID = '6f1c1b8e-3f0e-4a57-9a53-3c2b1f0e9d41';
const CROSS_ACCOUNT = {
  ...NEW_NLB,
  LoadBalancerArn: ALB.replace('123456789012', '210987654321'),
  DiscoveryRoleArn: DISCOVERY_ROLE,
  DiscoveryExternalId: EXTERNAL_ID,
};
/** Adopting existing target groups: nothing of a new NLB is set. */
const ADOPTED = { LoadBalancerArn: ALB, ExistingTargetGroupArns: `${TG_A},${TG_B}` };
/** TargetMode alb: the ALB registered in target groups of type alb, nothing to sync. */
const ALB_MODE = { ...NEW_NLB, TargetMode: 'alb' };

/** The deploy cases the README's "Answers for common cases" table gives, and a few more. */
const COMMON_CASES: Record<string, Record<string, string>> = {
  'internet-facing, new Elastic IPs': NEW_NLB,
  'internet-facing, new Elastic IPs, one zone': { ...NEW_NLB, SubnetIds: first(SUBNETS, 1) },
  'internet-facing, Elastic IPs you have, three zones, three TLS ports': {
    ...NEW_NLB,
    SubnetIds: first(SUBNETS, 3),
    ElasticIpAllocationIds: first(EIPS, 3),
    ListenerPorts: '443,8443,9443',
    CertificateArn: CERTIFICATE,
  },
  'internet-facing, Elastic IPs you have': { ...NEW_NLB, ElasticIpAllocationIds: first(EIPS, 2) },
  'internal, fixed private IPs': {
    ...NEW_NLB,
    Scheme: 'internal',
    PrivateIpAddresses: first(IPS, 2),
  },
  'internal, private IPs AWS picks': { ...NEW_NLB, Scheme: 'internal' },
  'internet-facing, the NLB security group, the ALB admits it by reference': SECURITY_GROUP_MODE,
  'internal, the NLB security group for the VPC, the ALB admits its private IPs': {
    ...NEW_NLB,
    Scheme: 'internal',
    CreateNlbSecurityGroup: 'true',
    NlbClientCidr: '10.0.0.0/16',
    AlbSecurityGroupId: GROUP,
  },
  'no security group changed (AlbIngressMode none)': { ...NEW_NLB, AlbIngressMode: 'none' },
  'adopt existing target groups': ADOPTED,
  'TargetMode alb, the ALB registered, nothing to run': ALB_MODE,
  'TargetMode alb, ports 80 and 443 checked through the HTTPS listener, internal, by reference': {
    ...SECURITY_GROUP_MODE,
    Scheme: 'internal',
    NlbClientCidr: '10.0.0.0/16',
    ListenerPorts: '80,443',
    TargetMode: 'alb',
    AlbHealthCheckPort: '443',
    AlbHealthCheckPath: '/healthz?from=nlb',
  },
  'the pack alone': PACK,
  'the pack under another macro name': { MacroName: 'TeamStaticIps' },
};

interface RuleCase {
  rule: string;
  /** Parameters that break exactly this assertion. */
  violating: Record<string, string>;
  /** What its AssertDescription must say. */
  says: RegExp;
  /** Parameters to which the rule applies, and that it accepts. */
  valid: Record<string, string>;
  /** Another rule the violating parameters break too, when they cannot help it. */
  alsoBreaks?: string;
}

const RULE_CASES: RuleCase[] = [
  {
    rule: 'NewNlbNeedsVpcAndSubnets',
    violating: { ...NEW_NLB, VpcId: '' },
    says: /^VpcId is empty\. Give the VPC of the NLB, or adopt existing target groups/,
    valid: NEW_NLB,
  },
  {
    rule: 'NewNlbNeedsVpcAndSubnets',
    violating: { ...NEW_NLB, SubnetIds: '' },
    says: /^SubnetIds is empty\. Give the NLB one subnet per Availability Zone/,
    valid: NEW_NLB,
  },
  {
    rule: 'PrivateIpsNeedAnInternalNlb',
    violating: { ...NEW_NLB, PrivateIpAddresses: first(IPS, 2) },
    says: /^PrivateIpAddresses is for an internal NLB\. Clear it, or set Scheme to internal\.$/,
    valid: NEW_NLB,
  },
  {
    rule: 'ElasticIpsNeedAnInternetFacingNlb',
    violating: { ...NEW_NLB, Scheme: 'internal', ElasticIpAllocationIds: first(EIPS, 2) },
    says: /^ElasticIpAllocationIds is for an internet-facing NLB\. Clear it, or set Scheme/,
    valid: { ...NEW_NLB, Scheme: 'internal', PrivateIpAddresses: first(IPS, 2) },
  },
  ...(
    [
      ['VpcId', 'vpc-0123456789abcdef0', /^VpcId has no effect with ExistingTargetGroupArns/],
      ['SubnetIds', first(SUBNETS, 2), /^SubnetIds has no effect with ExistingTargetGroupArns/],
      ['Scheme', 'internal', /^Scheme has no effect with ExistingTargetGroupArns/],
      ['ElasticIpAllocationIds', EIPS[0], /^ElasticIpAllocationIds has no effect with Existing/],
      ['ListenerPorts', '443,80', /^ListenerPorts has no effect .*Leave it at 443/],
      ['CertificateArn', CERTIFICATE, /^CertificateArn has no effect with ExistingTargetGroupArns/],
      [
        'AlbSecurityGroupId',
        'sg-0123456789abcdef0',
        /^AlbSecurityGroupId has no effect .*open the ALB's security group yourself/,
      ],
      ['AlbIngressMode', 'none', /^AlbIngressMode has no effect with .*Leave it at private-ips/],
      [
        'CreateNlbSecurityGroup',
        'true',
        /^CreateNlbSecurityGroup has no effect .*Leave it at false/,
      ],
      [
        'NlbDeletionProtection',
        'true',
        /^NlbDeletionProtection has no effect with ExistingTargetGroupArns: .*Leave it at false/,
      ],
      [
        'NlbAccessLogBucket',
        'my-nlb-logs',
        /^NlbAccessLogBucket has no effect with ExistingTargetGroupArns: .*Clear it/,
      ],
    ] as const
  ).map(([name, value, says]) => ({
    rule: 'AdoptedTargetGroupsTakeNoNlbSettings',
    violating: { ...ADOPTED, [name]: value },
    says,
    valid: ADOPTED,
  })),
  {
    // Scheme must stay internet-facing here, where private IPs are refused as well.
    rule: 'AdoptedTargetGroupsTakeNoNlbSettings',
    violating: { ...ADOPTED, PrivateIpAddresses: IPS[0] as string },
    says: /^PrivateIpAddresses has no effect with ExistingTargetGroupArns/,
    valid: ADOPTED,
    alsoBreaks: 'PrivateIpsNeedAnInternalNlb',
  },
  ...(
    [
      ['ExistingTargetGroupArns', `${TG_A},${TG_B}`, /^ExistingTargetGroupArns is set .*the ALB/],
      [
        'Scheme',
        'internal',
        /^Scheme is set without LoadBalancerArn\. Leave it at internet-facing/,
      ],
      [
        'ListenerPorts',
        '443,80',
        /^ListenerPorts is set without LoadBalancerArn\. Leave it at 443/,
      ],
      ['VpcId', 'vpc-0123456789abcdef0', /^VpcId is set without LoadBalancerArn\. Give the ALB/],
      ['SubnetIds', first(SUBNETS, 2), /^SubnetIds is set without LoadBalancerArn\./],
      ['ElasticIpAllocationIds', EIPS[0], /^ElasticIpAllocationIds is set without Load/],
      ['CertificateArn', CERTIFICATE, /^CertificateArn is set without LoadBalancerArn\./],
      ['AlbSecurityGroupId', 'sg-0123456789abcdef0', /^AlbSecurityGroupId is set without Load/],
      ['AlbIngressMode', 'none', /^AlbIngressMode is set without LoadBalancerArn\. Leave it at/],
      ['CreateNlbSecurityGroup', 'true', /^CreateNlbSecurityGroup is set without LoadBalancerArn/],
      [
        'NlbDeletionProtection',
        'true',
        /^NlbDeletionProtection is set without LoadBalancerArn\. Leave it at false/,
      ],
      [
        'NlbAccessLogBucket',
        'my-nlb-logs',
        /^NlbAccessLogBucket is set without LoadBalancerArn\. Clear it/,
      ],
      ['TargetMode', 'alb', /^TargetMode is alb without LoadBalancerArn\. .*leave it at ip/],
    ] as const
  ).map(([name, value, says]) => ({
    rule: 'ThePackTakesNoBridgeSettings',
    violating: { ...PACK, [name]: value as string },
    says,
    valid: PACK,
  })),
  {
    // Scheme must stay internet-facing here, where private IPs are refused as well.
    rule: 'ThePackTakesNoBridgeSettings',
    violating: { PrivateIpAddresses: IPS[0] as string },
    says: /^PrivateIpAddresses is set without LoadBalancerArn\. .*install the pack alone\.$/,
    valid: PACK,
    alsoBreaks: 'PrivateIpsNeedAnInternalNlb',
  },
  {
    rule: 'NlbClientCidrNeedsTheNlbSecurityGroup',
    violating: { ...NEW_NLB, NlbClientCidr: '198.51.100.0/24' },
    says: /^NlbClientCidr is set without CreateNlbSecurityGroup: .*clear NlbClientCidr\.$/,
    valid: NEW_NLB,
  },
  {
    rule: 'InternalNlbSecurityGroupNeedsClients',
    violating: { ...NEW_NLB, Scheme: 'internal', CreateNlbSecurityGroup: 'true' },
    says: /^NlbClientCidr is empty for an internal NLB with a security group\. Give the CIDR/,
    valid: {
      ...NEW_NLB,
      Scheme: 'internal',
      CreateNlbSecurityGroup: 'true',
      NlbClientCidr: '10.0.0.0/16',
    },
  },
  {
    rule: 'AlbIngressBySecurityGroupNeedsBothGroups',
    violating: { ...NEW_NLB, AlbIngressMode: 'security-group', AlbSecurityGroupId: GROUP },
    says: /^AlbIngressMode is security-group without CreateNlbSecurityGroup: .*private-ips\.$/,
    valid: SECURITY_GROUP_MODE,
  },
  {
    rule: 'AlbIngressBySecurityGroupNeedsBothGroups',
    violating: { ...NEW_NLB, AlbIngressMode: 'security-group', CreateNlbSecurityGroup: 'true' },
    says: /^AlbIngressMode is security-group without AlbSecurityGroupId\. .*to none\.$/,
    valid: SECURITY_GROUP_MODE,
  },
  {
    rule: 'NoAlbIngressTakesNoAlbSecurityGroup',
    violating: { ...NEW_NLB, AlbIngressMode: 'none', AlbSecurityGroupId: GROUP },
    says: /^AlbSecurityGroupId is set with AlbIngressMode none, .*security-group\.$/,
    valid: { ...NEW_NLB, AlbIngressMode: 'none' },
  },
  {
    rule: 'DiscoveryRoleNeedsAnAlbAndAnExternalId',
    violating: { DiscoveryRoleArn: DISCOVERY_ROLE, DiscoveryExternalId: EXTERNAL_ID },
    says: /^DiscoveryRoleArn is set without LoadBalancerArn\. .*the ALB to front\.$/,
    valid: PACK,
  },
  {
    rule: 'DiscoveryRoleNeedsAnAlbAndAnExternalId',
    violating: { ...NEW_NLB, DiscoveryRoleArn: DISCOVERY_ROLE },
    says: /^DiscoveryExternalId is empty\. .*ExternalId\)\.$/,
    valid: CROSS_ACCOUNT,
  },
  {
    rule: 'DiscoveryAccountsAreThePacks',
    violating: { ...CROSS_ACCOUNT, DiscoveryAccountIds: '210987654321' },
    says: /^DiscoveryAccountIds is for the pack \(no LoadBalancerArn\)\. .*clear DiscoveryAccountIds\.$/,
    valid: CROSS_ACCOUNT,
  },
  {
    rule: 'ListsHaveNoEmptyEntries',
    violating: { ...PACK, DiscoveryAccountIds: '210987654321,,111122223333' },
    says: /^DiscoveryAccountIds has an empty entry\. .*leave it empty\.$/,
    valid: { ...PACK, DiscoveryAccountIds: '210987654321,111122223333' },
  },
  {
    rule: 'ExternalIdNeedsADiscoveryRole',
    violating: { ...NEW_NLB, DiscoveryExternalId: EXTERNAL_ID },
    says: /^DiscoveryExternalId is set without DiscoveryRoleArn\. .*clear it\.$/,
    valid: CROSS_ACCOUNT,
  },
  {
    rule: 'NlbAccessLogsNeedTlsListeners',
    violating: { ...NEW_NLB, NlbAccessLogBucket: 'my-nlb-logs' },
    says: /^NlbAccessLogBucket is set without CertificateArn: .*for TLS listeners only, .*clear NlbAccessLogBucket\.$/,
    valid: { ...NEW_NLB, CertificateArn: CERTIFICATE, NlbAccessLogBucket: 'my-nlb-logs' },
  },
  {
    rule: 'AlbTargetModeNeedsTcpListeners',
    violating: { ...ALB_MODE, CertificateArn: CERTIFICATE },
    says: /^CertificateArn is set with TargetMode alb, .*Use TargetMode ip to terminate TLS at the NLB/,
    valid: ALB_MODE,
  },
  ...(
    [
      ['ExistingTargetGroupArns', `${TG_A},${TG_B}`, /^ExistingTargetGroupArns is set with Target/],
      ['SyncSchedule', 'rate(5 minutes)', /^SyncSchedule has no effect with TargetMode alb/],
      ['ReactToEniEvents', 'false', /^ReactToEniEvents has no effect with TargetMode alb/],
      ['ReservedConcurrency', '2', /^ReservedConcurrency has no effect with TargetMode alb/],
    ] as const
  ).map(([name, value, says]) => ({
    rule: 'AlbTargetModeRunsNoSync',
    violating: {
      ...ALB_MODE,
      // Adopted groups come instead of a new NLB's VPC and subnets.
      ...(name === 'ExistingTargetGroupArns' ? { VpcId: '', SubnetIds: '' } : {}),
      [name]: value,
    },
    says,
    valid: ALB_MODE,
  })),
  {
    rule: 'AlbTargetModeRunsNoSync',
    violating: { ...CROSS_ACCOUNT, TargetMode: 'alb' },
    says: /^DiscoveryRoleArn is set with TargetMode alb, .*Use TargetMode ip for an ALB in another/,
    valid: CROSS_ACCOUNT,
  },
  ...(
    [
      [
        'AlbHealthCheckProtocol',
        'HTTP',
        /^AlbHealthCheckProtocol has no effect with TargetMode ip/,
      ],
      ['AlbHealthCheckPort', '443', /^AlbHealthCheckPort has no effect with TargetMode ip/],
      ['AlbHealthCheckPath', '/health', /^AlbHealthCheckPath has no effect with TargetMode ip/],
    ] as const
  ).map(([name, value, says]) => ({
    rule: 'AlbHealthChecksNeedTheAlbTargetMode',
    violating: { ...NEW_NLB, [name]: value },
    says,
    valid: { ...ALB_MODE, [name]: value },
  })),
  {
    rule: 'ListsHaveNoEmptyEntries',
    violating: { ...NEW_NLB, SubnetIds: `${SUBNETS[0]},,${SUBNETS[1]}` },
    says: /^SubnetIds has an empty entry\./,
    valid: NEW_NLB,
  },
  {
    rule: 'ListsHaveNoEmptyEntries',
    violating: { ...NEW_NLB, ElasticIpAllocationIds: `${EIPS[0]},,` },
    says: /^ElasticIpAllocationIds has an empty entry\./,
    valid: { ...NEW_NLB, ElasticIpAllocationIds: first(EIPS, 2) },
  },
  {
    rule: 'ListsHaveNoEmptyEntries',
    violating: { ...NEW_NLB, Scheme: 'internal', PrivateIpAddresses: `,${IPS[0]}` },
    says: /^PrivateIpAddresses has an empty entry\./,
    valid: { ...NEW_NLB, Scheme: 'internal', PrivateIpAddresses: first(IPS, 2) },
  },
  {
    rule: 'ListsHaveNoEmptyEntries',
    violating: { ...ADOPTED, ExistingTargetGroupArns: `${TG_A},,${TG_B}` },
    says: /^ExistingTargetGroupArns has an empty entry\./,
    valid: ADOPTED,
  },
];

describe('Template: Rules', () => {
  let transformed: Template;

  beforeAll(
    () => {
      transformed = samTransform(TEMPLATE_PATH, NEW_NLB);
    },
    budgetFor({ samTransform: 1 }),
  );

  it('reach CloudFormation unchanged through the SAM transform', () => {
    expect(transformed.Rules).toEqual(loadTemplate().Rules);
    expect(Object.keys(transformed.Rules as object)).not.toHaveLength(0);
  });

  it('describe every assertion, and the case list breaks each one', () => {
    // Prepare
    const rules = loadTemplate().Rules as Record<
      string,
      { Assertions: { AssertDescription?: string }[] }
    >;
    const broken = new Set(
      RULE_CASES.flatMap(({ violating }) =>
        evaluateRules(transformed, violating).map(({ description }) => description),
      ),
    );

    // Act
    const descriptions = Object.values(rules).flatMap(({ Assertions }) =>
      Assertions.map(({ AssertDescription }) => AssertDescription ?? ''),
    );

    // Assess
    for (const description of descriptions) {
      expect(description).toMatch(/^\w+ (is|has) .+\. .+\.$/);
      expect(broken, description).toContain(description);
    }
  });

  it.each(RULE_CASES.map((ruleCase) => [ruleCase.rule, ruleCase.says.source, ruleCase] as const))(
    '%s refuses what /%s/ says',
    (_rule, _says, { rule, violating, says, alsoBreaks }) => {
      // Act
      const failed = evaluateRules(transformed, violating);

      // Assess
      expect(failed).toContainEqual({ rule, description: expect.stringMatching(says) });
      expect(failed.map((f) => f.rule).sort()).toEqual(
        [rule, ...(alsoBreaks === undefined ? [] : [alsoBreaks])].sort(),
      );
      expect(() => deploy(transformed, violating)).toThrow(RuleViolationError);
    },
  );

  it.each(RULE_CASES.map((ruleCase) => [ruleCase.rule, ruleCase.says.source, ruleCase] as const))(
    '%s accepts the valid counterpart of /%s/',
    (_rule, _says, { valid }) => {
      expect(evaluateRules(transformed, valid)).toEqual([]);
    },
  );

  it.each(Object.entries(COMMON_CASES))('accept the common case: %s', (_, parameters) => {
    expect(evaluateRules(transformed, parameters)).toEqual([]);
    expect(() => deploy(transformed, parameters)).not.toThrow();
  });
});

describe('Template: lists that must fit the subnets (ListsFitSubnets)', () => {
  let transformed: Template;

  beforeAll(
    () => {
      transformed = samTransform(TEMPLATE_PATH, NEW_NLB);
    },
    budgetFor({ samTransform: 1 }),
  );

  const mismatches: [string, Record<string, string>][] = [];
  const fits: [string, Record<string, string>][] = [];
  for (const subnets of [1, 2, 3]) {
    const base = { ...NEW_NLB, SubnetIds: first(SUBNETS, subnets) };
    fits.push([`${subnets} subnet(s), new Elastic IPs`, base]);
    fits.push([`${subnets} subnet(s), internal`, { ...base, Scheme: 'internal' }]);
    for (const count of [1, 2, 3, 4]) {
      const eips = [...EIPS, 'eipalloc-0d0d0d0d0d0d0d0d0'];
      const ips = [...IPS, '10.0.48.10'];
      const given = { ...base, ElasticIpAllocationIds: first(eips, count) };
      const internal = { ...base, Scheme: 'internal', PrivateIpAddresses: first(ips, count) };
      const list = count === subnets ? fits : mismatches;
      list.push([`${subnets} subnet(s), ${count} Elastic IP allocation id(s)`, given]);
      list.push([`${subnets} subnet(s), ${count} private IP(s)`, internal]);
    }
  }
  mismatches.push([
    '4 subnets',
    { ...NEW_NLB, SubnetIds: [...SUBNETS, 'subnet-0123456789abcdef3'].join(',') },
  ]);
  mismatches.push(['4 listener ports', { ...NEW_NLB, ListenerPorts: '443,80,8443,9443' }]);
  fits.push(['3 listener ports', { ...NEW_NLB, ListenerPorts: '443,80,8443' }]);

  it.each(mismatches)('stop the deploy before any resource: %s', (_, parameters) => {
    // Prepare: the rules accept it, they cannot count.
    const failed: FailedAssertion[] = evaluateRules(transformed, parameters);

    // Act, Assess: the conditions, evaluated before the resources, fail on an Fn::Select.
    expect(failed).toEqual([]);
    expect(() => deploy(transformed, parameters)).toThrow(
      /^condition ListsFitSubnets: Fn::Select [123] of .*: out of range$/,
    );
  });

  it.each(fits)('let the deploy through: %s', (_, parameters) => {
    // Act
    const deployment = deploy(transformed, parameters);

    // Assess
    expect(deployment.conditions.ListsFitSubnets).toBe(true);
    expect(deployment.resources).toHaveProperty('NetworkLoadBalancer');
  });
});
