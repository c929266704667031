import {
  DeregisterTargetsCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
  type TargetDescription,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AwsCallError, TargetGroupMismatchError } from '../../functions/shared/errors.js';
import {
  describeIpTargetGroups,
  readRegisteredTargets,
  writeTargets,
} from '../../functions/target-group-sync/target-groups.js';
import { awsError } from '../support/aws-errors.js';
import { failureOf } from '../support/failure-of.js';
import { abortedSignal, LIVE } from '../support/signals.js';
import { ipTargetGroup, NLB } from '../support/target-group-fixture.js';

// The target-group side of the sync, one AWS call a function, against a mocked ELB client: what
// each call sends, what it reads of the answer, and how each failure is named.

const TG_A = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/a/0000000000000001';
const TG_B = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/b/0000000000000002';

const elbMock = mockClient(ElasticLoadBalancingV2Client);
const elbv2 = () => new ElasticLoadBalancingV2Client({});

const ipGroup = ipTargetGroup;

beforeEach(() => {
  elbMock.reset();
});

describe('Function: describeIpTargetGroups', () => {
  it('reads each group by its ARN, whatever the order of the answer, and skips unnamed entries', async () => {
    elbMock.on(DescribeTargetGroupsCommand).resolves({
      TargetGroups: [ipGroup(TG_B, { Port: 80, LoadBalancerArns: undefined }), {}, ipGroup(TG_A)],
    });

    const described = await Promise.all(describeIpTargetGroups(elbv2(), [TG_A, TG_B], LIVE));

    expect(described).toStrictEqual([
      { targetGroupArn: TG_A, port: 443, vpcId: 'vpc-1', loadBalancerArns: [NLB] },
      { targetGroupArn: TG_B, port: 80, vpcId: 'vpc-1', loadBalancerArns: [] },
    ]);
    expect(elbMock.commandCalls(DescribeTargetGroupsCommand).map((c) => c.args[0].input)).toEqual([
      { TargetGroupArns: [TG_A, TG_B] },
    ]);
  });

  it.each([
    [
      'of another target type',
      { TargetType: 'instance' },
      `TargetGroupArns: ${TG_A} has target type "instance"; expected "ip"`,
    ],
    [
      'of IP address type ipv6',
      { IpAddressType: 'ipv6' },
      `TargetGroupArns: ${TG_A} has IP address type "ipv6"; expected "ipv4", the family of the load balancer's private IPs`,
    ],
    [
      'without a port',
      { Port: undefined },
      `TargetGroupArns: ${TG_A} reports no port or VPC; expected both for an "ip" target group`,
    ],
    [
      'without a VPC',
      { VpcId: undefined },
      `TargetGroupArns: ${TG_A} reports no port or VPC; expected both for an "ip" target group`,
    ],
  ])('refuses a group %s, naming it', async (_, extra, message) => {
    elbMock.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: [ipGroup(TG_A, extra)] });

    const [described] = describeIpTargetGroups(elbv2(), [TG_A], LIVE);
    const error = await failureOf(described as Promise<unknown>);

    expect(error).toBeInstanceOf(TargetGroupMismatchError);
    expect(error.message).toBe(message);
  });

  it('accepts a dualstack group, which holds IPv4 targets', async () => {
    elbMock
      .on(DescribeTargetGroupsCommand)
      .resolves({ TargetGroups: [ipGroup(TG_A, { IpAddressType: 'ipv4' })] });

    const [described] = describeIpTargetGroups(elbv2(), [TG_A], LIVE);

    await expect(described).resolves.toMatchObject({ port: 443 });
  });

  it('refuses a group the answer leaves out', async () => {
    elbMock.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: [ipGroup(TG_B)] });

    const [described] = describeIpTargetGroups(elbv2(), [TG_A, TG_B], LIVE);
    const error = await failureOf(described as Promise<unknown>);

    expect(error.message).toBe(
      `TargetGroupArns: got "${TG_A}"; expected an existing target group, and DescribeTargetGroups returned none`,
    );
  });

  it('names a missing group without a second call when it is the only one', async () => {
    const cause = awsError('TargetGroupNotFoundException', 'One or more target groups not found');
    elbMock.on(DescribeTargetGroupsCommand).rejects(cause);

    const [described] = describeIpTargetGroups(elbv2(), [TG_A], LIVE);
    const error = await failureOf(described as Promise<unknown>);

    expect(error).toBeInstanceOf(TargetGroupMismatchError);
    expect(error.message).toBe(
      `TargetGroupArns: got "${TG_A}"; expected an existing target group, and none was found`,
    );
    expect(error.cause).toBe(cause);
    expect(elbMock).toHaveReceivedCommandTimes(DescribeTargetGroupsCommand, 1);
  });

  it("names the failure of a group's own call, after the call for all failed", async () => {
    elbMock
      .on(DescribeTargetGroupsCommand)
      .rejects(awsError('TargetGroupNotFoundException'))
      .on(DescribeTargetGroupsCommand, { TargetGroupArns: [TG_A] })
      .rejects(awsError('ThrottlingException', 'Rate exceeded'))
      .on(DescribeTargetGroupsCommand, { TargetGroupArns: [TG_B] })
      .resolves({ TargetGroups: [ipGroup(TG_B)] });

    const [a, b] = describeIpTargetGroups(elbv2(), [TG_A, TG_B], LIVE);
    const error = await failureOf(a as Promise<unknown>);

    expect(error).toBeInstanceOf(AwsCallError);
    expect(error.message).toBe(
      `DescribeTargetGroups for ${TG_A} failed: ThrottlingException: Rate exceeded`,
    );
    await expect(b).resolves.toMatchObject({ targetGroupArn: TG_B });
  });

  it('sends nothing once the signal is aborted, and fails with its reason', async () => {
    const signal = abortedSignal();

    const [described] = describeIpTargetGroups(elbv2(), [TG_A], signal);

    expect(await failureOf(described as Promise<unknown>)).toBe(signal.reason);
    expect(elbMock.calls()).toHaveLength(0);
  });
});

describe('Function: readRegisteredTargets', () => {
  it('reads id, port, zone, state and its reason, and skips an entry without an id', async () => {
    elbMock.on(DescribeTargetHealthCommand, { TargetGroupArn: TG_A }).resolves({
      TargetHealthDescriptions: [
        { Target: { Id: '10.0.0.1', Port: 443 }, TargetHealth: { State: 'healthy' } },
        {
          Target: { Id: '10.0.0.3', Port: 443 },
          TargetHealth: { State: 'unhealthy', Reason: 'Target.FailedHealthChecks' },
        },
        { Target: { Id: '172.16.0.5', Port: 443, AvailabilityZone: 'all' } },
        { Target: { Id: '10.0.0.2' }, TargetHealth: {} },
        // What the model says is always there, missing, as a damaged answer could have it
        { Target: { Port: 443 } as TargetDescription },
        { TargetHealth: { State: 'healthy' } },
      ],
    });

    const targets = await readRegisteredTargets(elbv2(), TG_A, LIVE);

    expect(targets).toStrictEqual([
      { id: '10.0.0.1', port: 443, state: 'healthy' },
      { id: '10.0.0.3', port: 443, state: 'unhealthy', reason: 'Target.FailedHealthChecks' },
      { id: '172.16.0.5', port: 443, availabilityZone: 'all' },
      { id: '10.0.0.2', port: 0 },
    ]);
  });

  it('reads an answer without targets as an empty group', async () => {
    elbMock.on(DescribeTargetHealthCommand).resolves({});

    expect(await readRegisteredTargets(elbv2(), TG_A, LIVE)).toEqual([]);
  });

  it('names the call and the group when it fails', async () => {
    elbMock.on(DescribeTargetHealthCommand).rejects(awsError('ThrottlingException', 'Slow down'));

    const error = await failureOf(readRegisteredTargets(elbv2(), TG_A, LIVE));

    expect(error.message).toBe(
      `DescribeTargetHealth for ${TG_A} failed: ThrottlingException: Slow down`,
    );
  });
});

describe('Function: writeTargets', () => {
  it('sends a zone only for a target that has one', async () => {
    elbMock.on(RegisterTargetsCommand).resolves({});

    await writeTargets(
      elbv2(),
      TG_A,
      {
        action: 'register',
        targets: [
          { id: '10.0.0.1', port: 443 },
          { id: '172.16.0.5', port: 443, availabilityZone: 'all' },
        ],
      },
      LIVE,
    );

    expect(elbMock.commandCalls(RegisterTargetsCommand)[0]?.args[0].input).toStrictEqual({
      TargetGroupArn: TG_A,
      Targets: [
        { Id: '10.0.0.1', Port: 443 },
        { Id: '172.16.0.5', Port: 443, AvailabilityZone: 'all' },
      ],
    });
  });

  it('names the call, the count and the group when a deregistration fails', async () => {
    elbMock.on(DeregisterTargetsCommand).rejects(awsError('ThrottlingException', 'Rate exceeded'));

    const error = await failureOf(
      writeTargets(
        elbv2(),
        TG_B,
        { action: 'deregister', targets: [{ id: '10.0.0.9', port: 80 }] },
        LIVE,
      ),
    );

    expect(error.message).toBe(
      `DeregisterTargets of 1 target(s) in ${TG_B} failed: ThrottlingException: Rate exceeded`,
    );
  });
});
