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
import { isElbManaged } from '../functions/shared/load-balancer-enis.js';
import { ROOT, type Subnet, type World } from './deploy.js';
import { ELB_CREATES_IT } from './elb-stand-in.js';

// The ALB's life, as Elastic Load Balancing lives it: it adds a node (a network interface in one of
// its subnets) when it scales out, removes one when it scales in, replaces one, and starts using a
// zone the NLB does not serve. moto does none of this, so the sandbox does it with the EC2 API, and
// sends the CloudTrail event of each call to EventBridge (moto's, where the stack's ENI rule and its
// real pattern decide whether the sync runs), as CloudTrail does for the calls ELB makes through its
// service-linked role.
// And what a principal of the account can do beside it: create an interface with the ALB's exact
// description (the description is free text) and delete it later. EC2 makes such an interface
// requester-managed by nobody, whatever its description, and CloudTrail names the user who called.
// https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#availability-zones
// https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/requester-managed-eni.html
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html
// https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-ec2.html

/**
 * One change in the ALB's subnets: a node added in a zone, or the oldest node of a zone removed; or
 * a lookalike (an interface with the ALB's description, created by an IAM user of the account)
 * added in a zone, or the oldest lookalike of a zone removed.
 */
export interface AlbChange {
  readonly kind: 'add' | 'remove' | 'add lookalike' | 'remove lookalike';
  readonly zone: string;
}

/** The IAM user of the account who creates and deletes the lookalikes. */
const LOOKALIKE_CREATOR = 'sandbox-operator';

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
  /** The ALB's account: the lookalikes' creator is a user of it. */
  private readonly account: string;

  constructor(
    private readonly world: World,
    private readonly ec2: EC2Client,
    private readonly events: EventBridgeClient,
  ) {
    const arn = parseLoadBalancerArn(world.albArn);
    if (arn === undefined) throw new Error(`${world.albArn} is not a load balancer ARN`);
    this.description = arn.eniDescription;
    this.account = arn.account;
  }

  /** The ALB's nodes now, oldest first (moto lists interfaces in creation order). */
  async nodes(): Promise<AlbNode[]> {
    return (await this.withDescription())
      .filter((eni) => eni.byElb)
      .map(({ eniId, ip, zone }) => ({ eniId, ip, zone }));
  }

  /** Applies a change; its CloudTrail event goes to EventBridge when `sendEvent`. */
  async apply(change: AlbChange, sendEvent: boolean): Promise<AppliedChange> {
    const byElb = change.kind === 'add' || change.kind === 'remove';
    if (change.kind === 'add' || change.kind === 'add lookalike') {
      const subnet = this.subnetIn(change.zone);
      const { NetworkInterface } = await this.ec2.send(
        new CreateNetworkInterfaceCommand({
          SubnetId: subnet.id,
          Description: this.description,
          // A lookalike takes the ALB's security group too: all it needs is to look like a node.
          Groups: [this.world.albSecurityGroupId],
          // Elastic Load Balancing creates a node: requester-managed by amazon-elb, as the
          // emulator's stand-in makes it (moto_elb_enis.py), which drops the tag. A lookalike is
          // created as any principal creates one: without it.
          ...(byElb && { TagSpecifications: [ELB_CREATES_IT] }),
        }),
      );
      const node = {
        eniId: NetworkInterface?.NetworkInterfaceId ?? '',
        ip: NetworkInterface?.PrivateIpAddress ?? '',
        zone: change.zone,
      };
      if (sendEvent) await this.sendEvent('CreateNetworkInterface', node, subnet, byElb);
      return { ...node, kind: change.kind, eventSent: sendEvent };
    }
    const node = (await this.withDescription()).find(
      (candidate) => candidate.byElb === byElb && candidate.zone === change.zone,
    );
    if (node === undefined) {
      throw new Error(`the ALB has no ${byElb ? 'node' : 'lookalike'} in ${change.zone} to remove`);
    }
    await this.ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: node.eniId }));
    if (sendEvent) {
      await this.sendEvent('DeleteNetworkInterface', node, this.subnetIn(node.zone), byElb);
    }
    return {
      eniId: node.eniId,
      ip: node.ip,
      zone: node.zone,
      kind: change.kind,
      eventSent: sendEvent,
    };
  }

  /** Every interface with the ALB's description, oldest first: its nodes and the lookalikes. */
  private async withDescription(): Promise<(AlbNode & { byElb: boolean })[]> {
    const { NetworkInterfaces } = await this.ec2.send(
      new DescribeNetworkInterfacesCommand({
        Filters: [{ Name: 'description', Values: [this.description] }],
      }),
    );
    return (NetworkInterfaces ?? []).map((eni) => ({
      eniId: eni.NetworkInterfaceId ?? '',
      ip: eni.PrivateIpAddress ?? '',
      zone: eni.AvailabilityZone ?? '',
      byElb: isElbManaged(eni),
    }));
  }

  private subnetIn(zone: string): Subnet {
    const subnet = this.world.subnets.find((candidate) => candidate.zone === zone);
    if (subnet === undefined) throw new Error(`the sandbox's VPC has no subnet in ${zone}`);
    return subnet;
  }

  /** The CloudTrail event of the call: by ELB's service-linked role when `byElb`, else a user's. */
  private async sendEvent(
    eventName: 'CreateNetworkInterface' | 'DeleteNetworkInterface',
    node: AlbNode,
    subnet: Subnet,
    byElb: boolean,
  ): Promise<void> {
    const time = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const created = eventName === 'CreateNetworkInterface';
    const detail = {
      ...CREATED_EVENT.detail,
      ...(!byElb && this.userCall()),
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
              // As EC2 answers: requester-managed by amazon-elb for ELB's, by nobody otherwise.
              ...(byElb && { requesterId: 'amazon-elb' }),
              requesterManaged: byElb,
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

  /**
   * What CloudTrail records of a call an IAM user of the account makes with an access key, with the
   * AWS CLI: an IAMUser identity, the caller's address and user agent, and no `invokedBy`.
   */
  private userCall() {
    const account = this.account;
    return {
      userIdentity: {
        type: 'IAMUser',
        principalId: 'AIDAEXAMPLEID0000000',
        arn: `arn:aws:iam::${account}:user/${LOOKALIKE_CREATOR}`,
        accountId: account,
        accessKeyId: 'AKIAEXAMPLEKEY000000',
        userName: LOOKALIKE_CREATOR,
      },
      sourceIPAddress: '198.51.100.23',
      userAgent: 'aws-cli/2.22.0 md/awscrt#0.23.4 ua/2.0 os/linux#6.8 md/arch#x86_64',
    };
  }
}
