// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${...} here is CloudFormation's Fn::Sub notation.
import { boundList } from '../shared/bounded-text.js';
import { healthCheckPortBeyond } from './health-check-port.js';
import {
  ALB_HEALTH_CHECK_DEFAULTS,
  type BridgeProperties,
  DEFAULT_SCHEDULE,
  type Intrinsic,
  MAX_PORTS,
  readBridgeProperties,
} from './properties.js';

/**
 * The AlbStaticIp macro's expansion: a pure function of (template fragment, template parameter
 * values, the shared functions). Each `AlbStaticIp::Bridge` resource becomes the bridge that
 * template.yaml builds for one ALB, with no fixed slots: a subnet mapping per subnet, a listener
 * and a target group per port, the nlb-private-ips custom resource, an optional VPC link, and
 * outputs named after the bridge. TargetMode ip: IP target groups, with the deploy-time sync and
 * its schedule and ENI-change rules; alb: groups of type alb with the ALB registered, and no sync.
 * The fragment given is never changed; a template without a bridge comes back as it was.
 */

export const BRIDGE_TYPE = 'AlbStaticIp::Bridge';

/**
 * The tag every IP target group a bridge makes carries: the shared sync may write only to groups
 * with it (template.yaml's policy), since it cannot name groups that do not exist yet. A group of
 * type alb goes without: no sync ever writes to it.
 */
export const MANAGED_TAG = { Key: 'alb-static-ip:managed', Value: 'true' } as const;

/** The shared functions' ARNs and the queue their rules send undeliverable events to. */
export interface SharedFunctions {
  readonly syncFunctionArn: string;
  readonly nlbPrivateIpsFunctionArn: string;
  readonly deadLetterQueueArn: string;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Template = { [section: string]: Json };
type Resource = { [attribute: string]: Json };

export type Expansion =
  | { readonly ok: true; readonly fragment: Template }
  | { readonly ok: false; readonly problems: string[] };

/** Resource attributes a bridge may carry: its Condition goes to everything it makes. */
const BRIDGE_ATTRIBUTES = new Set(['Type', 'Properties', 'Condition', 'Metadata']);

/** Inbound rules a security group holds, unless its quota is raised (Amazon VPC quotas). */
export const MAX_INGRESS_RULES = 60;

/** How many problems of one bridge its error names. */
const PROBLEMS_SHOWN = 5;

export function expandTemplate(
  fragment: unknown,
  parameterValues: unknown,
  functions: SharedFunctions,
): Expansion {
  if (typeof fragment !== 'object' || fragment === null || Array.isArray(fragment)) {
    return { ok: false, problems: ['fragment: expected a template object'] };
  }
  const template = structuredClone(fragment) as Template;
  const resources = template.Resources;
  if (typeof resources !== 'object' || resources === null || Array.isArray(resources)) {
    return { ok: true, fragment: template };
  }
  const bridges = Object.entries(resources).filter(
    ([, resource]) => isObject(resource) && resource.Type === BRIDGE_TYPE,
  );
  if (bridges.length === 0) return { ok: true, fragment: template };

  const parameters = isObject(parameterValues) ? parameterValues : {};
  const outputs = isObject(template.Outputs) ? template.Outputs : {};
  const problems: string[] = [];
  const made: { id: string; resources: Record<string, Resource>; outputs: Record<string, Json> }[] =
    [];
  for (const [id, resource] of bridges) {
    const result = expandBridge(id, resource as Resource, parameters, functions);
    if (!result.ok) {
      problems.push(
        `Resources.${id} (${BRIDGE_TYPE}): ${boundList(result.problems, PROBLEMS_SHOWN)}`,
      );
      continue;
    }
    made.push({ id, ...result });
  }

  // Generated ids start with the bridge's id; one that is taken by the user or by another bridge
  // is a failure, never an overwrite. (Named along with the other bridges' problems, if any.)
  const bridgeIds = new Set(bridges.map(([id]) => id));
  const taken = new Map<string, string>();
  for (const id of Object.keys(resources))
    if (!bridgeIds.has(id)) taken.set(id, 'a resource of the template');
  const takenOutputs = new Map<string, string>(
    Object.keys(outputs).map((id) => [id, 'an output of the template']),
  );
  const claim = (bridge: string, kind: string, ids: string[], owners: Map<string, string>) => {
    for (const id of ids) {
      const owner = owners.get(id);
      if (owner) {
        problems.push(
          `Resources.${bridge} (${BRIDGE_TYPE}): would make the ${kind} ${id}, which is already ${owner}; rename one of them`,
        );
      }
      owners.set(id, `made by the bridge ${bridge}`);
    }
  };
  for (const bridge of made) {
    claim(bridge.id, 'resource', Object.keys(bridge.resources), taken);
    claim(bridge.id, 'output', Object.keys(bridge.outputs), takenOutputs);
  }
  if (problems.length > 0) return { ok: false, problems };

  const expanded: Record<string, Json> = {};
  for (const [id, resource] of Object.entries(resources)) {
    if (!bridgeIds.has(id)) expanded[id] = resource;
    const bridge = made.find((each) => each.id === id);
    if (bridge) Object.assign(expanded, bridge.resources);
  }
  template.Resources = expanded;
  // Every bridge makes outputs, so the template has some now.
  template.Outputs = Object.assign({}, outputs, ...made.map((bridge) => bridge.outputs));
  return { ok: true, fragment: template };
}

/** A list the bridge can count: its items, each a literal or a value CloudFormation resolves. */
type Counted = { ok: true; items: Json[] } | { ok: false; problem: string };

/**
 * The items of a list property: a literal list as it is, or a `Ref` to a list parameter, whose
 * length comes from the template's parameter values and whose items stay references to it
 * (`Fn::Select`). Anything else cannot be counted before the deploy.
 */
function countList(field: string, value: unknown, parameters: Record<string, Json>): Counted {
  if (Array.isArray(value)) return { ok: true, items: value as Json[] };
  const name = (value as Intrinsic).Ref;
  if (typeof name === 'string' && name in parameters) {
    const given = parameters[name];
    // CloudFormation sends a list parameter's value as a list; a comma-separated string is read the
    // way CloudFormation splits a CommaDelimitedList, an empty one being no item. An empty entry
    // stays an item, so that every Fn::Select below picks the item CloudFormation will.
    const items = Array.isArray(given)
      ? given
      : typeof given === 'string'
        ? given === ''
          ? []
          : given.split(',')
        : undefined;
    if (items) {
      return {
        ok: true,
        items: items.map((_, index) => ({ 'Fn::Select': [index, { Ref: name }] })),
      };
    }
  }
  return {
    ok: false,
    problem: `${field}: got ${JSON.stringify(value)}; expected a literal list or a Ref to a list parameter of the template, so that the bridge knows how many to make`,
  };
}

function expandBridge(
  id: string,
  resource: Resource,
  parameters: Record<string, Json>,
  functions: SharedFunctions,
):
  | { ok: true; resources: Record<string, Resource>; outputs: Record<string, Json> }
  | { ok: false; problems: string[] } {
  const problems = Object.keys(resource)
    .filter((attribute) => !BRIDGE_ATTRIBUTES.has(attribute))
    .map(
      (attribute) =>
        `${attribute}: a bridge takes only Properties, Condition and Metadata; put ${attribute} on the resources that need it instead`,
    );
  const condition = resource.Condition;
  if (condition !== undefined && typeof condition !== 'string') {
    problems.push(
      `Condition: got ${JSON.stringify(condition)}; expected the name of a condition of the template`,
    );
  }
  const read = readBridgeProperties(resource.Properties);
  if (!read.ok) return { ok: false, problems: [...problems, ...read.problems] };
  const properties = read.value;

  const count = (field: string, value: unknown) =>
    value === undefined ? undefined : countList(field, value, parameters);
  const subnets = countList('SubnetIds', properties.SubnetIds, parameters);
  const ports = portsAsNumbers(countList('Ports', properties.Ports, parameters));
  const allocations = count('ElasticIpAllocationIds', properties.ElasticIpAllocationIds);
  const privateIps = count('PrivateIpAddresses', properties.PrivateIpAddresses);
  for (const counted of [subnets, ports, allocations, privateIps]) {
    if (counted && !counted.ok) problems.push(counted.problem);
  }
  if (
    !subnets.ok ||
    !ports.ok ||
    (allocations && !allocations.ok) ||
    (privateIps && !privateIps.ok)
  ) {
    return { ok: false, problems };
  }
  if (subnets.items.length === 0) problems.push('SubnetIds: got []; expected at least one subnet');
  if (ports.items.length === 0) problems.push('Ports: got []; expected at least one port');
  if (ports.items.length > MAX_PORTS) {
    problems.push(
      `Ports: got ${ports.items.length} ports; expected at most ${MAX_PORTS}, the listeners an NLB may have`,
    );
  }
  // A port written twice; intrinsics are distinct objects, and never the same port to this test.
  const repeated = ports.items.filter((port, index) => ports.items.indexOf(port) !== index);
  if (repeated.length > 0)
    problems.push(
      `Ports: got ${JSON.stringify(properties.Ports)}; expected each port once, and ${repeated[0]} is repeated`,
    );
  const internal = properties.Scheme === 'internal';
  if (allocations?.ok && internal) {
    problems.push(
      'ElasticIpAllocationIds: given with Scheme internal; expected Elastic IPs only for an internet-facing NLB',
    );
  }
  if (privateIps?.ok && !internal) {
    problems.push(
      'PrivateIpAddresses: given with Scheme internet-facing; expected fixed private IPs only for an internal NLB (Scheme: internal)',
    );
  }
  for (const [field, counted] of [
    ['ElasticIpAllocationIds', allocations],
    ['PrivateIpAddresses', privateIps],
  ] as const) {
    if (counted?.ok && counted.items.length !== subnets.items.length) {
      problems.push(
        `${field}: got ${counted.items.length}; expected one per subnet, ${subnets.items.length}, in the same order`,
      );
    }
  }
  // TargetMode alb: a health check port beyond Ports needs rules of its own in the groups.
  const healthCheck = healthCheckPortBeyond(properties, ports.items, parameters);
  if (!healthCheck.ok) problems.push(healthCheck.problem);
  const healthCheckPort = healthCheck.ok ? (healthCheck.port as Json | undefined) : undefined;
  // One ingress rule per NLB private IP and port: a security group holds 60 inbound rules unless
  // its quota is raised, and a rule more fails the deploy halfway. Refused here instead, with the
  // way out.
  // https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html#vpc-limits-security-groups
  const admitted = ports.items.length + (healthCheckPort === undefined ? 0 : 1);
  const rules = subnets.items.length * admitted;
  if (
    properties.AlbIngressMode === 'private-ips' &&
    properties.AlbSecurityGroupId !== undefined &&
    rules > MAX_INGRESS_RULES
  ) {
    problems.push(
      `AlbSecurityGroupId: given with ${subnets.items.length} subnets and ${admitted} ports, ${rules} ingress rules; expected at most ${MAX_INGRESS_RULES}, the inbound rules a security group holds by default. Leave AlbSecurityGroupId out and admit the NLB's subnets in the ALB's group yourself, or use fewer ports`,
    );
  }
  // An NLB writes access logs for TLS listeners only, as template.yaml's rule says.
  // https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-access-logs.html
  if (properties.NlbAccessLogBucket !== undefined && properties.CertificateArn === undefined) {
    problems.push(
      `NlbAccessLogBucket: got ${JSON.stringify(properties.NlbAccessLogBucket)} without CertificateArn, and an NLB writes access logs for TLS listeners only; expected CertificateArn, or no NlbAccessLogBucket`,
    );
  }
  problems.push(...securityGroupProblems(properties));
  problems.push(...targetModeProblems(properties));
  if (problems.length > 0) return { ok: false, problems };

  return {
    ok: true,
    ...bridgeResources(
      id,
      properties,
      {
        subnets: subnets.items,
        ports: ports.items,
        allocations: allocations?.ok ? allocations.items : undefined,
        privateIps: privateIps?.ok ? privateIps.items : undefined,
        healthCheckPort,
        condition: condition as string | undefined,
      },
      functions,
    ),
  };
}

/**
 * The NLB's security group and the ALB's ingress: what template.yaml's Rules refuse, each a setting
 * no resource would use or a resource that could not be made.
 */
function securityGroupProblems(properties: BridgeProperties): string[] {
  const problems: string[] = [];
  const { AlbIngressMode: mode, AlbSecurityGroupId: albGroup, NlbClientCidr: clients } = properties;
  if (clients !== undefined && !properties.NlbSecurityGroup) {
    problems.push(
      `NlbClientCidr: got ${JSON.stringify(clients)} without NlbSecurityGroup; expected NlbSecurityGroup: true, whose group admits it, or no NlbClientCidr`,
    );
  }
  if (properties.NlbSecurityGroup && properties.Scheme === 'internal' && clients === undefined) {
    problems.push(
      "NlbClientCidr: missing for an internal NLB with NlbSecurityGroup; expected the CIDR its clients come from, such as the VPC's",
    );
  }
  if (mode === 'security-group' && !properties.NlbSecurityGroup) {
    problems.push(
      'AlbIngressMode: got security-group without NlbSecurityGroup; expected NlbSecurityGroup: true, whose group the ALB group references, or private-ips',
    );
  }
  if (mode === 'security-group' && albGroup === undefined) {
    problems.push(
      "AlbIngressMode: got security-group without AlbSecurityGroupId; expected the ALB's security group, or none",
    );
  }
  if (mode === 'none' && albGroup !== undefined) {
    problems.push(
      `AlbSecurityGroupId: got ${JSON.stringify(albGroup)} with AlbIngressMode none, which changes no security group; expected no AlbSecurityGroupId, or AlbIngressMode private-ips or security-group`,
    );
  }
  return problems;
}

/** The health-check settings of alb groups, each named only for the TargetMode ip refusal. */
const ALB_HEALTH_CHECK_FIELDS = [
  'AlbHealthCheckProtocol',
  'AlbHealthCheckPort',
  'AlbHealthCheckPath',
] as const;

/**
 * TargetMode: what template.yaml's Rules refuse. An ALB target takes TCP listeners only and must be
 * in the NLB's account and VPC; with alb nothing runs, so no sync setting would take effect; with
 * ip no group checks the ALB by HTTP, so no health-check setting would.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/network/application-load-balancer-target.html
 */
function targetModeProblems(properties: BridgeProperties): string[] {
  if (properties.TargetMode === 'ip') {
    return ALB_HEALTH_CHECK_FIELDS.filter((field) => properties[field] !== undefined).map(
      (field) =>
        `${field}: got ${JSON.stringify(properties[field])} with TargetMode ip, whose IP target groups check each ALB address with a TCP connection; expected no ${field}, or TargetMode alb`,
    );
  }
  const problems: string[] = [];
  if (properties.CertificateArn !== undefined) {
    problems.push(
      `CertificateArn: got ${JSON.stringify(properties.CertificateArn)} with TargetMode alb, but only TCP listeners forward to an ALB target group; expected no CertificateArn, the ALB's HTTPS listeners terminating TLS, or TargetMode ip to terminate TLS at the NLB`,
    );
  }
  if (properties.DiscoveryRoleArn !== undefined) {
    problems.push(
      `DiscoveryRoleArn: got ${JSON.stringify(properties.DiscoveryRoleArn)} with TargetMode alb, but an ALB target must be in the NLB's account and VPC; expected no DiscoveryRoleArn, or TargetMode ip for an ALB in another account`,
    );
  }
  if (properties.Schedule !== DEFAULT_SCHEDULE) {
    problems.push(
      `Schedule: got ${JSON.stringify(properties.Schedule)} with TargetMode alb, where nothing runs; expected no Schedule, or TargetMode ip`,
    );
  }
  if (!properties.ReactToEniEvents) {
    problems.push(
      'ReactToEniEvents: got false with TargetMode alb, where nothing runs; expected no ReactToEniEvents, or TargetMode ip',
    );
  }
  return problems;
}

/** The ports, a port written as a string (`"443"`) made the number it stands for. */
function portsAsNumbers(counted: Counted): Counted {
  if (!counted.ok) return counted;
  const items = counted.items.map((port) => (typeof port === 'string' ? Number(port) : port));
  return { ...counted, items };
}

interface Counts {
  readonly subnets: Json[];
  readonly ports: Json[];
  readonly allocations: Json[] | undefined;
  readonly privateIps: Json[] | undefined;
  /** TargetMode alb: the health check port to open beyond the ports, if it is none of them. */
  readonly healthCheckPort: Json | undefined;
  readonly condition: string | undefined;
}

const ref = (id: string): Json => ({ Ref: id });
/** An attribute's value as Elastic Load Balancing takes it: a boolean as "true" or "false". */
const attributeText = (value: boolean | Intrinsic): Json =>
  typeof value === 'boolean' ? String(value) : (value as Json);
const getAtt = (id: string, attribute: string): Json => ({ 'Fn::GetAtt': [id, attribute] });
/** The ALB's `app/NAME/ID`, from its ARN, whatever resolves it. */
const albResourceId = (arn: Json): Json => ({
  'Fn::Select': [1, { 'Fn::Split': ['loadbalancer/', arn] }],
});

function bridgeResources(
  id: string,
  properties: BridgeProperties,
  counts: Counts,
  functions: SharedFunctions,
): { resources: Record<string, Resource>; outputs: Record<string, Json> } {
  const resources: Record<string, Resource> = {};
  const outputs: Record<string, Json> = {};
  const tls = properties.CertificateArn !== undefined;
  const albTargets = properties.TargetMode === 'alb';
  const loadBalancerArn = properties.LoadBalancerArn as Json;
  const internal = properties.Scheme === 'internal';
  const allocate = !internal && counts.allocations === undefined;
  const nlb = `${id}Nlb`;
  const nlbGroup = `${id}NlbSecurityGroup`;
  const logBucket = properties.NlbAccessLogBucket as Json | undefined;

  // Static IPs end up in allow-lists: kept when the stack is deleted or stops using them, except
  // when the operation that allocated them fails (template.yaml says why).
  counts.subnets.forEach((_, index) => {
    if (!allocate) return;
    resources[`${id}ElasticIp${index + 1}`] = {
      Type: 'AWS::EC2::EIP',
      DeletionPolicy: 'RetainExceptOnCreate',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        Domain: 'vpc',
        Tags: [{ Key: 'Name', Value: { 'Fn::Sub': `\${AWS::StackName}-${id}-${index + 1}` } }],
      },
    };
  });

  resources[nlb] = {
    Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
    Properties: {
      Type: 'network',
      Scheme: properties.Scheme,
      IpAddressType: 'ipv4',
      SubnetMappings: counts.subnets.map((subnet, index) => ({
        SubnetId: subnet,
        ...(allocate && { AllocationId: getAtt(`${id}ElasticIp${index + 1}`, 'AllocationId') }),
        ...(counts.allocations && { AllocationId: counts.allocations[index] as Json }),
        ...(counts.privateIps && { PrivateIPv4Address: counts.privateIps[index] as Json }),
      })),
      // Only at creation: template.yaml's CreateNlbSecurityGroup says why. With a VPC link, its
      // PrivateLink traffic skips the group's inbound rules, as template.yaml's NLB says why.
      // https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-nlb-for-vpclink-using-console.html
      ...(properties.NlbSecurityGroup && {
        SecurityGroups: [getAtt(nlbGroup, 'GroupId')],
        EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic: properties.VpcLink ? 'off' : 'on',
      }),
      // Deletion protection, written out either way so that turning it off takes effect, as
      // template.yaml's NLB does. Its value is the text "true" or "false", or an intrinsic's.
      // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-elasticloadbalancingv2-loadbalancer-loadbalancerattribute.html
      LoadBalancerAttributes: [
        { Key: 'load_balancing.cross_zone.enabled', Value: 'true' },
        {
          Key: 'deletion_protection.enabled',
          Value: attributeText(properties.NlbDeletionProtection),
        },
        // Access logs, enabled written out either way, as template.yaml's NLB does.
        { Key: 'access_logs.s3.enabled', Value: String(logBucket !== undefined) },
        ...(logBucket === undefined ? [] : [{ Key: 'access_logs.s3.bucket', Value: logBucket }]),
      ],
    },
  };
  // The NLB's own group, as template.yaml's NlbSecurityGroup: clients in on the listener ports, and
  // ICMP "fragmentation needed" from anywhere, since the router on the path whose MTU is too small
  // sends it, for path MTU discovery; out on the target ports, which carry the health checks too.
  // https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-security-groups.html
  // https://docs.aws.amazon.com/vpc/latest/userguide/path_mtu_discovery.html
  if (properties.NlbSecurityGroup) {
    const clients = (properties.NlbClientCidr ?? '0.0.0.0/0') as Json;
    const onPort = (port: Json, where: Record<string, Json>, description: string): Json => ({
      IpProtocol: 'tcp',
      FromPort: port,
      ToPort: port,
      ...where,
      Description: description,
    });
    resources[nlbGroup] = {
      Type: 'AWS::EC2::SecurityGroup',
      Properties: {
        GroupDescription: 'alb-static-ip NLB - clients in on the listener ports, out to the ALB',
        VpcId: properties.VpcId as Json,
        SecurityGroupIngress: [
          ...counts.ports.map((port) =>
            onPort(port, { CidrIp: clients }, 'Clients, on a listener port'),
          ),
          {
            IpProtocol: 'icmp',
            FromPort: 3,
            ToPort: 4,
            CidrIp: '0.0.0.0/0',
            Description: 'Path MTU discovery',
          },
        ],
        SecurityGroupEgress: [
          ...counts.ports.map((port) =>
            onPort(port, { CidrIp: '0.0.0.0/0' }, 'To the ALB, traffic and health checks'),
          ),
          ...(counts.healthCheckPort === undefined
            ? []
            : [
                onPort(
                  counts.healthCheckPort,
                  { CidrIp: '0.0.0.0/0' },
                  'To the ALB, health checks',
                ),
              ]),
        ],
        Tags: [{ Key: 'Name', Value: { 'Fn::Sub': `\${AWS::StackName}-${id}-nlb` } }],
      },
    };
  }

  const groups = counts.ports.map((_, index) => `${id}TargetGroup${index + 1}`);
  const listeners = counts.ports.map((_, index) => `${id}Listener${index + 1}`);
  counts.ports.forEach((port, index) => {
    resources[groups[index] as string] = {
      Type: 'AWS::ElasticLoadBalancingV2::TargetGroup',
      Properties: albTargets
        ? albTargetGroup(properties, port)
        : {
            TargetType: 'ip',
            Protocol: tls ? 'TLS' : 'TCP',
            Port: port,
            VpcId: properties.VpcId as Json,
            HealthCheckProtocol: 'TCP',
            HealthCheckIntervalSeconds: 10,
            HealthyThresholdCount: 3,
            UnhealthyThresholdCount: 3,
            TargetGroupAttributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }],
            Tags: [{ ...MANAGED_TAG }],
          },
    };
    resources[listeners[index] as string] = {
      Type: 'AWS::ElasticLoadBalancingV2::Listener',
      Properties: {
        LoadBalancerArn: ref(nlb),
        Protocol: tls ? 'TLS' : 'TCP',
        Port: port,
        ...(tls && {
          Certificates: [{ CertificateArn: properties.CertificateArn as Json }],
          SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
        }),
        DefaultActions: [{ Type: 'forward', TargetGroupArn: ref(groups[index] as string) }],
      },
    };
  });

  // TargetMode ip: the sync keeps the groups equal to the ALB's addresses. alb: nothing runs.
  if (!albTargets)
    Object.assign(resources, syncResources(id, properties, groups, listeners, functions));

  // The NLB's private IPs, and the ALB group's ingress from them as resources of the user's own
  // stack: one rule per NLB private IP (one per subnet, in the order the custom resource sorts
  // them) and port. So the shared nlb-private-ips function only reads, and needs no right on any
  // security group; the stack's deployer, who owns the group, writes the rules. (template.yaml's
  // nlb-private-ips resource writes them itself, on the one group its parameters name.)
  // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ec2-securitygroupingress.html
  const privateIpsResource = `${id}NlbPrivateIps`;
  resources[privateIpsResource] = {
    Type: 'AWS::CloudFormation::CustomResource',
    DependsOn: listeners[0] as string,
    Properties: {
      ServiceToken: functions.nlbPrivateIpsFunctionArn,
      ServiceTimeout: 300,
      LoadBalancerArn: ref(nlb),
      ReturnIngressRules: false,
    },
  };
  // The ports the ALB's group admits the NLB on, each with the name its rules end in: every port,
  // and a health check port beyond them (TargetMode alb).
  const admitted: [Json, string][] = counts.ports.map((port, index) => [port, `Port${index + 1}`]);
  if (counts.healthCheckPort !== undefined) admitted.push([counts.healthCheckPort, 'HealthChecks']);
  if (properties.AlbIngressMode === 'private-ips' && properties.AlbSecurityGroupId !== undefined) {
    counts.subnets.forEach((_, ipIndex) => {
      for (const [port, name] of admitted) {
        resources[`${id}AlbIngressIp${ipIndex + 1}${name}`] = {
          Type: 'AWS::EC2::SecurityGroupIngress',
          Properties: {
            GroupId: properties.AlbSecurityGroupId as Json,
            IpProtocol: 'tcp',
            FromPort: port,
            ToPort: port,
            CidrIp: { 'Fn::Select': [ipIndex, getAtt(privateIpsResource, 'Cidrs')] },
            Description: `From NLB ${id} private IP ${ipIndex + 1} (alb-static-ip)`,
          },
        };
      }
    });
  }
  // AlbIngressMode security-group: one rule per port referencing the NLB's group, no IPs (as
  // template.yaml's AlbIngressFromNlb1 to 3 and AlbIngressFromNlbHealthChecks).
  // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ec2-securitygroupingress.html
  if (properties.AlbIngressMode === 'security-group') {
    for (const [port, name] of admitted) {
      resources[`${id}AlbIngress${name}`] = {
        Type: 'AWS::EC2::SecurityGroupIngress',
        Properties: {
          GroupId: properties.AlbSecurityGroupId as Json,
          IpProtocol: 'tcp',
          FromPort: port,
          ToPort: port,
          SourceSecurityGroupId: getAtt(nlbGroup, 'GroupId'),
          Description: `From the NLB security group of ${id} (alb-static-ip)`,
        },
      };
    }
  }
  if (properties.VpcLink) {
    resources[`${id}VpcLink`] = {
      Type: 'AWS::ApiGateway::VpcLink',
      Properties: {
        Name: { 'Fn::Sub': `\${AWS::StackName}-${id}` },
        Description: 'REST API VPC link to the NLB in front of the ALB.',
        TargetArns: [ref(nlb)],
      },
    };
  }

  // The alarms template.yaml has for its ALB: the sync's errors and IPs outside the NLB's zones
  // for this ALB (the sync publishes both per ALB, so only in TargetMode ip), and no healthy
  // target behind a listener.
  const alarmActions: Json =
    properties.AlarmTopicArn === undefined ? [] : [properties.AlarmTopicArn as Json];
  const alarm = (description: Json, metric: Record<string, Json>): Resource => ({
    Type: 'AWS::CloudWatch::Alarm',
    Properties: {
      AlarmDescription: description,
      ...metric,
      EvaluationPeriods: metric.EvaluationPeriods ?? 1,
      TreatMissingData: metric.TreatMissingData ?? 'notBreaching',
      AlarmActions: alarmActions,
      OKActions: alarmActions,
    },
  });
  if (!albTargets) {
    const syncDimensions: Json = [
      { Name: 'service', Value: 'target-group-sync' },
      { Name: 'LoadBalancer', Value: albResourceId(loadBalancerArn) },
    ];
    resources[`${id}SyncErrorsAlarm`] = alarm(
      `target-group-sync failed to sync one or more target groups of ${id}.`,
      {
        Namespace: 'AlbStaticIp',
        MetricName: 'SyncErrors',
        Dimensions: syncDimensions,
        Statistic: 'Sum',
        Period: 300,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      },
    );
    resources[`${id}IpsOutsideNlbZonesAlarm`] = alarm(
      `Some IPs of the ALB behind ${id} are in Availability Zones its NLB does not serve, and get no traffic. Add a subnet in each of those zones to SubnetIds; the sync's log names the IPs and zones.`,
      {
        Namespace: 'AlbStaticIp',
        MetricName: 'IpsOutsideNlbZones',
        Dimensions: syncDimensions,
        Statistic: 'Maximum',
        Period: 300,
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      },
    );
    resources[`${id}LookalikeEnisAlarm`] = alarm(
      `A network interface carries the description of the ALB behind ${id} but was not created by Elastic Load Balancing: someone tried to put an address behind the static IPs, or made a mistake. It is never registered; the sync's log names it. Find who created it in CloudTrail.`,
      {
        Namespace: 'AlbStaticIp',
        MetricName: 'LookalikeEnis',
        Dimensions: syncDimensions,
        Statistic: 'Maximum',
        Period: 300,
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      },
    );
  }
  counts.ports.forEach((port, index) => {
    resources[`${id}HealthyHosts${index + 1}Alarm`] = alarm(
      typeof port === 'number'
        ? `No healthy ALB target behind the NLB listener of ${id} on port ${port}.`
        : {
            'Fn::Sub': [
              `No healthy ALB target behind the NLB listener of ${id} on port \${Port}.`,
              { Port: port },
            ],
          },
      {
        Namespace: 'AWS/NetworkELB',
        MetricName: 'HealthyHostCount',
        Dimensions: [
          { Name: 'TargetGroup', Value: getAtt(groups[index] as string, 'TargetGroupFullName') },
          { Name: 'LoadBalancer', Value: getAtt(nlb, 'LoadBalancerFullName') },
        ],
        Statistic: 'Minimum',
        Period: 60,
        EvaluationPeriods: 3,
        Threshold: 1,
        ComparisonOperator: 'LessThanThreshold',
        TreatMissingData: 'breaching',
      },
    );
  });

  const joined = (values: Json[]): Json => ({ 'Fn::Join': [',', values] });
  if (allocate) {
    outputs[`${id}StaticIps`] = {
      Description: `The static public IPs of the NLB of ${id} (the Elastic IPs it allocated), comma-separated.`,
      Value: joined(counts.subnets.map((_, index) => ref(`${id}ElasticIp${index + 1}`))),
    };
  }
  outputs[`${id}NlbArn`] = { Description: `ARN of the NLB of ${id}.`, Value: ref(nlb) };
  if (properties.NlbSecurityGroup) {
    outputs[`${id}NlbSecurityGroupId`] = {
      Description: `The security group of the NLB of ${id}: reference it to admit the NLB.`,
      Value: getAtt(nlbGroup, 'GroupId'),
    };
  }
  outputs[`${id}NlbDnsName`] = {
    Description: `DNS name of the NLB of ${id}; it resolves to the static IPs.`,
    Value: getAtt(nlb, 'DNSName'),
  };
  outputs[`${id}NlbPrivateIps`] = {
    Description: `The private IPs of the NLB of ${id}, comma-separated.`,
    // PrivateIps is a list attribute: joined as a whole.
    Value: { 'Fn::Join': [',', getAtt(privateIpsResource, 'PrivateIps')] },
  };
  outputs[`${id}TargetGroupArns`] = {
    Description: albTargets
      ? `The target groups of ${id}, with the ALB registered, comma-separated.`
      : `The target groups ${id} keeps in sync with the ALB, comma-separated.`,
    Value: joined(groups.map(ref)),
  };
  // alb-static-ip status reads these two to find a bridge that has no sync schedule to read.
  outputs[`${id}TargetMode`] = {
    Description: `How the NLB of ${id} reaches the ALB - ip (IP target groups kept in sync) or alb (the ALB registered).`,
    Value: properties.TargetMode,
  };
  outputs[`${id}AlbArn`] = {
    Description: `ARN of the Application Load Balancer behind the NLB of ${id}.`,
    Value: loadBalancerArn,
  };
  if (properties.VpcLink) {
    outputs[`${id}VpcLinkId`] = {
      Description: `Id of the API Gateway VPC link of ${id}, for REST API integrations.`,
      Value: ref(`${id}VpcLink`),
    };
  }

  if (counts.condition) {
    for (const each of Object.values(resources)) each.Condition = counts.condition;
    for (const each of Object.values(outputs))
      (each as Record<string, Json>).Condition = counts.condition;
  }
  return { resources, outputs };
}

/**
 * TargetMode ip: the deploy-time sync, and its schedule and ENI-change rules, each sending the sync
 * the same input for the bridge's groups.
 */
function syncResources(
  id: string,
  properties: BridgeProperties,
  groups: string[],
  listeners: string[],
  functions: SharedFunctions,
): Record<string, Resource> {
  const resources: Record<string, Resource> = {};
  const loadBalancerArn = properties.LoadBalancerArn as Json;
  // An ALB in another account: every trigger's input names the role to read it with, and its
  // external id (README, "An ALB in another account"). Absent: the inputs are as before.
  const discovery: Record<string, Json> = {};
  if (properties.DiscoveryRoleArn !== undefined) {
    discovery.DiscoveryRoleArn = properties.DiscoveryRoleArn as Json;
    if (properties.DiscoveryExternalId !== undefined) {
      discovery.DiscoveryExternalId = properties.DiscoveryExternalId as Json;
    }
  }
  const discoveryInput = Object.keys(discovery)
    .map((field) => `,"${field}":"\${${field}}"`)
    .join('');

  // The sync runs after the listeners: it reads the NLB's zones through the group's load balancer.
  const sync = `${id}Sync`;
  resources[sync] = {
    Type: 'AWS::CloudFormation::CustomResource',
    Properties: {
      ServiceToken: functions.syncFunctionArn,
      ServiceTimeout: 300,
      LoadBalancerArn: loadBalancerArn,
      TargetGroupArns: groups.map((group, index) => ({
        'Fn::Select': [0, [ref(group), ref(listeners[index] as string)]],
      })),
      DryRun: false,
      ...discovery,
    },
  };
  const input: Json = {
    'Fn::Sub': [
      `{"LoadBalancerArn":"\${LoadBalancerArn}","TargetGroupArns":[\${Arns}],"DryRun":false${discoveryInput}}`,
      {
        LoadBalancerArn: loadBalancerArn,
        Arns: { 'Fn::Join': [',', groups.map((group) => ({ 'Fn::Sub': `"\${${group}}"` }))] },
        ...discovery,
      },
    ],
  };
  const target = (targetId: string): Json => ({
    Id: targetId,
    Arn: functions.syncFunctionArn,
    Input: input,
    RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 300 },
    DeadLetterConfig: { Arn: functions.deadLetterQueueArn },
  });
  // The rules depend on the deploy-time sync: on delete they go first, so no scheduled run
  // registers the ALB's IPs again after the teardown.
  resources[`${id}SyncSchedule`] = {
    Type: 'AWS::Events::Rule',
    DependsOn: sync,
    Properties: {
      Description: `Reconciles the target groups of ${id} with the ALB's IPs on a schedule.`,
      ScheduleExpression: properties.Schedule as Json,
      State: 'ENABLED',
      Targets: [target('target-group-sync')],
    },
  };
  if (properties.ReactToEniEvents) {
    resources[`${id}EniChange`] = {
      Type: 'AWS::Events::Rule',
      DependsOn: sync,
      Properties: {
        Description: `Reconciles the target groups of ${id} when Elastic Load Balancing changes a network interface.`,
        EventPattern: {
          source: ['aws.ec2'],
          'detail-type': ['AWS API Call via CloudTrail'],
          detail: {
            eventSource: ['ec2.amazonaws.com'],
            errorCode: [{ exists: false }],
            userIdentity: {
              sessionContext: {
                sessionIssuer: { userName: ['AWSServiceRoleForElasticLoadBalancing'] },
              },
            },
            $or: [
              {
                eventName: ['CreateNetworkInterface'],
                requestParameters: {
                  description: [
                    { 'Fn::Sub': ['ELB ${Alb}', { Alb: albResourceId(loadBalancerArn) }] },
                  ],
                },
              },
              { eventName: ['DeleteNetworkInterface'] },
            ],
          },
        },
        State: 'ENABLED',
        Targets: [target('target-group-sync')],
      },
    };
  }
  return resources;
}

/**
 * TargetMode alb: a group of type alb, TCP, with the ALB registered once on the group's port, which
 * must be a port the ALB listens on. Its health checks are HTTP or HTTPS, through the ALB's
 * listener to its own targets. Its attributes cannot be changed, so none is set; the timeout is
 * written out because a TCP group's default (10 s) would equal the interval. No managed tag: no
 * sync writes to it. (As template.yaml's TargetGroup1 to 3.)
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/network/application-load-balancer-target.html
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/network/target-group-health-checks.html
 */
function albTargetGroup(properties: BridgeProperties, port: Json): Resource {
  const checkPort = properties.AlbHealthCheckPort;
  return {
    TargetType: 'alb',
    Protocol: 'TCP',
    Port: port,
    VpcId: properties.VpcId as Json,
    HealthCheckProtocol: properties.AlbHealthCheckProtocol ?? ALB_HEALTH_CHECK_DEFAULTS.protocol,
    // A string to CloudFormation, as template.yaml's parameter gives it: a port or traffic-port.
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-elasticloadbalancingv2-targetgroup.html
    ...(checkPort !== undefined && {
      HealthCheckPort: typeof checkPort === 'number' ? String(checkPort) : (checkPort as Json),
    }),
    HealthCheckPath: (properties.AlbHealthCheckPath ?? ALB_HEALTH_CHECK_DEFAULTS.path) as Json,
    HealthCheckIntervalSeconds: 10,
    HealthCheckTimeoutSeconds: 6,
    HealthyThresholdCount: 3,
    UnhealthyThresholdCount: 3,
    Targets: [{ Id: properties.LoadBalancerArn as Json, Port: port }],
  };
}

function isObject(value: unknown): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
