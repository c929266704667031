// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${...} here is CloudFormation's Fn::Sub notation.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readMacroEnvironment } from '../../functions/bridge-macro/environment.js';
import {
  BRIDGE_TYPE,
  expandTemplate,
  MANAGED_TAG,
  type SharedFunctions,
} from '../../functions/bridge-macro/expand.js';
import { answerMacroRequest } from '../../functions/bridge-macro/macro.js';
import { ConfigurationError } from '../../functions/shared/errors.js';

// The AlbStaticIp macro: CloudFormation's contract, the expansion of AlbStaticIp::Bridge, and its
// refusals. What the expansion makes is checked here resource by resource; the template tests
// lint and evaluate it.

const FUNCTIONS: SharedFunctions = {
  syncFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:pack-TargetGroupSync',
  nlbPrivateIpsFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:pack-NlbPrivateIps',
  deadLetterQueueArn: 'arn:aws:sqs:us-east-1:123456789012:pack-SyncDeadLetterQueue',
};
const ALB =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188';

type Json = Record<string, unknown>;

/** A user's template with one bridge among their own resources. */
function templateWith(properties: Json, extra: Json = {}): Json {
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Parameters: { PublicSubnets: { Type: 'List<AWS::EC2::Subnet::Id>' } },
    Conditions: { Always: { 'Fn::Equals': ['a', 'a'] } },
    Resources: {
      WebAlb: { Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', Properties: {} },
      WebStaticIps: { Type: BRIDGE_TYPE, Properties: properties, ...extra },
    },
    Outputs: { AlbDns: { Value: { 'Fn::GetAtt': ['WebAlb', 'DNSName'] } } },
  };
}

const BRIDGE = {
  LoadBalancerArn: { Ref: 'WebAlb' },
  VpcId: 'vpc-0123456789abcdef0',
  SubnetIds: ['subnet-0000000000000000a', 'subnet-0000000000000000b'],
  Ports: [80, '443'],
  AlbSecurityGroupId: 'sg-0123456789abcdef0',
};

function expanded(properties: Json, parameters: Json = {}, extra: Json = {}) {
  const result = expandTemplate(templateWith(properties, extra), parameters, FUNCTIONS);
  if (!result.ok) throw new Error(result.problems.join('\n'));
  return result.fragment as { Resources: Record<string, Json>; Outputs: Record<string, Json> };
}

const problemsOf = (properties: unknown, parameters: Json = {}, extra: Json = {}) => {
  const result = expandTemplate(templateWith(properties as Json, extra), parameters, FUNCTIONS);
  return result.ok ? [] : result.problems;
};

/** The TCP listener a bridge makes for port 443, its second port, in either TargetMode. */
const LISTENER_443 = {
  Type: 'AWS::ElasticLoadBalancingV2::Listener',
  Properties: {
    LoadBalancerArn: { Ref: 'WebStaticIpsNlb' },
    Protocol: 'TCP',
    Port: 443,
    DefaultActions: [{ Type: 'forward', TargetGroupArn: { Ref: 'WebStaticIpsTargetGroup2' } }],
  },
};

describe('Function: answerMacroRequest', () => {
  it('echoes the requestId and answers success with the expanded fragment', () => {
    const answer = answerMacroRequest(
      { requestId: 'r-1', fragment: templateWith(BRIDGE), templateParameterValues: {} },
      FUNCTIONS,
    );

    expect(answer).toMatchObject({ requestId: 'r-1', status: 'success' });
    expect(Object.keys((answer.fragment as { Resources: Json }).Resources)).toContain(
      'WebStaticIpsNlb',
    );
  });

  it('gives a template without a bridge back as it came, and never changes the one given', () => {
    const fragment = templateWith(BRIDGE);
    delete (fragment.Resources as Json).WebStaticIps;
    const before = structuredClone(fragment);

    const answer = answerMacroRequest({ requestId: 'r-2', fragment }, FUNCTIONS);

    expect(answer).toEqual({ requestId: 'r-2', status: 'success', fragment: before });
    expect(fragment).toEqual(before);
  });

  it('answers failure with a message naming the bridge, the property and the value', () => {
    const answer = answerMacroRequest(
      { requestId: 'r-3', fragment: templateWith({ ...BRIDGE, Ports: ['https'] }) },
      FUNCTIONS,
    );

    expect(answer).toMatchObject({ requestId: 'r-3', status: 'failure' });
    expect(answer.status === 'failure' && answer.errorMessage).toBe(
      'AlbStaticIp: Resources.WebStaticIps (AlbStaticIp::Bridge): Ports[0]: got "https"; expected a port number from 1 to 65535, or an intrinsic function',
    );
  });

  it.each([null, 'text', [], { requestId: 7 }, { requestId: 'r', fragment: [] }])(
    'answers whatever it is sent (%j), and throws nothing',
    (event) => {
      const answer = answerMacroRequest(event, FUNCTIONS);
      expect(['success', 'failure']).toContain(answer.status);
      expect(typeof answer.requestId).toBe('string');
    },
  );
});

describe('Function: expandTemplate, the bridge it makes', () => {
  it('makes the whole bridge, its ids starting with the bridge id, and keeps the user’s resources', () => {
    const { Resources, Outputs } = expanded(BRIDGE);

    expect(Object.keys(Resources).sort()).toEqual(
      [
        'WebAlb',
        'WebStaticIpsElasticIp1',
        'WebStaticIpsElasticIp2',
        'WebStaticIpsNlb',
        'WebStaticIpsTargetGroup1',
        'WebStaticIpsListener1',
        'WebStaticIpsTargetGroup2',
        'WebStaticIpsListener2',
        'WebStaticIpsSync',
        'WebStaticIpsSyncSchedule',
        'WebStaticIpsEniChange',
        'WebStaticIpsNlbPrivateIps',
        'WebStaticIpsAlbIngressIp1Port1',
        'WebStaticIpsAlbIngressIp1Port2',
        'WebStaticIpsAlbIngressIp2Port1',
        'WebStaticIpsAlbIngressIp2Port2',
        'WebStaticIpsSyncErrorsAlarm',
        'WebStaticIpsIpsOutsideNlbZonesAlarm',
        'WebStaticIpsLookalikeEnisAlarm',
        'WebStaticIpsHealthyHosts1Alarm',
        'WebStaticIpsHealthyHosts2Alarm',
      ].sort(),
    );
    expect(Object.keys(Outputs).sort()).toEqual(
      [
        'AlbDns',
        'WebStaticIpsStaticIps',
        'WebStaticIpsNlbArn',
        'WebStaticIpsNlbDnsName',
        'WebStaticIpsNlbPrivateIps',
        'WebStaticIpsTargetGroupArns',
        'WebStaticIpsTargetMode',
        'WebStaticIpsAlbArn',
      ].sort(),
    );
    expect(Outputs.WebStaticIpsTargetMode).toEqual({
      Description:
        'How the NLB of WebStaticIps reaches the ALB - ip (IP target groups kept in sync) or alb (the ALB registered).',
      Value: 'ip',
    });
    expect(Outputs.WebStaticIpsAlbArn).toEqual({
      Description: 'ARN of the Application Load Balancer behind the NLB of WebStaticIps.',
      Value: { Ref: 'WebAlb' },
    });
    expect(Outputs.WebStaticIpsTargetGroupArns).toMatchObject({
      Description: 'The target groups WebStaticIps keeps in sync with the ALB, comma-separated.',
    });
  });

  it('gives each subnet an Elastic IP that outlives the stack, except when its Create fails', () => {
    const { Resources } = expanded(BRIDGE);

    expect(Resources.WebStaticIpsElasticIp2).toEqual({
      Type: 'AWS::EC2::EIP',
      DeletionPolicy: 'RetainExceptOnCreate',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        Domain: 'vpc',
        Tags: [{ Key: 'Name', Value: { 'Fn::Sub': '${AWS::StackName}-WebStaticIps-2' } }],
      },
    });
    expect(Resources.WebStaticIpsNlb).toMatchObject({
      Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
      Properties: {
        Type: 'network',
        Scheme: 'internet-facing',
        SubnetMappings: [
          {
            SubnetId: 'subnet-0000000000000000a',
            AllocationId: { 'Fn::GetAtt': ['WebStaticIpsElasticIp1', 'AllocationId'] },
          },
          {
            SubnetId: 'subnet-0000000000000000b',
            AllocationId: { 'Fn::GetAtt': ['WebStaticIpsElasticIp2', 'AllocationId'] },
          },
        ],
        LoadBalancerAttributes: [
          { Key: 'load_balancing.cross_zone.enabled', Value: 'true' },
          { Key: 'deletion_protection.enabled', Value: 'false' },
          { Key: 'access_logs.s3.enabled', Value: 'false' },
        ],
      },
    });
  });

  it('makes an IP target group and a TCP listener per port, each group tagged as managed', () => {
    const { Resources } = expanded(BRIDGE);

    expect(Resources.WebStaticIpsTargetGroup2).toMatchObject({
      Properties: {
        TargetType: 'ip',
        Protocol: 'TCP',
        Port: 443,
        VpcId: 'vpc-0123456789abcdef0',
        Tags: [MANAGED_TAG],
      },
    });
    expect(Resources.WebStaticIpsListener2).toEqual(LISTENER_443);
  });

  it('wires the sync, its rules and nlb-private-ips to the shared functions', () => {
    const { Resources } = expanded(BRIDGE);

    expect(Resources.WebStaticIpsSync).toEqual({
      Type: 'AWS::CloudFormation::CustomResource',
      Properties: {
        ServiceToken: FUNCTIONS.syncFunctionArn,
        ServiceTimeout: 300,
        LoadBalancerArn: { Ref: 'WebAlb' },
        TargetGroupArns: [1, 2].map((n) => ({
          'Fn::Select': [
            0,
            [{ Ref: `WebStaticIpsTargetGroup${n}` }, { Ref: `WebStaticIpsListener${n}` }],
          ],
        })),
        DryRun: false,
      },
    });
    const [target] = (Resources.WebStaticIpsSyncSchedule as { Properties: { Targets: Json[] } })
      .Properties.Targets;
    expect(target).toEqual({
      Id: 'target-group-sync',
      Arn: FUNCTIONS.syncFunctionArn,
      Input: {
        'Fn::Sub': [
          '{"LoadBalancerArn":"${LoadBalancerArn}","TargetGroupArns":[${Arns}],"DryRun":false}',
          {
            LoadBalancerArn: { Ref: 'WebAlb' },
            Arns: {
              'Fn::Join': [
                ',',
                [
                  { 'Fn::Sub': '"${WebStaticIpsTargetGroup1}"' },
                  { 'Fn::Sub': '"${WebStaticIpsTargetGroup2}"' },
                ],
              ],
            },
          },
        ],
      },
      RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 300 },
      DeadLetterConfig: { Arn: FUNCTIONS.deadLetterQueueArn },
    });
    expect(Resources.WebStaticIpsSyncSchedule).toMatchObject({
      DependsOn: 'WebStaticIpsSync',
      Properties: { ScheduleExpression: 'rate(1 minute)' },
    });
    expect(Resources.WebStaticIpsEniChange).toMatchObject({ DependsOn: 'WebStaticIpsSync' });
    expect(Resources.WebStaticIpsNlbPrivateIps).toEqual({
      Type: 'AWS::CloudFormation::CustomResource',
      DependsOn: 'WebStaticIpsListener1',
      Properties: {
        ServiceToken: FUNCTIONS.nlbPrivateIpsFunctionArn,
        ServiceTimeout: 300,
        LoadBalancerArn: { Ref: 'WebStaticIpsNlb' },
        ReturnIngressRules: false,
      },
    });
  });

  it('names the discovery role and its external id in the sync’s input, for an ALB in another account', () => {
    // Prepare
    const role = 'arn:aws:iam::210987654321:role/alb-static-ip/discovery';

    // Act
    const { Resources } = expanded({
      ...BRIDGE,
      DiscoveryRoleArn: role,
      DiscoveryExternalId: { Ref: 'ExternalId' },
    });

    // Assess
    expect(Resources.WebStaticIpsSync?.Properties).toMatchObject({
      DiscoveryRoleArn: role,
      DiscoveryExternalId: { Ref: 'ExternalId' },
    });
    for (const rule of ['WebStaticIpsSyncSchedule', 'WebStaticIpsEniChange']) {
      const [target] = (Resources[rule] as { Properties: { Targets: Json[] } }).Properties.Targets;
      expect(target?.Input).toEqual({
        'Fn::Sub': [
          '{"LoadBalancerArn":"${LoadBalancerArn}","TargetGroupArns":[${Arns}],"DryRun":false,"DiscoveryRoleArn":"${DiscoveryRoleArn}","DiscoveryExternalId":"${DiscoveryExternalId}"}',
          expect.objectContaining({
            DiscoveryRoleArn: role,
            DiscoveryExternalId: { Ref: 'ExternalId' },
          }),
        ],
      });
    }
    const withoutId = expanded({ ...BRIDGE, DiscoveryRoleArn: role }).Resources;
    expect(withoutId.WebStaticIpsSync?.Properties).not.toHaveProperty('DiscoveryExternalId');
  });

  it('opens the ALB group to each NLB private IP on each port, with resources of the user’s stack', () => {
    const { Resources } = expanded(BRIDGE);
    const ingress = Object.entries(Resources).filter(
      ([, resource]) => resource.Type === 'AWS::EC2::SecurityGroupIngress',
    );

    expect(Object.fromEntries(ingress)).toEqual(
      Object.fromEntries(
        [1, 2].flatMap((ip) =>
          [80, 443].map((port, portIndex) => [
            `WebStaticIpsAlbIngressIp${ip}Port${portIndex + 1}`,
            {
              Type: 'AWS::EC2::SecurityGroupIngress',
              Properties: {
                GroupId: 'sg-0123456789abcdef0',
                IpProtocol: 'tcp',
                FromPort: port,
                ToPort: port,
                CidrIp: {
                  'Fn::Select': [ip - 1, { 'Fn::GetAtt': ['WebStaticIpsNlbPrivateIps', 'Cidrs'] }],
                },
                Description: `From NLB WebStaticIps private IP ${ip} (alb-static-ip)`,
              },
            },
          ]),
        ),
      ),
    );
    const { AlbSecurityGroupId: _group, ...withoutGroup } = BRIDGE;
    expect(
      Object.values(expanded(withoutGroup).Resources).filter(
        (resource) => resource.Type === 'AWS::EC2::SecurityGroupIngress',
      ),
    ).toEqual([]);
  });

  it('alarms on this ALB’s sync errors and outside IPs, and on each listener’s health', () => {
    const topic = 'arn:aws:sns:us-east-1:123456789012:ops';
    const { Resources } = expanded({ ...BRIDGE, AlarmTopicArn: topic });
    const alb = { 'Fn::Select': [1, { 'Fn::Split': ['loadbalancer/', { Ref: 'WebAlb' }] }] };
    const syncDimensions = [
      { Name: 'service', Value: 'target-group-sync' },
      { Name: 'LoadBalancer', Value: alb },
    ];

    expect(Resources.WebStaticIpsSyncErrorsAlarm).toEqual({
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        AlarmDescription:
          'target-group-sync failed to sync one or more target groups of WebStaticIps.',
        Namespace: 'AlbStaticIp',
        MetricName: 'SyncErrors',
        Dimensions: syncDimensions,
        Statistic: 'Sum',
        Period: 300,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [topic],
        OKActions: [topic],
      },
    });
    expect(Resources.WebStaticIpsIpsOutsideNlbZonesAlarm).toMatchObject({
      Properties: {
        MetricName: 'IpsOutsideNlbZones',
        Dimensions: syncDimensions,
        Statistic: 'Maximum',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
      },
    });
    expect(Resources.WebStaticIpsHealthyHosts2Alarm).toEqual({
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        AlarmDescription:
          'No healthy ALB target behind the NLB listener of WebStaticIps on port 443.',
        Namespace: 'AWS/NetworkELB',
        MetricName: 'HealthyHostCount',
        Dimensions: [
          {
            Name: 'TargetGroup',
            Value: { 'Fn::GetAtt': ['WebStaticIpsTargetGroup2', 'TargetGroupFullName'] },
          },
          {
            Name: 'LoadBalancer',
            Value: { 'Fn::GetAtt': ['WebStaticIpsNlb', 'LoadBalancerFullName'] },
          },
        ],
        Statistic: 'Minimum',
        Period: 60,
        EvaluationPeriods: 3,
        Threshold: 1,
        ComparisonOperator: 'LessThanThreshold',
        TreatMissingData: 'breaching',
        AlarmActions: [topic],
        OKActions: [topic],
      },
    });
    expect(expanded(BRIDGE).Resources.WebStaticIpsSyncErrorsAlarm).toMatchObject({
      Properties: { AlarmActions: [], OKActions: [] },
    });
  });

  it('counts what a bridge makes: zones + 3 × ports + zones × ports + 8, as the README says', () => {
    const subnets = (count: number) =>
      Array.from({ length: count }, (_, index) => `subnet-${String(index).padStart(17, '0')}`);
    const ports = (count: number) => Array.from({ length: count }, (_, index) => 8000 + index);
    const count = (properties: Json) => Object.keys(expanded(properties).Resources).length - 1;

    for (const [zones, portCount] of [
      [1, 1],
      [2, 2],
      [3, 2],
      [4, 5],
    ] as const) {
      const full = { ...BRIDGE, SubnetIds: subnets(zones), Ports: ports(portCount) };
      const { AlbSecurityGroupId: _group, ...withoutGroup } = full;
      expect(count(full)).toBe(zones + 3 * portCount + zones * portCount + 8);
      expect(count(withoutGroup)).toBe(zones + 3 * portCount + 8);
      expect(count({ ...full, ReactToEniEvents: false })).toBe(count(full) - 1);
      expect(count({ ...full, VpcLink: true })).toBe(count(full) + 1);
      expect(count({ ...full, Scheme: 'internal' })).toBe(count(full) - zones);
    }
  });

  it('refuses more ingress rules than a security group holds, and takes exactly that many', () => {
    const subnets = [
      'subnet-0000000000000000a',
      'subnet-0000000000000000b',
      'subnet-0000000000000000c',
    ];
    const ports = (count: number) => Array.from({ length: count }, (_, index) => 8000 + index);

    expect(problemsOf({ ...BRIDGE, SubnetIds: subnets, Ports: ports(21) })).toEqual([
      "Resources.WebStaticIps (AlbStaticIp::Bridge): AlbSecurityGroupId: given with 3 subnets and 21 ports, 63 ingress rules; expected at most 60, the inbound rules a security group holds by default. Leave AlbSecurityGroupId out and admit the NLB's subnets in the ALB's group yourself, or use fewer ports",
    ]);
    expect(problemsOf({ ...BRIDGE, SubnetIds: subnets, Ports: ports(20) })).toEqual([]);
    const { AlbSecurityGroupId: _group, ...withoutGroup } = BRIDGE;
    expect(problemsOf({ ...withoutGroup, SubnetIds: subnets, Ports: ports(21) })).toEqual([]);
  });

  it('names a port it cannot read yet in the health alarm through Fn::Sub', () => {
    const port = { 'Fn::Select': [0, { Ref: 'Ports' }] };
    const { Resources } = expanded({ ...BRIDGE, Ports: [port] });

    expect(Resources.WebStaticIpsHealthyHosts1Alarm).toMatchObject({
      Properties: {
        AlarmDescription: {
          'Fn::Sub': [
            'No healthy ALB target behind the NLB listener of WebStaticIps on port ${Port}.',
            { Port: port },
          ],
        },
      },
    });
  });

  it('matches only this ALB’s interface creations, by the description its ARN gives', () => {
    const { Resources } = expanded(BRIDGE);
    const pattern = (Resources.WebStaticIpsEniChange as { Properties: { EventPattern: Json } })
      .Properties.EventPattern;

    expect(pattern).toMatchObject({
      detail: {
        errorCode: [{ exists: false }],
        $or: [
          {
            eventName: ['CreateNetworkInterface'],
            requestParameters: {
              description: [
                {
                  'Fn::Sub': [
                    'ELB ${Alb}',
                    {
                      Alb: {
                        'Fn::Select': [1, { 'Fn::Split': ['loadbalancer/', { Ref: 'WebAlb' }] }],
                      },
                    },
                  ],
                },
              ],
            },
          },
          { eventName: ['DeleteNetworkInterface'] },
        ],
      },
    });
  });

  it('makes no NLB security group unless asked, and keeps to the private-ips rules by default', () => {
    const { Resources, Outputs } = expanded(BRIDGE);
    expect(Resources).not.toHaveProperty('WebStaticIpsNlbSecurityGroup');
    expect(Resources.WebStaticIpsNlb?.Properties).not.toHaveProperty('SecurityGroups');
    expect(Outputs).not.toHaveProperty('WebStaticIpsNlbSecurityGroupId');
    expect(Resources).toHaveProperty('WebStaticIpsAlbIngressIp1Port1');
    expect(Resources).not.toHaveProperty('WebStaticIpsAlbIngressPort1');
  });

  it('gives the NLB its own group: clients in on each port, out to the ports only', () => {
    const { Resources, Outputs } = expanded({ ...BRIDGE, NlbSecurityGroup: 'true' });
    const groupId = { 'Fn::GetAtt': ['WebStaticIpsNlbSecurityGroup', 'GroupId'] };
    expect(Resources.WebStaticIpsNlb?.Properties).toMatchObject({ SecurityGroups: [groupId] });
    const tcp = (port: number, cidr: string, description: string) => ({
      IpProtocol: 'tcp',
      FromPort: port,
      ToPort: port,
      CidrIp: cidr,
      Description: description,
    });
    expect(Resources.WebStaticIpsNlbSecurityGroup).toEqual({
      Type: 'AWS::EC2::SecurityGroup',
      Properties: {
        GroupDescription: 'alb-static-ip NLB - clients in on the listener ports, out to the ALB',
        VpcId: 'vpc-0123456789abcdef0',
        SecurityGroupIngress: [
          tcp(80, '0.0.0.0/0', 'Clients, on a listener port'),
          tcp(443, '0.0.0.0/0', 'Clients, on a listener port'),
          {
            IpProtocol: 'icmp',
            FromPort: 3,
            ToPort: 4,
            CidrIp: '0.0.0.0/0',
            Description: 'Path MTU discovery',
          },
        ],
        SecurityGroupEgress: [
          tcp(80, '0.0.0.0/0', 'To the ALB, traffic and health checks'),
          tcp(443, '0.0.0.0/0', 'To the ALB, traffic and health checks'),
        ],
        Tags: [{ Key: 'Name', Value: { 'Fn::Sub': '${AWS::StackName}-WebStaticIps-nlb' } }],
      },
    });
    expect(Outputs.WebStaticIpsNlbSecurityGroupId).toMatchObject({ Value: groupId });
    // private-ips still: the rules per NLB private IP, none by reference.
    expect(Resources).toHaveProperty('WebStaticIpsAlbIngressIp2Port2');
    expect(Resources).not.toHaveProperty('WebStaticIpsAlbIngressPort1');
  });

  it("admits an internal NLB's clients from NlbClientCidr, and fragmentation needed from anywhere", () => {
    // Prepare / Act
    const { Resources } = expanded({
      ...BRIDGE,
      Scheme: 'internal',
      NlbSecurityGroup: true,
      NlbClientCidr: '10.0.0.0/16',
    });

    // Assess: the ICMP comes from whichever router on the path has the smaller MTU, not a client.
    const ingress = ((Resources.WebStaticIpsNlbSecurityGroup?.Properties ?? {}) as Json)
      .SecurityGroupIngress as Json[];
    expect(ingress.map((rule) => [rule.IpProtocol, rule.FromPort, rule.CidrIp])).toEqual([
      ['tcp', 80, '10.0.0.0/16'],
      ['tcp', 443, '10.0.0.0/16'],
      ['icmp', 3, '0.0.0.0/0'],
    ]);
    expect(ingress[2]).toMatchObject({ FromPort: 3, ToPort: 4 });
  });

  it("turns the NLB group's inbound rules off for PrivateLink traffic with a VPC link, and only then", () => {
    // Prepare / Act
    const nlbOf = (properties: Json) => expanded(properties).Resources.WebStaticIpsNlb?.Properties;
    const withLink = nlbOf({ ...BRIDGE, NlbSecurityGroup: true, VpcLink: true });
    const withoutLink = nlbOf({ ...BRIDGE, NlbSecurityGroup: true });
    const linkWithoutGroup = nlbOf({ ...BRIDGE, VpcLink: true });

    // Assess
    expect(withLink).toMatchObject({ EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic: 'off' });
    expect(withoutLink).toMatchObject({
      EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic: 'on',
    });
    expect(linkWithoutGroup).not.toHaveProperty(
      'EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic',
    );
  });

  it.each([
    ['no NlbDeletionProtection', {}, 'false'],
    ['true', { NlbDeletionProtection: true }, 'true'],
    ['false', { NlbDeletionProtection: false }, 'false'],
    ['"false"', { NlbDeletionProtection: 'false' }, 'false'],
    ['"true"', { NlbDeletionProtection: 'true' }, 'true'],
    ['a Ref to a parameter', { NlbDeletionProtection: { Ref: 'Protect' } }, { Ref: 'Protect' }],
  ])("sets the NLB's deletion protection from %s, cross-zone kept", (_given, properties, value) => {
    // Act
    const { Resources } = expanded({ ...BRIDGE, ...properties });

    // Assess: the text Elastic Load Balancing takes, or what CloudFormation will resolve.
    expect(Resources.WebStaticIpsNlb?.Properties).toMatchObject({
      LoadBalancerAttributes: [
        { Key: 'load_balancing.cross_zone.enabled', Value: 'true' },
        { Key: 'deletion_protection.enabled', Value: value },
        { Key: 'access_logs.s3.enabled', Value: 'false' },
      ],
    });
  });

  it.each([
    ['a bucket name', 'my-nlb-logs'],
    ['a Ref to a parameter', { Ref: 'LogBucket' }],
  ])("with TLS, sends the NLB's access logs to %s, and only then", (_given, bucket) => {
    // Prepare
    const tls = { ...BRIDGE, CertificateArn: { Ref: 'Certificate' } };

    // Act
    const logged = expanded({ ...tls, NlbAccessLogBucket: bucket });
    const unlogged = expanded(tls);

    // Assess: enabled is written out either way, so that removing the bucket turns logs off.
    expect(logged.Resources.WebStaticIpsNlb?.Properties).toMatchObject({
      LoadBalancerAttributes: [
        { Key: 'load_balancing.cross_zone.enabled', Value: 'true' },
        { Key: 'deletion_protection.enabled', Value: 'false' },
        { Key: 'access_logs.s3.enabled', Value: 'true' },
        { Key: 'access_logs.s3.bucket', Value: bucket },
      ],
    });
    expect(unlogged.Resources.WebStaticIpsNlb?.Properties).toMatchObject({
      LoadBalancerAttributes: [
        { Key: 'load_balancing.cross_zone.enabled', Value: 'true' },
        { Key: 'deletion_protection.enabled', Value: 'false' },
        { Key: 'access_logs.s3.enabled', Value: 'false' },
      ],
    });
  });

  it('security-group: one ALB rule per port from the NLB group, and no rule per private IP', () => {
    const { Resources } = expanded({
      ...BRIDGE,
      NlbSecurityGroup: true,
      AlbIngressMode: 'security-group',
    });
    const byReference = Object.keys(Resources).filter(
      (id) => Resources[id]?.Type === 'AWS::EC2::SecurityGroupIngress',
    );
    expect(byReference).toEqual(['WebStaticIpsAlbIngressPort1', 'WebStaticIpsAlbIngressPort2']);
    expect(Resources.WebStaticIpsAlbIngressPort2).toEqual({
      Type: 'AWS::EC2::SecurityGroupIngress',
      Properties: {
        GroupId: 'sg-0123456789abcdef0',
        IpProtocol: 'tcp',
        FromPort: 443,
        ToPort: 443,
        SourceSecurityGroupId: { 'Fn::GetAtt': ['WebStaticIpsNlbSecurityGroup', 'GroupId'] },
        Description: 'From the NLB security group of WebStaticIps (alb-static-ip)',
      },
    });
  });

  it('none: no ingress rule at all', () => {
    const { Resources } = expanded({
      ...BRIDGE,
      AlbSecurityGroupId: undefined,
      AlbIngressMode: 'none',
    });
    expect(
      Object.values(Resources).filter((each) => each.Type === 'AWS::EC2::SecurityGroupIngress'),
    ).toEqual([]);
  });

  it('takes more ports than 60 rules by IP would allow when the ALB group admits the NLB group', () => {
    const ports = Array.from({ length: 31 }, (_, index) => 1000 + index);
    const properties = { ...BRIDGE, Ports: ports, NlbSecurityGroup: true };
    expect(problemsOf(properties).join()).toContain('AlbSecurityGroupId: given with 2 subnets');
    expect(problemsOf({ ...properties, AlbIngressMode: 'security-group' })).toEqual([]);
  });

  it('makes an internal NLB with fixed private IPs and no Elastic IP', () => {
    const { Resources, Outputs } = expanded({
      ...BRIDGE,
      Scheme: 'internal',
      PrivateIpAddresses: ['10.0.0.10', '10.0.1.10'],
    });

    expect(Object.keys(Resources).filter((id) => id.includes('ElasticIp'))).toEqual([]);
    expect(Outputs).not.toHaveProperty('WebStaticIpsStaticIps');
    expect((Resources.WebStaticIpsNlb as { Properties: Json }).Properties).toMatchObject({
      Scheme: 'internal',
      SubnetMappings: [
        { SubnetId: 'subnet-0000000000000000a', PrivateIPv4Address: '10.0.0.10' },
        { SubnetId: 'subnet-0000000000000000b', PrivateIPv4Address: '10.0.1.10' },
      ],
    });
  });

  it('keeps the Elastic IPs it is given, and allocates none', () => {
    const { Resources } = expanded({
      ...BRIDGE,
      ElasticIpAllocationIds: ['eipalloc-0000000000000000a', { Ref: 'SecondEip' }],
    });

    expect(Object.keys(Resources).filter((id) => id.includes('ElasticIp'))).toEqual([]);
    expect((Resources.WebStaticIpsNlb as { Properties: Json }).Properties).toMatchObject({
      SubnetMappings: [
        { AllocationId: 'eipalloc-0000000000000000a' },
        { AllocationId: { Ref: 'SecondEip' } },
      ],
    });
  });

  it('makes TLS listeners and target groups with a certificate', () => {
    const certificate = { Ref: 'Certificate' };
    const { Resources } = expanded({ ...BRIDGE, CertificateArn: certificate });

    expect(Resources.WebStaticIpsListener1).toMatchObject({
      Properties: {
        Protocol: 'TLS',
        Certificates: [{ CertificateArn: certificate }],
        SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      },
    });
    expect(Resources.WebStaticIpsTargetGroup1).toMatchObject({ Properties: { Protocol: 'TLS' } });
  });

  it.each([
    [
      'a list',
      ['subnet-0000000000000000a', 'subnet-0000000000000000b', 'subnet-0000000000000000c'],
    ],
    [
      'comma-separated',
      'subnet-0000000000000000a,subnet-0000000000000000b,subnet-0000000000000000c',
    ],
  ])('counts a Ref to a list parameter by its value (%s), and keeps the reference', (_, value) => {
    const { Resources } = expanded(
      { ...BRIDGE, SubnetIds: { Ref: 'PublicSubnets' } },
      { PublicSubnets: value },
    );

    expect(
      (
        Resources.WebStaticIpsNlb as { Properties: { SubnetMappings: Json[] } }
      ).Properties.SubnetMappings.map((mapping) => mapping.SubnetId),
    ).toEqual([0, 1, 2].map((index) => ({ 'Fn::Select': [index, { Ref: 'PublicSubnets' }] })));
    expect(Resources).toHaveProperty('WebStaticIpsElasticIp3');
  });

  it('makes 4 subnet mappings and 5 listeners when asked: there are no fixed slots', () => {
    const subnets = ['a', 'b', 'c', 'd'].map((letter) =>
      `subnet-000000000000000${letter}0`.slice(0, 24),
    );
    const { Resources } = expanded({
      ...BRIDGE,
      SubnetIds: subnets,
      Ports: [80, 443, 8080, 8443, 9000],
    });

    expect(
      Object.keys(Resources).filter((id) => id.startsWith('WebStaticIpsListener')),
    ).toHaveLength(5);
    expect(
      Object.keys(Resources).filter((id) => id.startsWith('WebStaticIpsElasticIp')),
    ).toHaveLength(4);
  });

  it('makes a VPC link when asked, and leaves out the ENI rule when told to', () => {
    const { Resources, Outputs } = expanded({
      ...BRIDGE,
      VpcLink: 'true',
      ReactToEniEvents: false,
    });

    expect(Resources.WebStaticIpsVpcLink).toMatchObject({
      Type: 'AWS::ApiGateway::VpcLink',
      Properties: { TargetArns: [{ Ref: 'WebStaticIpsNlb' }] },
    });
    expect(Outputs.WebStaticIpsVpcLinkId).toMatchObject({ Value: { Ref: 'WebStaticIpsVpcLink' } });
    expect(Resources).not.toHaveProperty('WebStaticIpsEniChange');
  });

  it('gives everything a conditional bridge makes its condition', () => {
    const { Resources, Outputs } = expanded(BRIDGE, {}, { Condition: 'Always' });

    for (const [id, resource] of Object.entries(Resources)) {
      if (id !== 'WebAlb') expect(resource.Condition, id).toBe('Always');
    }
    for (const [id, output] of Object.entries(Outputs)) {
      if (id !== 'AlbDns') expect(output.Condition, id).toBe('Always');
    }
  });
});

describe('Function: expandTemplate, TargetMode alb', () => {
  const ALB_BRIDGE = { ...BRIDGE, TargetMode: 'alb' };

  it('makes groups of type alb with the ALB registered on each port, untagged and with no attributes', () => {
    // Prepare / Act
    const { Resources } = expanded(ALB_BRIDGE);

    // Assess
    for (const [index, port] of [80, 443].entries()) {
      expect(Resources[`WebStaticIpsTargetGroup${index + 1}`]).toEqual({
        Type: 'AWS::ElasticLoadBalancingV2::TargetGroup',
        Properties: {
          TargetType: 'alb',
          Protocol: 'TCP',
          Port: port,
          VpcId: 'vpc-0123456789abcdef0',
          HealthCheckProtocol: 'HTTPS',
          HealthCheckPath: '/',
          HealthCheckIntervalSeconds: 10,
          HealthCheckTimeoutSeconds: 6,
          HealthyThresholdCount: 3,
          UnhealthyThresholdCount: 3,
          Targets: [{ Id: { Ref: 'WebAlb' }, Port: port }],
        },
      });
    }
    expect(Resources.WebStaticIpsListener2).toEqual(LISTENER_443);
  });

  it('makes nothing that syncs: no sync, no rules, no sync alarms; the rest as in ip', () => {
    // Prepare
    const ip = Object.keys(expanded(BRIDGE).Resources);

    // Act
    const alb = Object.keys(expanded(ALB_BRIDGE).Resources);

    // Assess
    expect(alb.sort()).toEqual(
      ip
        .filter(
          (id) =>
            ![
              'WebStaticIpsSync',
              'WebStaticIpsSyncSchedule',
              'WebStaticIpsEniChange',
              'WebStaticIpsSyncErrorsAlarm',
              'WebStaticIpsIpsOutsideNlbZonesAlarm',
              'WebStaticIpsLookalikeEnisAlarm',
            ].includes(id),
        )
        .sort(),
    );
    expect(alb).toEqual(
      expect.arrayContaining([
        'WebStaticIpsNlbPrivateIps',
        'WebStaticIpsAlbIngressIp2Port2',
        'WebStaticIpsHealthyHosts2Alarm',
      ]),
    );
    expect(
      Object.values(expanded(ALB_BRIDGE).Resources).map((resource) => resource.Type),
    ).not.toContain('AWS::Events::Rule');
  });

  it('counts what it makes: zones + 3 × ports + zones × ports + 2', () => {
    const count = (properties: Json) => Object.keys(expanded(properties).Resources).length - 1;
    const subnets = ['subnet-0000000000000000a', 'subnet-0000000000000000b'];
    const ports = [80, 443, 8443];
    const { AlbSecurityGroupId: _group, ...withoutGroup } = ALB_BRIDGE;

    expect(count({ ...ALB_BRIDGE, SubnetIds: subnets, Ports: ports })).toBe(2 + 9 + 6 + 2);
    expect(count({ ...withoutGroup, SubnetIds: subnets, Ports: ports })).toBe(2 + 9 + 2);
  });

  it.each([
    [443, '443'],
    ['8443', '8443'],
    [{ Ref: 'CheckPort' }, { Ref: 'CheckPort' }],
  ])('checks through the port given (%j), written as CloudFormation takes it', (given, written) => {
    // Prepare / Act
    const { Resources } = expanded(
      {
        ...ALB_BRIDGE,
        AlbHealthCheckProtocol: 'HTTP',
        AlbHealthCheckPort: given,
        AlbHealthCheckPath: '/healthz',
      },
      { CheckPort: '443' },
    );

    // Assess
    for (const group of ['WebStaticIpsTargetGroup1', 'WebStaticIpsTargetGroup2']) {
      expect(Resources[group]?.Properties).toMatchObject({
        HealthCheckProtocol: 'HTTP',
        HealthCheckPort: written,
        HealthCheckPath: '/healthz',
      });
    }
  });

  it('opens a health check port beyond Ports: out of the NLB group, into the ALB group per NLB IP', () => {
    // Prepare / Act: the checks go through the ALB's listener on 8443, which is none of Ports.
    const { Resources } = expanded({
      ...ALB_BRIDGE,
      NlbSecurityGroup: true,
      AlbHealthCheckPort: 8443,
    });

    // Assess: health checks obey the NLB group's outbound rules, and the ALB's group's inbound ones.
    const egress = ((Resources.WebStaticIpsNlbSecurityGroup?.Properties ?? {}) as Json)
      .SecurityGroupEgress as Json[];
    expect(egress.map((rule) => rule.FromPort)).toEqual([80, 443, 8443]);
    expect(egress[2]).toEqual({
      IpProtocol: 'tcp',
      FromPort: 8443,
      ToPort: 8443,
      CidrIp: '0.0.0.0/0',
      Description: 'To the ALB, health checks',
    });
    for (const ip of [1, 2]) {
      expect(Resources[`WebStaticIpsAlbIngressIp${ip}HealthChecks`]).toEqual({
        Type: 'AWS::EC2::SecurityGroupIngress',
        Properties: {
          GroupId: 'sg-0123456789abcdef0',
          IpProtocol: 'tcp',
          FromPort: 8443,
          ToPort: 8443,
          CidrIp: {
            'Fn::Select': [ip - 1, { 'Fn::GetAtt': ['WebStaticIpsNlbPrivateIps', 'Cidrs'] }],
          },
          Description: `From NLB WebStaticIps private IP ${ip} (alb-static-ip)`,
        },
      });
    }
  });

  it('security-group: opens a health check port beyond Ports to the NLB group, by reference', () => {
    // Prepare / Act: the port comes from the template's parameters.
    const { Resources } = expanded(
      {
        ...ALB_BRIDGE,
        NlbSecurityGroup: true,
        AlbIngressMode: 'security-group',
        AlbHealthCheckPort: { Ref: 'CheckPort' },
      },
      { CheckPort: '8443' },
    );

    // Assess
    expect(Resources.WebStaticIpsAlbIngressHealthChecks).toEqual({
      Type: 'AWS::EC2::SecurityGroupIngress',
      Properties: {
        GroupId: 'sg-0123456789abcdef0',
        IpProtocol: 'tcp',
        FromPort: { Ref: 'CheckPort' },
        ToPort: { Ref: 'CheckPort' },
        SourceSecurityGroupId: { 'Fn::GetAtt': ['WebStaticIpsNlbSecurityGroup', 'GroupId'] },
        Description: 'From the NLB security group of WebStaticIps (alb-static-ip)',
      },
    });
    const egress = ((Resources.WebStaticIpsNlbSecurityGroup?.Properties ?? {}) as Json)
      .SecurityGroupEgress as Json[];
    expect(egress.map((rule) => rule.FromPort)).toEqual([80, 443, { Ref: 'CheckPort' }]);
  });

  it('opens nothing more for a health check port among Ports', () => {
    // Prepare / Act
    const { Resources } = expanded({
      ...ALB_BRIDGE,
      NlbSecurityGroup: true,
      AlbHealthCheckPort: '443',
    });

    // Assess
    const egress = ((Resources.WebStaticIpsNlbSecurityGroup?.Properties ?? {}) as Json)
      .SecurityGroupEgress as Json[];
    expect(egress.map((rule) => rule.FromPort)).toEqual([80, 443]);
    expect(Object.keys(Resources).filter((id) => id.endsWith('HealthChecks'))).toEqual([]);
  });

  it('refuses a health check port it cannot compare with Ports when a group would need it', () => {
    expect(
      problemsOf({
        ...ALB_BRIDGE,
        AlbHealthCheckPort: { 'Fn::GetAtt': ['CheckPortSource', 'Port'] },
      }),
    ).toEqual([
      expect.stringMatching(
        /^Resources\.WebStaticIps \(AlbStaticIp::Bridge\): AlbHealthCheckPort: got \{"Fn::GetAtt":\["CheckPortSource","Port"\]\} with Ports \[80,"443"\]; expected ports the bridge can read/,
      ),
    ]);
  });

  it('counts a health check port beyond Ports among the ingress rules a group holds', () => {
    // Prepare: 12 zones and 4 ports make 48 rules; the health check port makes 60, then 72.
    const subnets = (count: number) =>
      Array.from({ length: count }, (_, index) => `subnet-${String(index).padStart(17, '0')}`);
    const bridge = (zones: number) => ({
      ...ALB_BRIDGE,
      SubnetIds: subnets(zones),
      Ports: [80, 443, 8080, 8443],
      AlbHealthCheckPort: 9443,
    });

    // Act / Assess
    expect(problemsOf(bridge(12))).toEqual([]);
    expect(problemsOf(bridge(13))).toEqual([
      expect.stringContaining(
        'AlbSecurityGroupId: given with 13 subnets and 5 ports, 65 ingress rules; expected at most 60',
      ),
    ]);
  });

  it('checks each group through its own port when given none', () => {
    const { Resources } = expanded(ALB_BRIDGE);

    expect(Resources.WebStaticIpsTargetGroup1?.Properties).not.toHaveProperty('HealthCheckPort');
  });

  it('registers the ALB as given, by ARN or intrinsic', () => {
    const { Resources, Outputs } = expanded({ ...ALB_BRIDGE, LoadBalancerArn: ALB });

    expect(Resources.WebStaticIpsTargetGroup1?.Properties).toMatchObject({
      Targets: [{ Id: ALB, Port: 80 }],
    });
    expect(Outputs.WebStaticIpsAlbArn).toMatchObject({ Value: ALB });
  });

  it('names its mode and its ALB in outputs, for alb-static-ip status', () => {
    const { Outputs } = expanded(ALB_BRIDGE);

    expect(Outputs.WebStaticIpsTargetMode).toMatchObject({ Value: 'alb' });
    expect(Outputs.WebStaticIpsAlbArn).toMatchObject({ Value: { Ref: 'WebAlb' } });
    expect(Outputs.WebStaticIpsTargetGroupArns).toEqual({
      Description: 'The target groups of WebStaticIps, with the ALB registered, comma-separated.',
      Value: {
        'Fn::Join': [
          ',',
          [{ Ref: 'WebStaticIpsTargetGroup1' }, { Ref: 'WebStaticIpsTargetGroup2' }],
        ],
      },
    });
  });

  it('takes the sync settings at their defaults, written out or not', () => {
    expect(
      problemsOf({ ...ALB_BRIDGE, Schedule: 'rate(1 minute)', ReactToEniEvents: 'true' }),
    ).toEqual([]);
  });

  it('names every setting alb cannot use, each with the way out', () => {
    const problems = problemsOf({
      ...ALB_BRIDGE,
      CertificateArn:
        'arn:aws:acm:us-east-1:123456789012:certificate/0f0e0d0c-0b0a-4908-8706-050403020100',
      DiscoveryRoleArn: 'arn:aws:iam::210987654321:role/alb-static-ip/discovery',
      Schedule: 'rate(5 minutes)',
      ReactToEniEvents: false,
    });

    expect(problems).toEqual([
      'Resources.WebStaticIps (AlbStaticIp::Bridge): CertificateArn: got "arn:aws:acm:us-east-1:123456789012:certificate/0f0e0d0c-0b0a-4908-8706-050403020100" with TargetMode alb, but only TCP listeners forward to an ALB target group; expected no CertificateArn, the ALB\'s HTTPS listeners terminating TLS, or TargetMode ip to terminate TLS at the NLB; DiscoveryRoleArn: got "arn:aws:iam::210987654321:role/alb-static-ip/discovery" with TargetMode alb, but an ALB target must be in the NLB\'s account and VPC; expected no DiscoveryRoleArn, or TargetMode ip for an ALB in another account; Schedule: got "rate(5 minutes)" with TargetMode alb, where nothing runs; expected no Schedule, or TargetMode ip; ReactToEniEvents: got false with TargetMode alb, where nothing runs; expected no ReactToEniEvents, or TargetMode ip',
    ]);
  });
});

describe('Function: expandTemplate, what it refuses', () => {
  const PREFIX = 'Resources.WebStaticIps (AlbStaticIp::Bridge): ';

  it.each([
    [
      'a missing LoadBalancerArn',
      { ...BRIDGE, LoadBalancerArn: undefined },
      'LoadBalancerArn: got nothing; expected an Application Load Balancer ARN',
    ],
    [
      'a port like https',
      { ...BRIDGE, Ports: [443, 'https'] },
      'Ports[1]: got "https"; expected a port number',
    ],
    [
      'a port out of range',
      { ...BRIDGE, Ports: [70000] },
      'Ports[0]: got 70000; expected a port number',
    ],
    [
      'a repeated port',
      { ...BRIDGE, Ports: [443, '443'] },
      'expected each port once, and 443 is repeated',
    ],
    [
      'more allocation ids than subnets',
      {
        ...BRIDGE,
        ElasticIpAllocationIds: [
          'eipalloc-0000000000000000a',
          'eipalloc-0000000000000000b',
          'eipalloc-0000000000000000c',
        ],
      },
      'ElasticIpAllocationIds: got 3; expected one per subnet, 2, in the same order',
    ],
    [
      'private IPs with an internet-facing scheme',
      { ...BRIDGE, PrivateIpAddresses: ['10.0.0.10', '10.0.1.10'] },
      'PrivateIpAddresses: given with Scheme internet-facing',
    ],
    [
      'allocation ids with an internal scheme',
      {
        ...BRIDGE,
        Scheme: 'internal',
        ElasticIpAllocationIds: ['eipalloc-0000000000000000a', 'eipalloc-0000000000000000b'],
      },
      'ElasticIpAllocationIds: given with Scheme internal',
    ],
    [
      'an unknown property',
      { ...BRIDGE, Port: 443 },
      'unknown field "Port"; expected only LoadBalancerArn',
    ],
    ['no subnets', { ...BRIDGE, SubnetIds: [] }, 'SubnetIds: got []; expected at least one subnet'],
    [
      'an alarm topic that is not one',
      { ...BRIDGE, AlarmTopicArn: 'ops-alerts' },
      'AlarmTopicArn: got "ops-alerts"; expected an SNS topic ARN',
    ],
    [
      'subnets it cannot count',
      { ...BRIDGE, SubnetIds: { 'Fn::Split': [',', { Ref: 'Subnets' }] } },
      'SubnetIds: got {"Fn::Split":[",",{"Ref":"Subnets"}]}; expected a list of subnet ids',
    ],
    [
      'a Ref to something that is not a template parameter',
      { ...BRIDGE, SubnetIds: { Ref: 'SomeResource' } },
      'SubnetIds: got {"Ref":"SomeResource"}; expected a literal list or a Ref to a list parameter',
    ],
    [
      'a subnet that is not one',
      { ...BRIDGE, SubnetIds: ['subnet-1'] },
      'SubnetIds[0]: got "subnet-1"; expected a subnet id',
    ],
    ['no properties', undefined, 'LoadBalancerArn: got nothing'],
    [
      'an AlbIngressMode it does not know',
      { ...BRIDGE, AlbIngressMode: 'cidr' },
      'AlbIngressMode: got "cidr"; expected one of private-ips, security-group, none',
    ],
    [
      'a client CIDR that is not one',
      { ...BRIDGE, NlbSecurityGroup: true, NlbClientCidr: '10.0.0.0/33' },
      'NlbClientCidr: got "10.0.0.0/33"; expected an IPv4 CIDR such as 10.0.0.0/16',
    ],
    [
      'a client CIDR without the NLB group',
      { ...BRIDGE, NlbClientCidr: '10.0.0.0/16' },
      'NlbClientCidr: got "10.0.0.0/16" without NlbSecurityGroup; expected NlbSecurityGroup: true',
    ],
    [
      'an internal NLB group without its clients',
      { ...BRIDGE, Scheme: 'internal', NlbSecurityGroup: true },
      'NlbClientCidr: missing for an internal NLB with NlbSecurityGroup; expected the CIDR',
    ],
    [
      'ingress by reference without the NLB group',
      { ...BRIDGE, AlbIngressMode: 'security-group' },
      'AlbIngressMode: got security-group without NlbSecurityGroup; expected NlbSecurityGroup: true',
    ],
    [
      'ingress by reference without the ALB group',
      {
        ...BRIDGE,
        AlbSecurityGroupId: undefined,
        AlbIngressMode: 'security-group',
        NlbSecurityGroup: true,
      },
      "AlbIngressMode: got security-group without AlbSecurityGroupId; expected the ALB's security group, or none",
    ],
    [
      'an ALB group with AlbIngressMode none',
      { ...BRIDGE, AlbIngressMode: 'none' },
      'AlbSecurityGroupId: got "sg-0123456789abcdef0" with AlbIngressMode none, which changes no security group',
    ],
    [
      'TLS with TargetMode alb',
      { ...BRIDGE, TargetMode: 'alb', CertificateArn: { Ref: 'Certificate' } },
      'CertificateArn: got {"Ref":"Certificate"} with TargetMode alb, but only TCP listeners forward to an ALB target group',
    ],
    [
      'a discovery role with TargetMode alb',
      {
        ...BRIDGE,
        TargetMode: 'alb',
        DiscoveryRoleArn: { Ref: 'Role' },
        DiscoveryExternalId: 'external-id',
      },
      'DiscoveryRoleArn: got {"Ref":"Role"} with TargetMode alb, but an ALB target must be in the NLB\'s account and VPC',
    ],
    [
      'a schedule with TargetMode alb',
      { ...BRIDGE, TargetMode: 'alb', Schedule: { Ref: 'Schedule' } },
      'Schedule: got {"Ref":"Schedule"} with TargetMode alb, where nothing runs; expected no Schedule, or TargetMode ip',
    ],
    [
      'no ENI rule with TargetMode alb',
      { ...BRIDGE, TargetMode: 'alb', ReactToEniEvents: 'false' },
      'ReactToEniEvents: got false with TargetMode alb, where nothing runs',
    ],
    [
      'a health check protocol with TargetMode ip',
      { ...BRIDGE, AlbHealthCheckProtocol: 'HTTPS' },
      'AlbHealthCheckProtocol: got "HTTPS" with TargetMode ip, whose IP target groups check each ALB address with a TCP connection; expected no AlbHealthCheckProtocol, or TargetMode alb',
    ],
    [
      'a health check port with TargetMode ip',
      { ...BRIDGE, TargetMode: 'ip', AlbHealthCheckPort: 443 },
      'AlbHealthCheckPort: got 443 with TargetMode ip, whose IP target groups check each ALB address with a TCP connection; expected no AlbHealthCheckPort, or TargetMode alb',
    ],
    [
      'a health check path with TargetMode ip',
      { ...BRIDGE, AlbHealthCheckPath: '/' },
      'AlbHealthCheckPath: got "/" with TargetMode ip, whose IP target groups check each ALB address with a TCP connection; expected no AlbHealthCheckPath, or TargetMode alb',
    ],
    [
      'an access log bucket without TLS listeners',
      { ...BRIDGE, NlbAccessLogBucket: 'my-nlb-logs' },
      'NlbAccessLogBucket: got "my-nlb-logs" without CertificateArn, and an NLB writes access logs for TLS listeners only; expected CertificateArn, or no NlbAccessLogBucket',
    ],
    [
      'a TargetMode it does not know',
      { ...BRIDGE, TargetMode: 'instance' },
      'TargetMode: got "instance"; expected one of ip, alb',
    ],
  ])('refuses %s, naming the bridge, the property and the value', (_, properties, problem) => {
    const [first, ...rest] = problemsOf(properties);
    expect(rest).toEqual([]);
    expect(first?.startsWith(PREFIX)).toBe(true);
    expect(first).toContain(problem);
  });

  it('refuses attributes a bridge cannot pass on', () => {
    expect(problemsOf(BRIDGE, {}, { DependsOn: 'WebAlb' })).toEqual([
      `${PREFIX}DependsOn: a bridge takes only Properties, Condition and Metadata; put DependsOn on the resources that need it instead`,
    ]);
  });

  it('refuses to overwrite a resource or an output of the user', () => {
    const template = templateWith(BRIDGE);
    (template.Resources as Json).WebStaticIpsNlb = { Type: 'AWS::SNS::Topic' };
    (template.Outputs as Json).WebStaticIpsNlbArn = { Value: 'x' };

    const result = expandTemplate(template, {}, FUNCTIONS);

    expect(result).toEqual({
      ok: false,
      problems: [
        `${PREFIX}would make the resource WebStaticIpsNlb, which is already a resource of the template; rename one of them`,
        `${PREFIX}would make the output WebStaticIpsNlbArn, which is already an output of the template; rename one of them`,
      ],
    });
  });

  it('names every problem of every bridge, and expands none', () => {
    const template = templateWith({ ...BRIDGE, VpcId: 'vpc-1', Ports: ['https'] });
    (template.Resources as Json).ApiStaticIps = {
      Type: BRIDGE_TYPE,
      Properties: { ...BRIDGE, Ports: [80, 80] },
    };

    const result = expandTemplate(template, {}, FUNCTIONS);

    expect(result).toEqual({
      ok: false,
      problems: [
        `${PREFIX}VpcId: got "vpc-1"; expected a VPC id such as vpc-0123456789abcdef0, or an intrinsic function; Ports[0]: got "https"; expected a port number from 1 to 65535, or an intrinsic function`,
        'Resources.ApiStaticIps (AlbStaticIp::Bridge): Ports: got [80,80]; expected each port once, and 80 is repeated',
      ],
    });
  });
});

describe('Property: the expansion', () => {
  const portArbitrary = fc.integer({ min: 1, max: 65535 });
  const bridgeArbitrary = fc
    .record({
      LoadBalancerArn: fc.constantFrom<unknown>(
        ALB,
        { Ref: 'WebAlb' },
        { 'Fn::GetAtt': ['WebAlbStack', 'Outputs.AlbArn'] },
      ),
      VpcId: fc.constant('vpc-0123456789abcdef0'),
      SubnetIds: fc
        .integer({ min: 1, max: 6 })
        .map((n) => Array.from({ length: n }, (_, i) => `subnet-${String(i).padStart(17, '0')}`)),
      Ports: fc.uniqueArray(portArbitrary, { minLength: 1, maxLength: 6 }),
      Scheme: fc.constantFrom('internet-facing', 'internal'),
      VpcLink: fc.boolean(),
      ReactToEniEvents: fc.boolean(),
      TargetMode: fc.constantFrom('ip', 'alb'),
    })
    // alb runs nothing, so it takes no ENI rule setting.
    .map((bridge) =>
      bridge.TargetMode === 'alb' ? { ...bridge, ReactToEniEvents: true } : bridge,
    );
  const bridgesArbitrary = fc.dictionary(
    fc.stringMatching(/^[A-Z][A-Za-z0-9]{0,12}$/),
    bridgeArbitrary,
    { minKeys: 1, maxKeys: 3 },
  );

  /** A user template: a resource, an output, a parameter and a condition of their own. */
  const userTemplate = (bridges: Record<string, unknown>): Json => ({
    Parameters: { Env: { Type: 'String' } },
    Conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] } },
    Resources: {
      UserTopic: { Type: 'AWS::SNS::Topic' },
      ...Object.fromEntries(
        Object.entries(bridges).map(([id, properties]) => [
          id,
          { Type: BRIDGE_TYPE, Properties: properties },
        ]),
      ),
    },
    Outputs: { UserTopicArn: { Value: { Ref: 'UserTopic' } } },
  });

  it('is deterministic, changes nothing given, and keeps what the user wrote', () => {
    fc.assert(
      fc.property(bridgesArbitrary, (bridges) => {
        const template = userTemplate(bridges);
        const before = structuredClone(template);

        const first = expandTemplate(template, {}, FUNCTIONS);
        const second = expandTemplate(template, {}, FUNCTIONS);

        expect(template).toEqual(before);
        expect(second).toEqual(first);
        // Ids made by one bridge can collide with another bridge's: then it refuses, and says so
        if (!first.ok) {
          expect(first.problems.every((problem) => problem.includes('would make the'))).toBe(true);
          return;
        }
        const out = first.fragment as {
          Resources: Json;
          Outputs: Json;
          Parameters: Json;
          Conditions: Json;
        };
        expect(out.Parameters).toEqual(before.Parameters);
        expect(out.Conditions).toEqual(before.Conditions);
        expect(out.Resources.UserTopic).toEqual({ Type: 'AWS::SNS::Topic' });
        expect(out.Outputs.UserTopicArn).toEqual({ Value: { Ref: 'UserTopic' } });
        const types = Object.values(out.Resources).map((resource) => (resource as Json).Type);
        expect(types).not.toContain(BRIDGE_TYPE);
      }),
    );
  });

  it('names every resource and output after the bridge that made it, each once', () => {
    fc.assert(
      fc.property(bridgesArbitrary, (bridges) => {
        const result = expandTemplate(userTemplate(bridges), {}, FUNCTIONS);
        fc.pre(result.ok);
        if (!result.ok) return;
        const out = result.fragment as { Resources: Json; Outputs: Json };
        const bridgeIds = Object.keys(bridges);
        for (const id of [...Object.keys(out.Resources), ...Object.keys(out.Outputs)]) {
          if (id === 'UserTopic' || id === 'UserTopicArn') continue;
          expect(
            bridgeIds.some((bridge) => id.startsWith(bridge)),
            id,
          ).toBe(true);
        }
        // One listener and target group per port, one mapping per subnet
        for (const [id, bridge] of Object.entries(bridges)) {
          const listeners = Object.keys(out.Resources).filter((key) =>
            key.startsWith(`${id}Listener`),
          );
          expect(listeners.length).toBeGreaterThanOrEqual(bridge.Ports.length);
          const nlb = out.Resources[`${id}Nlb`] as { Properties: { SubnetMappings: unknown[] } };
          expect(nlb.Properties.SubnetMappings).toHaveLength(bridge.SubnetIds.length);
        }
      }),
    );
  });
});

describe('Function: readMacroEnvironment', () => {
  const env = {
    SYNC_FUNCTION_ARN: FUNCTIONS.syncFunctionArn,
    NLB_PRIVATE_IPS_FUNCTION_ARN: FUNCTIONS.nlbPrivateIpsFunctionArn,
    DEAD_LETTER_QUEUE_ARN: FUNCTIONS.deadLetterQueueArn,
  };

  it('reads the shared functions and queue', () => {
    expect(readMacroEnvironment(env)).toEqual(FUNCTIONS);
  });

  it('refuses a missing or malformed setting, naming it', () => {
    expect(() => readMacroEnvironment({ ...env, SYNC_FUNCTION_ARN: undefined })).toThrow(
      ConfigurationError,
    );
    expect(() => readMacroEnvironment({ ...env, DEAD_LETTER_QUEUE_ARN: 'queue' })).toThrow(
      /DEAD_LETTER_QUEUE_ARN: got "queue"/,
    );
  });
});
