import { beforeAll, describe, expect, it } from 'vitest';
import { BRIDGE_TYPE, expandTemplate } from '../../functions/bridge-macro/expand.js';
import { budgetFor } from '../support/work-budget.js';
import { samTransform, TEMPLATE_PATH, type Template } from './cloudformation.js';
import {
  type Deployment,
  deploy,
  fakeRef,
  GetAtt,
  SelectedGetAtt,
  type Value,
} from './evaluate.js';
import { ALB } from './sample-arns.js';

// Same bridge either way: for equivalent inputs, template.yaml (a bridge stack) and the AlbStaticIp
// macro's expansion, each deployed on paper, make the same bridge: the same resources of each type
// with the same key properties, pointing at each other the same way. So the two cannot drift
// apart. Each deployment is read into one canonical form, in which a resource is named by its
// role (the target group of port 443, the NLB, the sync function) rather than its logical id.
//
// What differs by design, and is left out of the comparison:
// - the shared functions, their roles, logs, queue and permissions: template.yaml has its own,
//   a bridge uses the pack's (by ARN);
// - the dashboard: template.yaml's is one per stack; a bridge makes none (a dashboard costs a
//   monthly fee beyond the first few);
// - the ALB security group's ingress: template.yaml's nlb-private-ips resource writes the rules
//   itself (SecurityGroupId); a bridge's stack holds them as AWS::EC2::SecurityGroupIngress. Both
//   are read into the same form: which group, which ports, from each NLB private IP. With
//   AlbIngressMode security-group both hold one AWS::EC2::SecurityGroupIngress per port, from the
//   NLB's security group;
// - the NLB security group's Name tag, which names the stack (and a bridge's id);
// - the outputs' names: template.yaml's StaticIps is a bridge's <Bridge>StaticIps, and so on.
//
// TargetMode alb makes no sync, rules or sync alarms either way: the canonical form has none, and
// the groups carry the ALB as their target and their HTTP or HTTPS health checks.

const VPC = 'vpc-0123456789abcdef0';
const SUBNETS = [
  'subnet-0123456789abcdef0',
  'subnet-0123456789abcdef1',
  'subnet-0123456789abcdef2',
];
const EIPS = ['eipalloc-0a0a0a0a0a0a0a0a0', 'eipalloc-0b0b0b0b0b0b0b0b0'];
const GROUP = 'sg-0123456789abcdef0';
const CERTIFICATE =
  'arn:aws:acm:us-east-1:123456789012:certificate/0f0e0d0c-0b0a-4908-8706-050403020100';
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:ops';
const PACK = {
  syncFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:pack-TargetGroupSync',
  nlbPrivateIpsFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:pack-NlbPrivateIps',
  deadLetterQueueArn: 'arn:aws:sqs:us-east-1:123456789012:pack-SyncDeadLetterQueue',
};

/** One case: template.yaml's parameters, and the bridge's properties that mean the same. */
interface Case {
  readonly parameters: Record<string, string>;
  readonly bridge: Record<string, unknown>;
}

const CASES: Record<string, Case> = {
  'internet-facing, new Elastic IPs, two ports, the ALB group, a VPC link, an alarm topic': {
    parameters: {
      LoadBalancerArn: ALB,
      VpcId: VPC,
      SubnetIds: SUBNETS.slice(0, 2).join(','),
      ListenerPorts: '443,80',
      AlbSecurityGroupId: GROUP,
      AlarmTopicArn: TOPIC,
    },
    bridge: {
      LoadBalancerArn: ALB,
      VpcId: VPC,
      SubnetIds: SUBNETS.slice(0, 2),
      Ports: [443, 80],
      AlbSecurityGroupId: GROUP,
      VpcLink: true,
      AlarmTopicArn: TOPIC,
    },
  },
  'internal, fixed private IPs, TLS, three zones, no ENI rule, another schedule': {
    parameters: {
      LoadBalancerArn: ALB,
      VpcId: VPC,
      SubnetIds: SUBNETS.join(','),
      Scheme: 'internal',
      PrivateIpAddresses: '10.0.0.10,10.0.16.10,10.0.32.10',
      CertificateArn: CERTIFICATE,
      CreateVpcLink: 'false',
      ReactToEniEvents: 'false',
      SyncSchedule: 'rate(5 minutes)',
    },
    bridge: {
      LoadBalancerArn: ALB,
      VpcId: VPC,
      SubnetIds: SUBNETS,
      Ports: [443],
      Scheme: 'internal',
      PrivateIpAddresses: ['10.0.0.10', '10.0.16.10', '10.0.32.10'],
      CertificateArn: CERTIFICATE,
      ReactToEniEvents: false,
      Schedule: 'rate(5 minutes)',
    },
  },
  'an ALB in another account, read through its discovery role, the schedule alone': {
    parameters: {
      LoadBalancerArn: ALB.replace('123456789012', '210987654321'),
      VpcId: VPC,
      SubnetIds: SUBNETS.slice(0, 2).join(','),
      DiscoveryRoleArn: 'arn:aws:iam::210987654321:role/alb-static-ip/discovery',
      DiscoveryExternalId: '6f1c1b8e-3f0e-4a57-9a53-3c2b1f0e9d41',
      ReactToEniEvents: 'false',
      CreateVpcLink: 'false',
    },
    bridge: {
      LoadBalancerArn: ALB.replace('123456789012', '210987654321'),
      VpcId: VPC,
      SubnetIds: SUBNETS.slice(0, 2),
      Ports: [443],
      DiscoveryRoleArn: 'arn:aws:iam::210987654321:role/alb-static-ip/discovery',
      DiscoveryExternalId: '6f1c1b8e-3f0e-4a57-9a53-3c2b1f0e9d41',
      ReactToEniEvents: false,
    },
  },
  'Elastic IPs you have, three ports': {
    parameters: {
      LoadBalancerArn: ALB,
      VpcId: VPC,
      SubnetIds: SUBNETS.slice(0, 2).join(','),
      ElasticIpAllocationIds: EIPS.join(','),
      ListenerPorts: '443,8443,9443',
      CreateVpcLink: 'false',
    },
    bridge: {
      LoadBalancerArn: ALB,
      VpcId: VPC,
      SubnetIds: SUBNETS.slice(0, 2),
      ElasticIpAllocationIds: EIPS,
      Ports: [443, 8443, 9443],
    },
  },
  'the NLB security group, and the ALB group admits it by reference, three ports': {
    parameters: {
      LoadBalancerArn: ALB,
      VpcId: VPC,
      SubnetIds: SUBNETS.slice(0, 2).join(','),
      ListenerPorts: '443,80,8443',
      AlbSecurityGroupId: GROUP,
      AlbIngressMode: 'security-group',
      CreateNlbSecurityGroup: 'true',
      CreateVpcLink: 'false',
    },
    bridge: {
      LoadBalancerArn: ALB,
      VpcId: VPC,
      SubnetIds: SUBNETS.slice(0, 2),
      Ports: [443, 80, 8443],
      AlbSecurityGroupId: GROUP,
      AlbIngressMode: 'security-group',
      NlbSecurityGroup: true,
    },
  },
  'internal, the NLB security group for the VPC, the ALB group admits its private IPs': {
    parameters: {
      LoadBalancerArn: ALB,
      VpcId: VPC,
      SubnetIds: SUBNETS.join(','),
      Scheme: 'internal',
      AlbSecurityGroupId: GROUP,
      CreateNlbSecurityGroup: 'true',
      NlbClientCidr: '10.0.0.0/16',
      CreateVpcLink: 'false',
    },
    bridge: {
      LoadBalancerArn: ALB,
      VpcId: VPC,
      SubnetIds: SUBNETS,
      Ports: [443],
      Scheme: 'internal',
      AlbSecurityGroupId: GROUP,
      NlbSecurityGroup: true,
      NlbClientCidr: '10.0.0.0/16',
    },
  },
  'internal, the NLB security group and a VPC link, whose PrivateLink traffic skips its rules': {
    parameters: {
      LoadBalancerArn: ALB,
      VpcId: VPC,
      SubnetIds: SUBNETS.slice(0, 2).join(','),
      Scheme: 'internal',
      CreateNlbSecurityGroup: 'true',
      NlbClientCidr: '10.0.0.0/16',
    },
    bridge: {
      LoadBalancerArn: ALB,
      VpcId: VPC,
      SubnetIds: SUBNETS.slice(0, 2),
      Ports: [443],
      Scheme: 'internal',
      NlbSecurityGroup: true,
      NlbClientCidr: '10.0.0.0/16',
      VpcLink: true,
    },
  },
  'TargetMode alb, internet-facing, two ports checked through one, a VPC link, the ALB group': {
    parameters: {
      LoadBalancerArn: ALB,
      VpcId: VPC,
      SubnetIds: SUBNETS.slice(0, 2).join(','),
      ListenerPorts: '80,443',
      AlbSecurityGroupId: GROUP,
      TargetMode: 'alb',
      AlbHealthCheckPort: '443',
      AlarmTopicArn: TOPIC,
    },
    bridge: {
      LoadBalancerArn: ALB,
      VpcId: VPC,
      SubnetIds: SUBNETS.slice(0, 2),
      Ports: [80, 443],
      AlbSecurityGroupId: GROUP,
      TargetMode: 'alb',
      AlbHealthCheckPort: 443,
      VpcLink: true,
      AlarmTopicArn: TOPIC,
    },
  },
  'TargetMode alb, internal, the NLB security group admitted by reference, HTTP checks on a path': {
    parameters: {
      LoadBalancerArn: ALB,
      VpcId: VPC,
      SubnetIds: SUBNETS.join(','),
      Scheme: 'internal',
      PrivateIpAddresses: '10.0.0.10,10.0.16.10,10.0.32.10',
      ListenerPorts: '80,8080',
      AlbSecurityGroupId: GROUP,
      AlbIngressMode: 'security-group',
      CreateNlbSecurityGroup: 'true',
      NlbClientCidr: '10.0.0.0/16',
      TargetMode: 'alb',
      AlbHealthCheckProtocol: 'HTTP',
      AlbHealthCheckPath: '/healthz?deep=1',
      CreateVpcLink: 'false',
    },
    bridge: {
      LoadBalancerArn: ALB,
      VpcId: VPC,
      SubnetIds: SUBNETS,
      Scheme: 'internal',
      PrivateIpAddresses: ['10.0.0.10', '10.0.16.10', '10.0.32.10'],
      Ports: ['80', 8080],
      AlbSecurityGroupId: GROUP,
      AlbIngressMode: 'security-group',
      NlbSecurityGroup: true,
      NlbClientCidr: '10.0.0.0/16',
      TargetMode: 'alb',
      AlbHealthCheckProtocol: 'HTTP',
      AlbHealthCheckPath: '/healthz?deep=1',
    },
  },
  'TargetMode alb, checked through a port no listener has, both groups, the ALB admits private IPs':
    {
      parameters: {
        LoadBalancerArn: ALB,
        VpcId: VPC,
        SubnetIds: SUBNETS.slice(0, 2).join(','),
        ListenerPorts: '80,443',
        AlbSecurityGroupId: GROUP,
        CreateNlbSecurityGroup: 'true',
        TargetMode: 'alb',
        AlbHealthCheckPort: '8443',
        CreateVpcLink: 'false',
      },
      bridge: {
        LoadBalancerArn: ALB,
        VpcId: VPC,
        SubnetIds: SUBNETS.slice(0, 2),
        Ports: [80, 443],
        AlbSecurityGroupId: GROUP,
        NlbSecurityGroup: true,
        TargetMode: 'alb',
        AlbHealthCheckPort: 8443,
      },
    },
  'TargetMode alb, checked through a port no listener has, the ALB admits the NLB group': {
    parameters: {
      LoadBalancerArn: ALB,
      VpcId: VPC,
      SubnetIds: SUBNETS.join(','),
      ListenerPorts: '80',
      AlbSecurityGroupId: GROUP,
      AlbIngressMode: 'security-group',
      CreateNlbSecurityGroup: 'true',
      TargetMode: 'alb',
      AlbHealthCheckPort: '443',
      CreateVpcLink: 'false',
    },
    bridge: {
      LoadBalancerArn: ALB,
      VpcId: VPC,
      SubnetIds: SUBNETS,
      Ports: [80],
      AlbSecurityGroupId: GROUP,
      AlbIngressMode: 'security-group',
      NlbSecurityGroup: true,
      TargetMode: 'alb',
      AlbHealthCheckPort: '443',
    },
  },
  'deletion protection off, for a stack to tear down; an internal NLB': {
    parameters: {
      LoadBalancerArn: ALB,
      VpcId: VPC,
      SubnetIds: SUBNETS.slice(0, 2).join(','),
      Scheme: 'internal',
      NlbDeletionProtection: 'false',
      CreateVpcLink: 'false',
    },
    bridge: {
      LoadBalancerArn: ALB,
      VpcId: VPC,
      SubnetIds: SUBNETS.slice(0, 2),
      Ports: [443],
      Scheme: 'internal',
      NlbDeletionProtection: false,
    },
  },
  'deletion protection on, written out: "true" in both': {
    parameters: {
      LoadBalancerArn: ALB,
      VpcId: VPC,
      SubnetIds: SUBNETS.join(','),
      NlbDeletionProtection: 'true',
      CreateVpcLink: 'false',
    },
    bridge: {
      LoadBalancerArn: ALB,
      VpcId: VPC,
      SubnetIds: SUBNETS,
      Ports: [443],
      NlbDeletionProtection: 'true',
    },
  },
  'access logs to a bucket, from TLS listeners': {
    parameters: {
      LoadBalancerArn: ALB,
      VpcId: VPC,
      SubnetIds: SUBNETS.slice(0, 2).join(','),
      CertificateArn: CERTIFICATE,
      NlbAccessLogBucket: 'my-nlb-logs',
      CreateVpcLink: 'false',
    },
    bridge: {
      LoadBalancerArn: ALB,
      VpcId: VPC,
      SubnetIds: SUBNETS.slice(0, 2),
      Ports: [443],
      CertificateArn: CERTIFICATE,
      NlbAccessLogBucket: 'my-nlb-logs',
    },
  },
  'no security group changed (AlbIngressMode none)': {
    parameters: {
      LoadBalancerArn: ALB,
      VpcId: VPC,
      SubnetIds: SUBNETS.slice(0, 2).join(','),
      AlbIngressMode: 'none',
      CreateVpcLink: 'false',
    },
    bridge: {
      LoadBalancerArn: ALB,
      VpcId: VPC,
      SubnetIds: SUBNETS.slice(0, 2),
      Ports: [443],
      AlbIngressMode: 'none',
    },
  },
};

type Resources = Deployment['resources'];
type Canonical = Record<string, unknown>;

/** The outputs a bridge stack and a bridge both give, by template.yaml's names. */
const BRIDGE_OUTPUTS = [
  'StaticIps',
  'NlbArn',
  'NlbSecurityGroupId',
  'NlbDnsName',
  'NlbPrivateIps',
  'TargetGroupArns',
  'TargetMode',
  'AlbArn',
  'VpcLinkId',
];

/**
 * The bridge in a deployment, by role. `shared` names what a bridge's stack reaches by ARN and
 * template.yaml by attribute: the sync function, the nlb-private-ips function, the queue. `prefix`
 * starts the names of the bridge's outputs.
 */
function canonical(
  deployment: Deployment,
  shared: Record<string, string>,
  prefix: string,
): Canonical {
  const resources = deployment.resources;
  const ofType = (type: string) =>
    Object.entries(resources).filter(([, resource]) => resource.Type === type);
  const one = (type: string) => {
    const found = ofType(type);
    if (found.length !== 1) throw new Error(`${found.length} resources of type ${type}`);
    return found[0] as [string, Resources[string]];
  };
  const [nlbId, nlb] = one('AWS::ElasticLoadBalancingV2::LoadBalancer');
  const groups = ofType('AWS::ElasticLoadBalancingV2::TargetGroup');
  const listeners = ofType('AWS::ElasticLoadBalancingV2::Listener');
  const eips = ofType('AWS::EC2::EIP');
  const nlbGroups = ofType('AWS::EC2::SecurityGroup');

  // Every name a deployment gives a resource, by the role it plays.
  const roles = new Map<string, string>();
  const refs = new Map<string, string>();
  const role = (logicalId: string, name: string) => {
    roles.set(logicalId, name);
  };
  role(nlbId, 'nlb');
  for (const [id] of nlbGroups) role(id, 'nlb-security-group');
  for (const [id, group] of groups) role(id, `group:${Number(group.Properties.Port)}`);
  for (const [id, listener] of listeners) role(id, `listener:${Number(listener.Properties.Port)}`);
  for (const [id] of ofType('AWS::ApiGateway::VpcLink')) role(id, 'vpc-link');
  const mappings = nlb.Properties.SubnetMappings as Record<string, Value>[];
  for (const [id] of eips) {
    const zone = mappings.findIndex(
      (mapping) => mapping.AllocationId instanceof GetAtt && mapping.AllocationId.logicalId === id,
    );
    role(id, `elastic-ip:${zone}`);
  }
  const customResource = (token: string | undefined) =>
    ofType('AWS::CloudFormation::CustomResource').find(
      ([, resource]) => String(resource.Properties.ServiceToken) === token,
    )?.[0];
  const privateIpsId = customResource(shared.nlbPrivateIps);
  if (privateIpsId === undefined) throw new Error(`no custom resource of ${shared.nlbPrivateIps}`);
  role(privateIpsId, 'nlb-private-ips');
  // None in TargetMode alb.
  const syncId = customResource(shared.sync);
  if (syncId !== undefined) role(syncId, 'deploy-time-sync');
  // A Ref resolves to a made-up value of the resource's own (fakeRef): map it back to the role.
  for (const [id, name] of roles) refs.set(fakeRef(id, resources[id] as never), name);
  // The shared functions and queue: an attribute in template.yaml, an ARN in a bridge.
  for (const [name, value] of Object.entries(shared)) refs.set(value, name);

  /** A value with every resource named by its role, and ports as numbers. */
  const named = (value: Value | undefined): unknown => {
    if (value instanceof SelectedGetAtt) {
      return `${roles.get(value.list.logicalId)}.${value.list.attribute}[${value.index}]`;
    }
    if (value instanceof GetAtt) {
      return refs.get(String(value)) ?? `${roles.get(value.logicalId)}.${value.attribute}`;
    }
    if (typeof value === 'string') {
      let text = refs.get(value) ?? value;
      for (const [ref, name] of refs) text = text.split(ref).join(name);
      return text;
    }
    if (Array.isArray(value)) return value.map(named);
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value as Record<string, Value>).map(([key, item]) => [key, named(item)]),
      );
    }
    return value;
  };
  const port = (value: Value | undefined) => Number(value);
  /** DependsOn names logical ids: by their roles. */
  const roleOf = (dependsOn: Value | undefined) =>
    dependsOn === undefined
      ? undefined
      : [dependsOn].flat().map((id) => roles.get(String(id)) ?? String(id));
  // An Elastic IP's Name tag: the stack's name (and a bridge's id) and the zone's number.
  for (const [, eip] of eips) {
    for (const tag of (eip.Properties.Tags ?? []) as { Key: string; Value: Value }[]) {
      if (tag.Key === 'Name')
        tag.Value = String(tag.Value).replace(/^alb-static-ip-(.+-)?/, 'STACK-');
    }
  }
  const byRole = (entries: [string, Resources[string]][]) =>
    Object.fromEntries(
      entries
        .map(([id, resource]) => [
          roles.get(id) ?? id,
          named({
            ...resource.Properties,
            ...('Port' in resource.Properties && { Port: port(resource.Properties.Port) }),
            // An alb group's target: the ALB on the group's port (a Select of ListenerPorts).
            ...('Targets' in resource.Properties && {
              Targets: (resource.Properties.Targets as Record<string, Value>[]).map((target) => ({
                ...target,
                Port: port(target.Port),
              })),
            }),
          }),
        ])
        .sort(([a], [b]) => String(a).localeCompare(String(b))),
    );

  const rules = ofType('AWS::Events::Rule').map(([id, rule]) => {
    const { Description: _description, Targets, ...properties } = rule.Properties;
    const [target] = Targets as Record<string, Value>[];
    const { Input, ...targetRest } = target ?? {};
    return {
      kind: 'ScheduleExpression' in properties ? 'schedule' : 'eni-change',
      dependsOn: roleOf(resources[id]?.DependsOn),
      properties: named(properties),
      target: named(targetRest),
      input: named(JSON.parse(String(Input)) as Value),
    };
  });
  const alarms = ofType('AWS::CloudWatch::Alarm')
    .filter(([, alarm]) => alarm.Properties.Namespace !== 'AWS/Lambda')
    .map(([, alarm]) => {
      const {
        AlarmDescription: _description,
        AlarmActions,
        OKActions,
        ...properties
      } = alarm.Properties;
      return named({ ...properties, AlarmActions: AlarmActions ?? [], OKActions: OKActions ?? [] });
    })
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

  // The ALB group's ingress, whoever writes it: the group, the ports, from which private IPs.
  const privateIps = resources[privateIpsId]?.Properties ?? {};
  const ingressResources = ofType('AWS::EC2::SecurityGroupIngress').map(([, ingress]) =>
    named(ingress.Properties),
  ) as Record<string, unknown>[];
  const ingress =
    privateIps.SecurityGroupId !== undefined
      ? {
          group: privateIps.SecurityGroupId,
          ports: (privateIps.Ports as Value[]).map(port).sort(),
          sources: mappings.map((_, index) => `nlb-private-ips.Cidrs[${index}]`),
        }
      : ingressResources.length > 0
        ? {
            group: [...new Set(ingressResources.map((rule) => rule.GroupId))].join(),
            ports: [...new Set(ingressResources.map((rule) => Number(rule.FromPort)))].sort(),
            sources: [
              ...new Set(ingressResources.map((rule) => rule.CidrIp ?? rule.SourceSecurityGroupId)),
            ],
          }
        : undefined;
  for (const rule of ingressResources) {
    expect(rule).toMatchObject({ IpProtocol: 'tcp', ToPort: rule.FromPort });
  }

  return {
    elasticIps: byRole(eips),
    nlb: named(nlb.Properties),
    groups: byRole(groups),
    listeners: byRole(listeners),
    sync: syncId && {
      ...(named(resources[syncId]?.Properties) as object),
      dependsOn: roleOf(resources[syncId]?.DependsOn),
    },
    rules: rules.sort((a, b) => a.kind.localeCompare(b.kind)),
    nlbPrivateIps: {
      loadBalancer: named(privateIps.LoadBalancerArn),
      dependsOn: roleOf(resources[privateIpsId]?.DependsOn),
    },
    ingress,
    // Its rules with ports as numbers (a Select of ListenerPorts in template.yaml), without the
    // Name tag.
    nlbSecurityGroups: nlbGroups.map(([, group]) => {
      const { Tags: _tags, ...properties } = group.Properties;
      const rules = (list: Value | undefined) =>
        ((list ?? []) as Record<string, Value>[]).map((rule) => ({
          ...rule,
          FromPort: port(rule.FromPort),
          ToPort: port(rule.ToPort),
        }));
      return named({
        ...properties,
        SecurityGroupIngress: rules(properties.SecurityGroupIngress),
        SecurityGroupEgress: rules(properties.SecurityGroupEgress),
      });
    }),
    vpcLinks: ofType('AWS::ApiGateway::VpcLink').map(([, link]) =>
      named(link.Properties.TargetArns),
    ),
    alarms,
    outputs: Object.fromEntries(
      BRIDGE_OUTPUTS.filter((name) => `${prefix}${name}` in deployment.outputs).map((name) => [
        name,
        named(deployment.outputs[`${prefix}${name}`]),
      ]),
    ),
  };
}

describe('Same bridge either way: template.yaml and the AlbStaticIp macro', () => {
  let transformed: Template;

  beforeAll(
    () => {
      transformed = samTransform(TEMPLATE_PATH, { LoadBalancerArn: ALB });
    },
    budgetFor({ samTransform: 1 }),
  );

  /** A case deployed both ways, each read into its canonical form. */
  const bothWays = ({ parameters, bridge }: Case) => {
    const fromTemplate = deploy(transformed, parameters);
    const expansion = expandTemplate(
      {
        AWSTemplateFormatVersion: '2010-09-09',
        Resources: { WebStaticIps: { Type: BRIDGE_TYPE, Properties: bridge } },
      },
      {},
      PACK,
    );
    if (!expansion.ok) throw new Error(expansion.problems.join('; '));
    const fromMacro = deploy(expansion.fragment as unknown as Template, {});
    return {
      template: canonical(
        fromTemplate,
        {
          sync: String(new GetAtt('TargetGroupSyncFunction', 'Arn')),
          nlbPrivateIps: String(new GetAtt('NlbPrivateIpsFunction', 'Arn')),
          queue: String(new GetAtt('SyncDeadLetterQueue', 'Arn')),
        },
        '',
      ),
      macro: canonical(
        fromMacro,
        {
          sync: PACK.syncFunctionArn,
          nlbPrivateIps: PACK.nlbPrivateIpsFunctionArn,
          queue: PACK.deadLetterQueueArn,
        },
        'WebStaticIps',
      ),
    };
  };

  it.each(Object.entries(CASES))('%s', (_name, testCase) => {
    // Prepare / Act: template.yaml as a bridge stack, and a user's template with the same bridge.
    const { template, macro } = bothWays(testCase);

    // Assess
    expect(macro).toEqual(template);
  });

  it.each(Object.entries(CASES))(
    "%s: the NLB's deletion protection is as asked, and on unless turned off",
    (_name, testCase) => {
      // Prepare
      const expected = testCase.parameters.NlbDeletionProtection ?? 'false';

      // Act
      const { template } = bothWays(testCase);

      // Assess: what the two were found equal in holds the attribute, as text.
      expect(template.nlb).toMatchObject({
        LoadBalancerAttributes: expect.arrayContaining([
          { Key: 'deletion_protection.enabled', Value: expected },
        ]),
      });
    },
  );

  it.each(Object.entries(CASES))(
    "%s: the NLB's access logs go to the bucket given, and are off without one",
    (_name, testCase) => {
      // Prepare
      const bucket = testCase.parameters.NlbAccessLogBucket;
      const logs = [
        { Key: 'access_logs.s3.enabled', Value: String(bucket !== undefined) },
        ...(bucket === undefined ? [] : [{ Key: 'access_logs.s3.bucket', Value: bucket }]),
      ];

      // Act
      const { template } = bothWays(testCase);

      // Assess: what the two were found equal in holds the attributes, as text.
      const attributes = (template.nlb as { LoadBalancerAttributes: unknown[] })
        .LoadBalancerAttributes;
      expect(attributes.slice(2)).toEqual(logs);
    },
  );

  it.each(Object.entries(CASES).filter(([, { parameters }]) => parameters.TargetMode === 'alb'))(
    '%s: nothing syncs, and each group holds the ALB',
    (_name, testCase) => {
      // Prepare / Act
      const { template } = bothWays(testCase);

      // Assess: what the two were found equal in is TargetMode alb's bridge.
      expect(template.sync).toBeUndefined();
      expect(template.rules).toEqual([]);
      expect(JSON.stringify(template.alarms)).not.toMatch(/SyncErrors|IpsOutsideNlbZones/);
      expect(template.outputs).toMatchObject({ TargetMode: 'alb', AlbArn: ALB });
      for (const [name, group] of Object.entries(template.groups as Record<string, Canonical>)) {
        const port = Number(name.split(':')[1]);
        expect(group).toMatchObject({
          TargetType: 'alb',
          Protocol: 'TCP',
          Targets: [{ Id: ALB, Port: port }],
        });
        expect(group).not.toHaveProperty('Tags');
        expect(group).not.toHaveProperty('TargetGroupAttributes');
      }
    },
  );
});
