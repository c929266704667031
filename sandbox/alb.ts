import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateNetworkInterfaceCommand,
  DeleteNetworkInterfaceCommand,
  DescribeNetworkInterfacesCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { parseLoadBalancerArn } from '../functions/shared/arns.js';
import { ROOT, type Subnet, type World } from './deploy.js';

// The ALB's life, as Elastic Load Balancing lives it: it adds a node (a network interface in one of
// its subnets) when it scales out, removes one when it scales in, replaces one, and starts using a
// zone the NLB does not serve. moto does none of this, so the sandbox does it with the EC2 API, and
// sends the CloudTrail event of each call to EventBridge (moto's, where the stack's ENI rule and its
// real pattern decide whether the sync runs), as CloudTrail does for the calls ELB makes through its
// service-linked role.
// https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#availability-zones
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
// https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-ec2.html

/**
 * The tag by which the emulator's stand-in plays Elastic Load Balancing creating an interface
 * (moto_elb_enis.py, STAND_IN_TAG). Only the emulator knows it.
 */
export const ELB_CREATES_IT = {
  ResourceType: 'network-interface' as const,
  Tags: [{ Key: 'moto-stand-in:requester', Value: 'amazon-elb' }],
};

/** One change to the ALB: a node added in a zone, or the oldest node of a zone removed. */
export interface AlbChange {
  readonly kind: 'add' | 'remove';
  readonly zone: string;
}

/** A node of the ALB: its network interface. */
export interface AlbNode {
  readonly eniId: string;
  readonly ip: string;
  readonly zone: string;
}

/** What a change did, for the view. */
export interface AppliedChange extends AlbNode {
  readonly kind: AlbChange['kind'];
  /** Whether its CloudTrail event went to EventBridge. */
  readonly eventSent: boolean;
}

/** The CloudTrail event of ELB creating an interface, as events/eni-created-by-elb.json has it. */
const CREATED_EVENT = JSON.parse(
  readFileSync(join(ROOT, 'events', 'eni-created-by-elb.json'), 'utf8'),
) as { detail: Record<string, unknown> };

export class Alb {
  readonly description: string;

  constructor(
    private readonly world: World,
    private readonly ec2: EC2Client,
    private readonly events: EventBridgeClient,
  ) {
    const arn = parseLoadBalancerArn(world.albArn);
    if (arn === undefined) throw new Error(`${world.albArn} is not a load balancer ARN`);
    this.description = arn.eniDescription;
  }

  /** The ALB's nodes now, oldest first (moto lists interfaces in creation order). */
  async nodes(): Promise<AlbNode[]> {
    const { NetworkInterfaces } = await this.ec2.send(
      new DescribeNetworkInterfacesCommand({
        Filters: [{ Name: 'description', Values: [this.description] }],
      }),
    );
    return (NetworkInterfaces ?? []).map((eni) => ({
      eniId: eni.NetworkInterfaceId ?? '',
      ip: eni.PrivateIpAddress ?? '',
      zone: eni.AvailabilityZone ?? '',
    }));
  }

  /** Applies a change; its CloudTrail event goes to EventBridge when `sendEvent`. */
  async apply(change: AlbChange, sendEvent: boolean): Promise<AppliedChange> {
    if (change.kind === 'add') {
      const subnet = this.subnetIn(change.zone);
      const { NetworkInterface } = await this.ec2.send(
        new CreateNetworkInterfaceCommand({
          SubnetId: subnet.id,
          Description: this.description,
          Groups: [this.world.albSecurityGroupId],
          // Elastic Load Balancing creates it: requester-managed by amazon-elb, as the emulator's
          // stand-in makes it (moto_elb_enis.py), which drops the tag.
          TagSpecifications: [ELB_CREATES_IT],
        }),
      );
      const node = {
        eniId: NetworkInterface?.NetworkInterfaceId ?? '',
        ip: NetworkInterface?.PrivateIpAddress ?? '',
        zone: change.zone,
      };
      if (sendEvent) await this.sendEvent('CreateNetworkInterface', node, subnet);
      return { ...node, kind: 'add', eventSent: sendEvent };
    }
    const node = (await this.nodes()).find((candidate) => candidate.zone === change.zone);
    if (node === undefined) throw new Error(`the ALB has no node in ${change.zone} to remove`);
    await this.ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: node.eniId }));
    if (sendEvent) await this.sendEvent('DeleteNetworkInterface', node, this.subnetIn(node.zone));
    return { ...node, kind: 'remove', eventSent: sendEvent };
  }

  private subnetIn(zone: string): Subnet {
    const subnet = this.world.subnets.find((candidate) => candidate.zone === zone);
    if (subnet === undefined) throw new Error(`the sandbox's VPC has no subnet in ${zone}`);
    return subnet;
  }

  private async sendEvent(
    eventName: 'CreateNetworkInterface' | 'DeleteNetworkInterface',
    node: AlbNode,
    subnet: Subnet,
  ): Promise<void> {
    const time = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const created = eventName === 'CreateNetworkInterface';
    const detail = {
      ...CREATED_EVENT.detail,
      eventTime: time,
      eventName,
      requestParameters: created
        ? {
            subnetId: subnet.id,
            description: this.description,
            groupSet: { items: [{ groupId: this.world.albSecurityGroupId }] },
            privateIpAddressesSet: {},
          }
        : { networkInterfaceId: node.eniId },
      responseElements: created
        ? {
            networkInterface: {
              networkInterfaceId: node.eniId,
              subnetId: subnet.id,
              vpcId: this.world.vpcId,
              availabilityZone: node.zone,
              description: this.description,
              privateIpAddress: node.ip,
            },
          }
        : { _return: true },
    };
    const { FailedEntryCount } = await this.events.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: 'aws.ec2',
            DetailType: 'AWS API Call via CloudTrail',
            Detail: JSON.stringify(detail),
            Time: new Date(time),
          },
        ],
      }),
    );
    if (FailedEntryCount) throw new Error(`EventBridge refused the ${eventName} event`);
  }
}
