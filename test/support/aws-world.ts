import {
  AssignPrivateIpAddressesCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateNetworkInterfaceCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DeleteNetworkInterfaceCommand,
  DeleteSecurityGroupCommand,
  DescribeSecurityGroupRulesCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DeleteTargetGroupCommand,
  DescribeTagsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
  type TargetTypeEnum,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { parseLoadBalancerArn } from '../../functions/shared/arns.js';
import { ELB_CREATES_IT } from '../../sandbox/elb-stand-in.js';

/** The description AWS gives a load balancer's interfaces (`ELB app/NAME/ID`), from its ARN. */
export function eniDescriptionOf(loadBalancerArn: string): string {
  const parsed = parseLoadBalancerArn(loadBalancerArn);
  if (!parsed) throw new TypeError(`Not a load balancer ARN: ${loadBalancerArn}`);
  return parsed.eniDescription;
}

/** Who creates an interface: Elastic Load Balancing, or a principal of the account. */
export type CreatedBy = 'elb' | 'account';

/**
 * Builds the AWS side of a scenario in the emulator: VPCs, load balancers, target groups, and the
 * network interfaces AWS would create for a load balancer (the emulator creates none itself, so
 * they are made here with the description AWS gives them). Its clients talk to the emulator
 * directly, so the recording proxy sees only the calls of the code under test.
 */
export class AwsWorld {
  readonly ec2: EC2Client;
  readonly elbv2: ElasticLoadBalancingV2Client;
  /** The next host number to hand out in each subnet: moto picks random, sometimes equal, IPs. */
  private readonly nextHost = new Map<string, { base: number[]; next: number }>();

  /**
   * `credentials`: another account's, such as a role assumed there (moto scopes a call to the
   * account of the role whose credentials sign it); the environment's (moto's default account)
   * without.
   */
  constructor(
    emulatorEndpoint: string,
    credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
  ) {
    const config = { endpoint: emulatorEndpoint, ...(credentials && { credentials }) };
    this.ec2 = new EC2Client(config);
    this.elbv2 = new ElasticLoadBalancingV2Client(config);
  }

  /** A VPC with a /20 subnet in each zone (4,091 addresses each), in zones a and b by default. */
  async network(
    cidrPrefix = '10.0',
    zones: readonly string[] = ['us-east-1a', 'us-east-1b'],
  ): Promise<{ vpcId: string; subnetIds: string[] }> {
    const vpc = await this.ec2.send(new CreateVpcCommand({ CidrBlock: `${cidrPrefix}.0.0/16` }));
    const vpcId = vpc.Vpc?.VpcId ?? '';
    const subnet = async (third: number, zone: string) => {
      const created = await this.ec2.send(
        new CreateSubnetCommand({
          VpcId: vpcId,
          CidrBlock: `${cidrPrefix}.${third}.0/20`,
          AvailabilityZone: zone,
        }),
      );
      const subnetId = created.Subnet?.SubnetId ?? '';
      // AWS reserves the first four addresses of a subnet.
      this.nextHost.set(subnetId, { base: [...cidrPrefix.split('.').map(Number), third], next: 4 });
      return subnetId;
    };
    const subnetIds: string[] = [];
    for (const [index, zone] of zones.entries()) subnetIds.push(await subnet(16 * index, zone));
    return { vpcId, subnetIds };
  }

  async loadBalancer(
    name: string,
    type: 'application' | 'network',
    subnetIds: readonly string[],
  ): Promise<string> {
    const created = await this.elbv2.send(
      new CreateLoadBalancerCommand({ Name: name, Type: type, Subnets: [...subnetIds] }),
    );
    return created.LoadBalancers?.[0]?.LoadBalancerArn ?? '';
  }

  async targetGroup(
    name: string,
    vpcId: string,
    port: number,
    targetType: TargetTypeEnum = 'ip',
  ): Promise<string> {
    const created = await this.elbv2.send(
      new CreateTargetGroupCommand({
        Name: name,
        Protocol: 'TCP',
        Port: port,
        VpcId: vpcId,
        TargetType: targetType,
      }),
    );
    return created.TargetGroups?.[0]?.TargetGroupArn ?? '';
  }

  /**
   * A network interface as Elastic Load Balancing makes them for a load balancer: described
   * `ELB app/NAME/ID`, requester-managed by amazon-elb.
   */
  async loadBalancerEni(loadBalancerArn: string, subnetId: string): Promise<Eni> {
    return await this.eni(subnetId, eniDescriptionOf(loadBalancerArn), 'elb');
  }

  /**
   * What anyone allowed ec2:CreateNetworkInterface in the subnet can make: an interface with the
   * load balancer's exact description, created by the account, not by Elastic Load Balancing.
   */
  async lookalikeEni(loadBalancerArn: string, subnetId: string): Promise<Eni> {
    return await this.eni(subnetId, eniDescriptionOf(loadBalancerArn), 'account');
  }

  /** `count` load balancer interfaces spread over the subnets, made `concurrency` at a time. */
  async loadBalancerEnis(
    loadBalancerArn: string,
    subnetIds: readonly string[],
    count: number,
    concurrency = 16,
  ): Promise<Eni[]> {
    const description = eniDescriptionOf(loadBalancerArn);
    return await this.enis(subnetIds, count, () => description, 'elb', concurrency);
  }

  async enis(
    subnetIds: readonly string[],
    count: number,
    description: (index: number) => string,
    createdBy: CreatedBy = 'account',
    concurrency = 16,
  ): Promise<Eni[]> {
    const made: Eni[] = new Array(count);
    let next = 0;
    const worker = async () => {
      while (next < count) {
        const index = next;
        next += 1;
        made[index] = await this.eni(
          subnetIds[index % subnetIds.length] ?? '',
          description(index),
          createdBy,
        );
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
    return made;
  }

  /**
   * An interface; `elb`: as Elastic Load Balancing creates one, through the emulator's stand-in
   * (sandbox/moto_elb_enis.py), `account`: as any principal of the account can.
   */
  async eni(subnetId: string, description: string, createdBy: CreatedBy = 'account'): Promise<Eni> {
    const created = await this.ec2.send(
      new CreateNetworkInterfaceCommand({
        SubnetId: subnetId,
        Description: description,
        PrivateIpAddress: this.allocateIp(subnetId),
        ...(createdBy === 'elb' && { TagSpecifications: [ELB_CREATES_IT] }),
      }),
    );
    const eni = created.NetworkInterface;
    return { id: eni?.NetworkInterfaceId ?? '', ip: eni?.PrivateIpAddress ?? '' };
  }

  /** A distinct address in the subnet, as AWS would assign (the emulator may repeat one). */
  private allocateIp(subnetId: string): string {
    const subnet = this.nextHost.get(subnetId);
    if (!subnet) throw new Error(`subnet ${subnetId} was not made by this world`);
    const host = subnet.next;
    subnet.next += 1;
    const [first = 0, second = 0, third = 0] = subnet.base;
    return `${first}.${second}.${third + Math.floor(host / 256)}.${host % 256}`;
  }

  /**
   * Gives the interface `count` secondary private IPs, as Elastic Load Balancing does to an NLB's
   * interfaces when its secondary_ips.auto_assigned.per_subnet attribute is above 0.
   */
  async secondaryIps(eni: Eni, subnetId: string, count: number): Promise<string[]> {
    const ips = Array.from({ length: count }, () => this.allocateIp(subnetId));
    await this.ec2.send(
      new AssignPrivateIpAddressesCommand({ NetworkInterfaceId: eni.id, PrivateIpAddresses: ips }),
    );
    return ips;
  }

  async deleteEni(eni: Eni): Promise<void> {
    await this.ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: eni.id }));
  }

  async deleteTargetGroup(targetGroupArn: string): Promise<void> {
    await this.elbv2.send(new DeleteTargetGroupCommand({ TargetGroupArn: targetGroupArn }));
  }

  /** A TCP listener forwarding to the target group. */
  async listener(loadBalancerArn: string, port: number, targetGroupArn: string): Promise<void> {
    await this.elbv2.send(
      new CreateListenerCommand({
        LoadBalancerArn: loadBalancerArn,
        Protocol: 'TCP',
        Port: port,
        DefaultActions: [{ Type: 'forward', TargetGroupArn: targetGroupArn }],
      }),
    );
  }

  /**
   * An ALB with subnets in zones a, b and c, and an NLB in zones a and b only, whose listener on 443
   * forwards to an IP target group: a bridge whose NLB does not serve the ALB's zone c. The ALB
   * has no interface yet.
   */
  async bridgeMissingZoneC(): Promise<{
    subnetIds: string[];
    albArn: string;
    nlbArn: string;
    targetGroupArn: string;
  }> {
    const { vpcId, subnetIds } = await this.network('10.0', [
      'us-east-1a',
      'us-east-1b',
      'us-east-1c',
    ]);
    const albArn = await this.loadBalancer('web', 'application', subnetIds);
    const nlbArn = await this.loadBalancer('web-static', 'network', subnetIds.slice(0, 2));
    const targetGroupArn = await this.targetGroup('web-static-443', vpcId, 443);
    await this.listener(nlbArn, 443, targetGroupArn);
    return { subnetIds, albArn, nlbArn, targetGroupArn };
  }

  async securityGroup(name: string, vpcId: string): Promise<string> {
    const created = await this.ec2.send(
      new CreateSecurityGroupCommand({ GroupName: name, Description: name, VpcId: vpcId }),
    );
    return created.GroupId ?? '';
  }

  async deleteSecurityGroup(groupId: string): Promise<void> {
    await this.ec2.send(new DeleteSecurityGroupCommand({ GroupId: groupId }));
  }

  async allow(groupId: string, cidr: string, port: number, description: string): Promise<void> {
    await this.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: groupId,
        IpPermissions: [
          {
            IpProtocol: 'tcp',
            FromPort: port,
            ToPort: port,
            IpRanges: [{ CidrIp: cidr, Description: description }],
          },
        ],
      }),
    );
  }

  /** The group's ingress rules as sorted `cidr:port description` strings. */
  async ingress(groupId: string): Promise<string[]> {
    const rules = await this.ec2.send(
      new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [groupId] }] }),
    );
    return (rules.SecurityGroupRules ?? [])
      .filter((rule) => !rule.IsEgress)
      .map((rule) => `${rule.CidrIpv4}:${rule.FromPort} ${rule.Description ?? ''}`.trim())
      .sort();
  }

  async register(targetGroupArn: string, targets: { id: string; port: number }[]): Promise<void> {
    await this.elbv2.send(
      new RegisterTargetsCommand({
        TargetGroupArn: targetGroupArn,
        Targets: targets.map(({ id, port }) => ({ Id: id, Port: port })),
      }),
    );
  }

  /** The group's tags as sorted `key=value` strings. */
  async tags(resourceArn: string): Promise<string[]> {
    const described = await this.elbv2.send(
      new DescribeTagsCommand({ ResourceArns: [resourceArn] }),
    );
    return (described.TagDescriptions?.[0]?.Tags ?? [])
      .map(({ Key, Value }) => `${Key}=${Value}`)
      .sort();
  }

  /** The group's targets as sorted `ip:port` strings. */
  async targets(targetGroupArn: string): Promise<string[]> {
    const health = await this.elbv2.send(
      new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }),
    );
    return (health.TargetHealthDescriptions ?? [])
      .map(({ Target }) => `${Target?.Id}:${Target?.Port}`)
      .sort();
  }
}

export interface Eni {
  readonly id: string;
  readonly ip: string;
}
