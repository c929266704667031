import { DescribeNetworkInterfacesCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { DiscoveryClientsFor } from '../../functions/shared/aws-clients.js';
import { parseBinding } from '../../functions/shared/binding.js';
import { ConfigurationError, DiscoveryRoleError } from '../../functions/shared/errors.js';
import { type SyncDependencies, syncTargetGroups } from '../../functions/target-group-sync/sync.js';
import { deregisterLoadBalancerIps } from '../../functions/target-group-sync/teardown.js';
import { CREATED_BY_ELB } from '../support/elb-eni.js';
import { failureOf } from '../support/failure-of.js';
import { LIVE } from '../support/signals.js';
import { ipTargetGroup, NLB } from '../support/target-group-fixture.js';

// The ALB is in account 210987654321, read through the discovery role; the target groups and the
// NLB are in the function's account, 123456789012, and are read and written with its own clients.
const ALB =
  'arn:aws:elasticloadbalancing:us-east-1:210987654321:loadbalancer/app/web/50dc6c495c0c9188';
const ROLE = 'arn:aws:iam::210987654321:role/alb-static-ip/discovery';
const TG = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/a/0000000000000001';

const ownEc2 = new EC2Client({});
const ownElbv2 = new ElasticLoadBalancingV2Client({});
const albEc2 = new EC2Client({});
const albElbv2 = new ElasticLoadBalancingV2Client({});
const ownEc2Mock = mockClient(ownEc2);
const ownElbMock = mockClient(ownElbv2);
const albEc2Mock = mockClient(albEc2);
const albElbMock = mockClient(albElbv2);

const binding = (extra: Record<string, unknown> = {}) =>
  parseBinding({
    LoadBalancerArn: ALB,
    TargetGroupArns: [TG],
    DiscoveryRoleArn: ROLE,
    DiscoveryExternalId: 'ext-123',
    ...extra,
  });

function deps(credentials: () => Promise<unknown> = async () => ({})) {
  const discoveryClients = vi.fn<DiscoveryClientsFor>(() => ({
    ec2: albEc2,
    elbv2: albElbv2,
    credentials: credentials as never,
  }));
  return {
    ec2: ownEc2,
    elbv2: ownElbv2,
    logger: { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() },
    metrics: { addMetric: vi.fn() },
    discoveryClients,
  } satisfies SyncDependencies;
}

beforeEach(() => {
  for (const mock of [ownEc2Mock, ownElbMock, albEc2Mock, albElbMock]) mock.reset();
  albElbMock
    .on(DescribeLoadBalancersCommand)
    .resolves({ LoadBalancers: [{ LoadBalancerArn: ALB, Type: 'application', VpcId: 'vpc-b' }] });
  albEc2Mock.on(DescribeNetworkInterfacesCommand).resolves({
    NetworkInterfaces: ['10.1.0.5', '10.1.16.5'].map((ip, index) => ({
      NetworkInterfaceId: `eni-${index}`,
      ...CREATED_BY_ELB,
      Description: 'ELB app/web/50dc6c495c0c9188',
      PrivateIpAddress: ip,
      VpcId: 'vpc-b',
      AvailabilityZone: `us-east-1${'ab'[index]}`,
    })),
  });
  ownElbMock.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: [ipTargetGroup(TG)] });
  ownElbMock.on(DescribeTargetHealthCommand).resolves({ TargetHealthDescriptions: [] });
  ownElbMock.on(DescribeLoadBalancersCommand).resolves({
    LoadBalancers: [
      { LoadBalancerArn: NLB, Type: 'network', AvailabilityZones: [{ ZoneName: 'us-east-1a' }] },
    ],
  });
  ownElbMock.on(RegisterTargetsCommand).resolves({});
});

describe('Function: syncTargetGroups (an ALB in another account)', () => {
  it("reads the ALB with the role's clients, and everything else, writes included, with its own", async () => {
    // Arrange
    const given = deps();

    // Act
    const summary = await syncTargetGroups(binding(), given, LIVE);

    // Assess
    expect(given.discoveryClients).toHaveBeenCalledWith({ roleArn: ROLE, externalId: 'ext-123' });
    expect(albElbMock.commandCalls(DescribeLoadBalancersCommand)[0]?.args[0].input).toEqual({
      LoadBalancerArns: [ALB],
    });
    expect(albEc2Mock.commandCalls(DescribeNetworkInterfacesCommand)).toHaveLength(1);
    expect(ownEc2Mock.calls()).toHaveLength(0);
    expect(albElbMock.commandCalls(RegisterTargetsCommand)).toHaveLength(0);
    // IPs outside the target group's VPC (vpc-1) are registered for every zone.
    expect(ownElbMock.commandCalls(RegisterTargetsCommand)[0]?.args[0].input).toEqual({
      TargetGroupArn: TG,
      Targets: [
        { Id: '10.1.0.5', Port: 443, AvailabilityZone: 'all' },
        { Id: '10.1.16.5', Port: 443, AvailabilityZone: 'all' },
      ],
    });
    expect(summary.targetGroups[0]).toMatchObject({ status: 'synced', outsideNlbZones: [] });
  });

  it('fails with the role named and writes nothing when the role cannot be assumed', async () => {
    // Arrange
    const refused = new DiscoveryRoleError(
      `DiscoveryRoleArn: could not assume ${ROLE}: AccessDenied`,
    );
    const given = deps(async () => Promise.reject(refused));

    // Act
    const error = await failureOf(syncTargetGroups(binding(), given, LIVE));

    // Assess
    expect(error).toBe(refused);
    expect(albElbMock.calls()).toHaveLength(0);
    expect(albEc2Mock.calls()).toHaveLength(0);
    expect(ownElbMock.commandCalls(RegisterTargetsCommand)).toHaveLength(0);
    expect(given.logger.error).toHaveBeenCalledWith(
      'Sync failed before any target group was written',
      expect.objectContaining({ error: refused }),
    );
  });

  it('ends with the run when AssumeRole hangs, and reads and writes nothing', async () => {
    // Arrange
    const given = deps(() => new Promise(() => {}));
    const controller = new AbortController();
    const reason = new Error("The run was stopped before the Lambda function's timeout");

    // Act
    const running = failureOf(syncTargetGroups(binding(), given, controller.signal));
    controller.abort(reason);
    const error = await running;

    // Assess
    expect(error).toBe(reason);
    expect(albElbMock.calls()).toHaveLength(0);
    expect(albEc2Mock.calls()).toHaveLength(0);
    expect(ownElbMock.commandCalls(RegisterTargetsCommand)).toHaveLength(0);
  });

  it('refuses a role where no role can be assumed, before any call', async () => {
    // Arrange
    const { discoveryClients: _, ...withoutRoles } = deps();

    // Act
    const error = await failureOf(syncTargetGroups(binding(), withoutRoles, LIVE));

    // Assess
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toBe(
      `DiscoveryRoleArn: got "${ROLE}"; expected none here, where no role can be assumed`,
    );
    expect(ownElbMock.calls()).toHaveLength(0);
  });

  it('never assumes a role for an ALB of its own account', async () => {
    // Arrange
    const given = deps();
    const own = ALB.replace('210987654321', '123456789012');
    ownElbMock
      .on(DescribeLoadBalancersCommand, { LoadBalancerArns: [own] })
      .resolves({ LoadBalancers: [{ LoadBalancerArn: own, Type: 'application' }] });
    ownEc2Mock.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [] });

    // Act
    await syncTargetGroups(
      parseBinding({ LoadBalancerArn: own, TargetGroupArns: [TG] }),
      given,
      LIVE,
    );

    // Assess
    expect(given.discoveryClients).not.toHaveBeenCalled();
    expect(albElbMock.calls()).toHaveLength(0);
    expect(ownEc2Mock.commandCalls(DescribeNetworkInterfacesCommand)).toHaveLength(1);
  });

  it("tears down with the IPs read through the role, from its own account's groups", async () => {
    // Arrange
    const given = deps();
    ownElbMock.on(DescribeTargetHealthCommand).resolves({
      TargetHealthDescriptions: [
        {
          Target: { Id: '10.1.0.5', Port: 443, AvailabilityZone: 'all' },
          TargetHealth: { State: 'healthy' },
        },
      ],
    });

    // Act
    await deregisterLoadBalancerIps(binding(), [TG], given, LIVE);

    // Assess
    expect(albEc2Mock.commandCalls(DescribeNetworkInterfacesCommand)).toHaveLength(1);
    expect(ownEc2Mock.calls()).toHaveLength(0);
    expect(ownElbMock.calls().map((call) => call.args[0].constructor.name)).toContain(
      'DeregisterTargetsCommand',
    );
  });
});
