import { DescribeNetworkInterfacesCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  DeregisterTargetsCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
  type TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { parseBinding } from '../../functions/shared/binding.js';
import {
  AwsCallError,
  LoadBalancerMismatchError,
  TargetGroupSyncError,
} from '../../functions/shared/errors.js';
import {
  countedSummary,
  type SyncDependencies,
  type SyncSummary,
  syncTargetGroups,
} from '../../functions/target-group-sync/sync.js';
import { awsError } from '../support/aws-errors.js';
import { CREATED_BY_ELB } from '../support/elb-eni.js';
import { failureOf } from '../support/failure-of.js';
import { abortError, abortedSignal, LIVE, optionsSent } from '../support/signals.js';
import { ipTargetGroup, NLB } from '../support/target-group-fixture.js';

const ALB =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188';
const TG_A = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/a/0000000000000001';
const TG_B = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/b/0000000000000002';
const TG_C = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/c/0000000000000003';
const DESCRIPTION = 'ELB app/web/50dc6c495c0c9188';
// NLB: the NLB the target groups are attached to, in zones a and b unless a test says otherwise.

const ec2Mock = mockClient(EC2Client);
const elbMock = mockClient(ElasticLoadBalancingV2Client);

const eni = (
  ip: string,
  description = DESCRIPTION,
  vpcId = 'vpc-1',
  availabilityZone = 'us-east-1a',
) => ({
  NetworkInterfaceId: `eni-${ip.replaceAll('.', '')}`,
  ...CREATED_BY_ELB,
  Description: description,
  PrivateIpAddress: ip,
  VpcId: vpcId,
  AvailabilityZone: availabilityZone,
});

/** The ALB to front, and the NLB its target groups are attached to, in zones a and b. */
function givenAlb(type: 'application' | 'network' = 'application') {
  elbMock
    .on(DescribeLoadBalancersCommand, { LoadBalancerArns: [ALB] })
    .resolves({ LoadBalancers: [{ LoadBalancerArn: ALB, Type: type, VpcId: 'vpc-1' }] });
  givenNlb(['us-east-1a', 'us-east-1b']);
}

const nlbDescription = (arn: string, zones: readonly string[]) => ({
  LoadBalancerArn: arn,
  Type: 'network' as const,
  VpcId: 'vpc-1',
  AvailabilityZones: zones.map((ZoneName, index) => ({ ZoneName, SubnetId: `subnet-${index}` })),
});

function givenNlb(zones: readonly string[], arn = NLB) {
  elbMock
    .on(DescribeLoadBalancersCommand, { LoadBalancerArns: [arn] })
    .resolves({ LoadBalancers: [nlbDescription(arn, zones)] });
}

function givenEnis(...ips: string[]) {
  ec2Mock
    .on(DescribeNetworkInterfacesCommand)
    .resolves({ NetworkInterfaces: ips.map((ip) => eni(ip)) });
}

/** The target groups that exist, by ARN, as DescribeTargetGroups describes them. */
const existingGroups = new Map<string, TargetGroup>();

function givenTargetGroup(arn: string, registered: string[], extra: Record<string, unknown> = {}) {
  existingGroups.set(arn, ipTargetGroup(arn, extra));
  elbMock.on(DescribeTargetHealthCommand, { TargetGroupArn: arn }).resolves({
    TargetHealthDescriptions: registered.map((ip) => ({
      Target: { Id: ip, Port: 443 },
      TargetHealth: { State: 'healthy' },
    })),
  });
}

/**
 * DescribeTargetGroups as AWS answers it: every group asked for, in an order of its own (here
 * reversed), or TargetGroupNotFound for the whole call when one of them does not exist.
 */
function answerDescribeTargetGroups() {
  elbMock.on(DescribeTargetGroupsCommand).callsFake(async (input) => {
    const arns = (input.TargetGroupArns ?? []) as string[];
    if (arns.some((arn) => !existingGroups.has(arn))) {
      throw awsError('TargetGroupNotFoundException', 'One or more target groups not found');
    }
    return { TargetGroups: arns.map((arn) => existingGroups.get(arn)).reverse() };
  });
  elbMock
    .on(DescribeTargetHealthCommand)
    .rejects(awsError('TargetGroupNotFoundException', 'One or more target groups not found'));
}

function deps() {
  return {
    ec2: new EC2Client({}),
    elbv2: new ElasticLoadBalancingV2Client({}),
    logger: { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() },
    metrics: { addMetric: vi.fn() },
  } satisfies SyncDependencies;
}

const binding = (targetGroupArns = [TG_A], dryRun = false) =>
  parseBinding({ LoadBalancerArn: ALB, TargetGroupArns: targetGroupArns, DryRun: dryRun });

/** The names of the commands the ELB mock received, in order. */
const elbCommands = () => elbMock.calls().map((call) => call.args[0].constructor.name);
const writes = () =>
  elbMock
    .calls()
    .map((call) => call.args[0])
    .filter(
      (command) =>
        command instanceof RegisterTargetsCommand || command instanceof DeregisterTargetsCommand,
    );

beforeEach(() => {
  ec2Mock.reset();
  elbMock.reset();
  existingGroups.clear();
  answerDescribeTargetGroups();
});

/** The metrics of a run that reached its groups, in the order the sync adds them. */
const runMetrics = (counts: {
  albIps: number;
  registered: number;
  deregistered: number;
  outside: number;
  errors: number;
}) => [
  ['AlbIpCount', 'Count', counts.albIps],
  ['TargetsRegistered', 'Count', counts.registered],
  ['TargetsDeregistered', 'Count', counts.deregistered],
  ['IpsOutsideNlbZones', 'Count', counts.outside],
  ['SyncErrors', 'Count', counts.errors],
];

describe('Function: syncTargetGroups', () => {
  it('registers new IPs, then deregisters stale ones, and summarises each group', async () => {
    // Prepare
    givenAlb();
    givenEnis('10.0.0.1', '10.0.0.3');
    givenTargetGroup(TG_A, ['10.0.0.1', '10.0.0.2']);

    // Act
    const summary = await syncTargetGroups(binding(), deps(), LIVE);

    // Assess
    expect(summary).toEqual({
      loadBalancerArn: ALB,
      dryRun: false,
      albIps: ['10.0.0.1', '10.0.0.3'],
      targetGroups: [
        {
          targetGroupArn: TG_A,
          status: 'synced',
          registered: ['10.0.0.3:443'],
          deregistered: ['10.0.0.2:443'],
          unchanged: ['10.0.0.1:443'],
          nlbZones: ['us-east-1a', 'us-east-1b'],
          outsideNlbZones: [],
        },
      ],
    });
    expect(elbCommands()).toEqual([
      'DescribeLoadBalancersCommand',
      'DescribeTargetGroupsCommand',
      'DescribeTargetHealthCommand',
      'DescribeLoadBalancersCommand',
      'RegisterTargetsCommand',
      'DeregisterTargetsCommand',
    ]);
    expect(elbMock).toHaveReceivedCommandWith(RegisterTargetsCommand, {
      TargetGroupArn: TG_A,
      Targets: [{ Id: '10.0.0.3', Port: 443 }],
    });
    expect(elbMock).toHaveReceivedCommandWith(DeregisterTargetsCommand, {
      TargetGroupArn: TG_A,
      Targets: [{ Id: '10.0.0.2', Port: 443 }],
    });
  });

  it('filters interfaces on the exact description, with no wildcard', async () => {
    givenAlb();
    givenEnis('10.0.0.1');
    givenTargetGroup(TG_A, ['10.0.0.1']);

    await syncTargetGroups(binding(), deps(), LIVE);

    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeNetworkInterfacesCommand, 1);
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeNetworkInterfacesCommand, {
      Filters: [{ Name: 'description', Values: [DESCRIPTION] }],
    });
  });

  it('ignores interfaces whose description is only similar, should the API return them', async () => {
    givenAlb();
    ec2Mock.on(DescribeNetworkInterfacesCommand).resolves({
      NetworkInterfaces: [
        eni('10.0.0.1'),
        eni('10.0.0.2', 'ELB app/web-2/50dc6c495c0c9188'),
        eni('10.0.0.3', 'ELB app/web/0000000000000000'),
        eni('10.0.0.4', `${DESCRIPTION} `),
      ],
    });
    givenTargetGroup(TG_A, []);

    const summary = await syncTargetGroups(binding(), deps(), LIVE);

    expect(summary.albIps).toEqual(['10.0.0.1']);
  });

  it('reads every page of network interfaces', async () => {
    // Prepare: the paginator reuses one input object, so each request is copied as it is sent
    givenAlb();
    const pages = [
      { NetworkInterfaces: [eni('10.0.0.1'), eni('10.0.0.2')], NextToken: 'page-2' },
      { NetworkInterfaces: [eni('10.0.0.3')], NextToken: 'page-3' },
      { NetworkInterfaces: [eni('10.0.0.4')] },
    ];
    const requests: Record<string, unknown>[] = [];
    ec2Mock.on(DescribeNetworkInterfacesCommand).callsFake((input) => {
      requests.push({ ...input });
      return pages[requests.length - 1];
    });
    givenTargetGroup(TG_A, []);

    // Act
    const summary = await syncTargetGroups(binding(), deps(), LIVE);

    // Assess
    expect(summary.albIps).toEqual(['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4']);
    expect(requests.map(({ MaxResults, NextToken }) => ({ MaxResults, NextToken }))).toEqual([
      { MaxResults: 1000, NextToken: undefined },
      { MaxResults: 1000, NextToken: 'page-2' },
      { MaxResults: 1000, NextToken: 'page-3' },
    ]);
  });

  it('discovers once for several target groups', async () => {
    givenAlb();
    givenEnis('10.0.0.1');
    givenTargetGroup(TG_A, []);
    givenTargetGroup(TG_B, []);

    const summary = await syncTargetGroups(binding([TG_A, TG_B]), deps(), LIVE);

    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeNetworkInterfacesCommand, 1);
    expect(summary.targetGroups.map((group) => [group.targetGroupArn, group.registered])).toEqual([
      [TG_A, ['10.0.0.1:443']],
      [TG_B, ['10.0.0.1:443']],
    ]);
  });

  it('describes every group in one call, whatever order AWS answers them in', async () => {
    // Prepare: the mock answers in reverse order
    givenAlb();
    givenEnis('10.0.0.1');
    givenTargetGroup(TG_A, []);
    givenTargetGroup(TG_B, [], { Port: 80 });
    givenTargetGroup(TG_C, [], { Port: 8443 });

    // Act
    const summary = await syncTargetGroups(binding([TG_A, TG_B, TG_C]), deps(), LIVE);

    // Assess
    expect(
      elbMock.commandCalls(DescribeTargetGroupsCommand).map((call) => call.args[0].input),
    ).toEqual([{ TargetGroupArns: [TG_A, TG_B, TG_C] }]);
    expect(summary.targetGroups.map((group) => [group.targetGroupArn, group.registered])).toEqual([
      [TG_A, ['10.0.0.1:443']],
      [TG_B, ['10.0.0.1:80']],
      [TG_C, ['10.0.0.1:8443']],
    ]);
  });

  it('describes each group on its own only when one of them does not exist', async () => {
    // Prepare: B does not exist, so the call for all three fails whole
    givenAlb();
    givenEnis('10.0.0.1');
    givenTargetGroup(TG_A, []);
    givenTargetGroup(TG_C, []);

    // Act
    const error = await failureOf(syncTargetGroups(binding([TG_A, TG_B, TG_C]), deps(), LIVE));

    // Assess: A and C are synced; B's error names it
    expect(
      elbMock.commandCalls(DescribeTargetGroupsCommand).map((call) => call.args[0].input),
    ).toEqual([
      { TargetGroupArns: [TG_A, TG_B, TG_C] },
      { TargetGroupArns: [TG_A] },
      { TargetGroupArns: [TG_B] },
      { TargetGroupArns: [TG_C] },
    ]);
    expect((error as TargetGroupSyncError).summary).toMatchObject({
      targetGroups: [
        { targetGroupArn: TG_A, status: 'synced', registered: ['10.0.0.1:443'] },
        {
          targetGroupArn: TG_B,
          status: 'failed',
          error: `TargetGroupArns: got "${TG_B}"; expected an existing target group, and none was found`,
        },
        { targetGroupArn: TG_C, status: 'synced', registered: ['10.0.0.1:443'] },
      ],
    });
  });

  it('fails every group, naming each, when the one call fails for another reason', async () => {
    // Prepare
    givenAlb();
    givenEnis('10.0.0.1');
    givenTargetGroup(TG_A, []);
    givenTargetGroup(TG_B, []);
    const cause = awsError('ThrottlingException', 'Rate exceeded');
    elbMock.on(DescribeTargetGroupsCommand).rejects(cause);

    // Act
    const error = await failureOf(syncTargetGroups(binding([TG_A, TG_B]), deps(), LIVE));

    // Assess: no second try group by group; nothing written
    expect(elbMock).toHaveReceivedCommandTimes(DescribeTargetGroupsCommand, 1);
    expect(error.message).toBe(
      `2 of 2 target group(s) failed to sync: ${TG_A}: DescribeTargetGroups for ${TG_A} failed: ThrottlingException: Rate exceeded; ${TG_B}: DescribeTargetGroups for ${TG_B} failed: ThrottlingException: Rate exceeded`,
    );
    expect(writes()).toEqual([]);
  });

  it("reports the groups' errors in their order, whichever read fails first", async () => {
    // Prepare: A's targets fail only after B's description has failed
    givenAlb();
    givenEnis('10.0.0.1');
    givenTargetGroup(TG_A, []);
    givenTargetGroup(TG_B, [], { TargetType: 'instance' });
    elbMock
      .on(DescribeTargetHealthCommand, { TargetGroupArn: TG_A })
      .callsFake(
        () =>
          new Promise((_, reject) =>
            setImmediate(() => reject(awsError('ThrottlingException', 'Rate exceeded'))),
          ),
      );

    // Act
    const error = await failureOf(syncTargetGroups(binding([TG_A, TG_B]), deps(), LIVE));

    // Assess
    expect(error.message).toBe(
      `2 of 2 target group(s) failed to sync: ${TG_A}: DescribeTargetHealth for ${TG_A} failed: ThrottlingException: Rate exceeded; ${TG_B}: TargetGroupArns: ${TG_B} has target type "instance"; expected "ip"`,
    );
  });

  it("checks the load balancer's type once per container, and again after a failed check", async () => {
    // Prepare: the handler keeps one set for the container's life
    givenAlb();
    givenEnis('10.0.0.1');
    givenTargetGroup(TG_A, ['10.0.0.1']);
    const checkedLoadBalancers = new Set<string>();
    const warm = { ...deps(), checkedLoadBalancers };
    const typeChecks = () =>
      elbMock
        .commandCalls(DescribeLoadBalancersCommand)
        .filter((call) => call.args[0].input.LoadBalancerArns?.includes(ALB)).length;

    // Act and assess: the first run asks, the second does not
    await syncTargetGroups(binding(), warm, LIVE);
    await syncTargetGroups(binding(), warm, LIVE);
    expect(typeChecks()).toBe(1);
    expect([...checkedLoadBalancers]).toEqual([ALB]);

    // A check that failed is not remembered: the next run asks again
    const other = ALB.replace('/web/', '/api/');
    const otherBinding = parseBinding({ LoadBalancerArn: other, TargetGroupArns: [TG_A] });
    elbMock
      .on(DescribeLoadBalancersCommand, { LoadBalancerArns: [other] })
      .rejectsOnce(awsError('ThrottlingException', 'Rate exceeded'))
      .resolves({ LoadBalancers: [{ LoadBalancerArn: other, Type: 'application' }] });
    const refused = await failureOf(syncTargetGroups(otherBinding, warm, LIVE));
    expect(refused).toBeInstanceOf(AwsCallError);
    expect([...checkedLoadBalancers]).toEqual([ALB]);
    // (It has no interfaces, so the group is left alone; the check passed all the same.)
    await failureOf(syncTargetGroups(otherBinding, warm, LIVE));
    expect([...checkedLoadBalancers]).toEqual([ALB, other]);

    // Without a set, every run asks
    await syncTargetGroups(binding(), deps(), LIVE);
    expect(typeChecks()).toBe(2);
  });

  it('chunks long target lists', async () => {
    givenAlb();
    givenEnis(
      ...Array.from({ length: 250 }, (_, i) => `10.0.${Math.floor(i / 200)}.${(i % 200) + 1}`),
    );
    givenTargetGroup(TG_A, []);

    await syncTargetGroups(binding(), deps(), LIVE);

    const sizes = writes().map((command) => command.input.Targets?.length);
    expect(sizes).toEqual([100, 100, 50]);
  });

  it('writes nothing on a dry run and returns the plan', async () => {
    givenAlb();
    givenEnis('10.0.0.1', '10.0.0.3');
    givenTargetGroup(TG_A, ['10.0.0.1', '10.0.0.2']);
    const { logger, metrics, ...clients } = deps();

    const summary = await syncTargetGroups(
      binding([TG_A], true),
      { ...clients, logger, metrics },
      LIVE,
    );

    expect(writes()).toEqual([]);
    expect(summary).toMatchObject({
      dryRun: true,
      targetGroups: [
        { status: 'planned', registered: ['10.0.0.3:443'], deregistered: ['10.0.0.2:443'] },
      ],
    });
    expect(logger.info).toHaveBeenCalledWith('Dry run: planned changes, nothing written', {
      targetGroupArn: TG_A,
      register: ['10.0.0.3:443'],
      deregister: ['10.0.0.2:443'],
    });
    expect(metrics.addMetric).toHaveBeenCalledWith('TargetsRegistered', 'Count', 0);
    expect(logger.info).toHaveBeenLastCalledWith('Dry run planned', {
      summary: {
        loadBalancerArn: ALB,
        dryRun: true,
        albIpCount: 2,
        albIpsByZone: { 'us-east-1a': 2 },
        targetGroups: [
          {
            targetGroupArn: TG_A,
            status: 'planned',
            registered: 1,
            deregistered: 1,
            unchanged: 1,
            nlbZones: ['us-east-1a', 'us-east-1b'],
            outsideNlbZones: 0,
          },
        ],
      },
    });
    expect(logger.debug).toHaveBeenLastCalledWith('Dry run planned (every IP and target)', {
      summary,
    });
  });

  it('refuses to empty a group when discovery finds nothing, and fails the invocation', async () => {
    // Prepare
    givenAlb();
    givenEnis();
    givenTargetGroup(TG_A, ['10.0.0.1']);
    const { logger, metrics, ...clients } = deps();

    // Act
    const error = await failureOf(
      syncTargetGroups(binding(), { ...clients, logger, metrics }, LIVE),
    );

    // Assess
    expect(writes()).toEqual([]);
    expect(error).toBeInstanceOf(TargetGroupSyncError);
    expect(error.message).toMatch(
      /1 of 1 target group\(s\) failed to sync: .*discovery found no IP address for the load balancer while target group .* has 1 target\(s\); nothing was written/,
    );
    expect(logger.warn).toHaveBeenCalledWith(
      'Discovery found no network interface for the load balancer',
      { loadBalancerArn: ALB },
    );
    expect(metrics.addMetric).toHaveBeenCalledWith('SyncErrors', 'Count', 1);
  });

  it('writes nothing when a peered ALB has IPs in no private range, and fails naming them', async () => {
    // Prepare: the group in vpc-1 holds the ALB's old IP; the ALB, in a peered VPC, has moved to
    // a public address and one in 100.128.0.0/10, beside one ELB would take
    givenAlb();
    ec2Mock.on(DescribeNetworkInterfacesCommand).resolves({
      NetworkInterfaces: [
        eni('52.95.110.1', DESCRIPTION, 'vpc-peered'),
        eni('100.128.0.5', DESCRIPTION, 'vpc-peered'),
        eni('172.16.0.5', DESCRIPTION, 'vpc-peered'),
      ],
    });
    givenTargetGroup(TG_A, ['172.16.0.9']);
    const { logger, metrics, ...clients } = deps();

    // Act
    const error = await failureOf(
      syncTargetGroups(binding(), { ...clients, logger, metrics }, LIVE),
    );

    // Assess
    expect(writes()).toEqual([]);
    expect(error).toBeInstanceOf(TargetGroupSyncError);
    expect(error.message).toBe(
      `1 of 1 target group(s) failed to sync: ${TG_A}: target group ${TG_A} is in vpc-1, and Elastic Load Balancing registers an IP target from outside a target group's VPC only in 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 or 100.64.0.0/10; got ALB IPs outside it in none of those: 52.95.110.1 (vpc-peered), 100.128.0.5 (vpc-peered); nothing was written, since RegisterTargets would refuse them. Put the NLB and its target groups in the ALB's VPC, where any address of the VPC can be a target`,
    );
    expect((error as TargetGroupSyncError).summary).toMatchObject({
      targetGroups: [{ targetGroupArn: TG_A, status: 'failed', registered: [], deregistered: [] }],
    });
    expect(metrics.addMetric).toHaveBeenCalledWith('SyncErrors', 'Count', 1);
  });

  it('keeps going when one target group fails, then fails the invocation', async () => {
    // Prepare: the first group is throttled beyond the SDK's retries
    givenAlb();
    givenEnis('10.0.0.1');
    givenTargetGroup(TG_A, []);
    givenTargetGroup(TG_B, []);
    elbMock
      .on(RegisterTargetsCommand, { TargetGroupArn: TG_A })
      .rejects(awsError('ThrottlingException', 'Rate exceeded'));
    const { logger, metrics, ...clients } = deps();

    // Act
    const error = await failureOf(
      syncTargetGroups(binding([TG_A, TG_B]), { ...clients, logger, metrics }, LIVE),
    );

    // Assess
    expect(elbMock).toHaveReceivedCommandWith(RegisterTargetsCommand, { TargetGroupArn: TG_B });
    expect(error).toBeInstanceOf(TargetGroupSyncError);
    expect(error.message).toBe(
      `1 of 2 target group(s) failed to sync: ${TG_A}: RegisterTargets of 1 target(s) in ${TG_A} failed: ThrottlingException: Rate exceeded`,
    );
    expect((error as TargetGroupSyncError).summary).toMatchObject({
      targetGroups: [
        { targetGroupArn: TG_A, status: 'failed', registered: [] },
        { targetGroupArn: TG_B, status: 'synced', registered: ['10.0.0.1:443'] },
      ],
    });
    expect(metrics.addMetric).toHaveBeenCalledWith('SyncErrors', 'Count', 1);
    expect(metrics.addMetric).toHaveBeenCalledWith('TargetsRegistered', 'Count', 1);
  });

  it('reports what a partly failed group did write', async () => {
    givenAlb();
    givenEnis('10.0.0.3');
    givenTargetGroup(TG_A, ['10.0.0.2']);
    elbMock.on(DeregisterTargetsCommand).rejects(awsError('AccessDenied', 'not authorized'));

    const error = await failureOf(syncTargetGroups(binding(), deps(), LIVE));

    expect((error as TargetGroupSyncError).summary).toMatchObject({
      targetGroups: [
        {
          status: 'failed',
          registered: ['10.0.0.3:443'],
          deregistered: [],
          error: `DeregisterTargets of 1 target(s) in ${TG_A} failed: AccessDenied: not authorized`,
        },
      ],
    });
  });

  it.each([
    [{ TargetType: 'instance' }, /has target type "instance"; expected "ip"/],
    [{ TargetType: 'alb' }, /has target type "alb"; expected "ip"/],
    [{ IpAddressType: 'ipv6' }, /has IP address type "ipv6"; expected "ipv4"/],
  ])('fails a target group that cannot hold the IPs (%j)', async (extra, reason) => {
    givenAlb();
    givenEnis('10.0.0.1');
    givenTargetGroup(TG_A, [], extra);

    const error = await failureOf(syncTargetGroups(binding(), deps(), LIVE));

    expect(error.message).toMatch(reason);
    expect(writes()).toEqual([]);
  });

  it('fails a target group that does not exist, naming it', async () => {
    givenAlb();
    givenEnis('10.0.0.1');
    elbMock.on(DescribeTargetGroupsCommand).rejects(awsError('TargetGroupNotFoundException'));

    const error = await failureOf(syncTargetGroups(binding(), deps(), LIVE));

    expect((error as TargetGroupSyncError).summary).toEqual({
      loadBalancerArn: ALB,
      dryRun: false,
      albIps: ['10.0.0.1'],
      targetGroups: [
        {
          targetGroupArn: TG_A,
          status: 'failed',
          registered: [],
          deregistered: [],
          unchanged: [],
          error: `TargetGroupArns: got "${TG_A}"; expected an existing target group, and none was found`,
        },
      ],
    });
  });

  it('refuses a load balancer that is not an application load balancer, before any discovery', async () => {
    givenAlb('network');
    const { logger, metrics, ...clients } = deps();

    const error = await failureOf(
      syncTargetGroups(binding(), { ...clients, logger, metrics }, LIVE),
    );

    expect(error).toBeInstanceOf(LoadBalancerMismatchError);
    expect(error.message).toBe(
      `LoadBalancerArn: got "${ALB}", which is a Network Load Balancer; expected an Application Load Balancer`,
    );
    expect(ec2Mock.calls()).toHaveLength(0);
    expect(metrics.addMetric.mock.calls).toEqual([
      ['IpsOutsideNlbZones', 'Count', 0],
      ['SyncErrors', 'Count', 1],
    ]);
    expect(logger.error.mock.calls).toEqual([
      ['Sync failed before any target group was written', { loadBalancerArn: ALB, error }],
    ]);
  });

  it('fails a refused load balancer only once the reads beside its check have settled', async () => {
    // Prepare: the check answers at once; the group's description is still on its way
    givenAlb('network');
    let describeGroup: (value: { TargetGroups: [] }) => void = () => {};
    elbMock
      .on(DescribeTargetGroupsCommand)
      .callsFake(() => new Promise((resolve) => (describeGroup = resolve)));
    let settled = false;

    // Act
    const run = failureOf(syncTargetGroups(binding(), deps(), LIVE)).finally(() => {
      settled = true;
    });
    // A macrotask later, every promise that could settle has: the check has answered
    await new Promise((resolve) => setImmediate(resolve));
    const commandsWhileReading = elbCommands();
    const settledWhileReading = settled;
    describeGroup({ TargetGroups: [] });
    const error = await run;

    // Assess: the check's refusal, once no call of the run was left in flight
    expect(commandsWhileReading).toEqual([
      'DescribeLoadBalancersCommand',
      'DescribeTargetGroupsCommand',
      'DescribeTargetHealthCommand',
    ]);
    expect(settledWhileReading).toBe(false);
    expect(error).toBeInstanceOf(LoadBalancerMismatchError);
    expect(ec2Mock.calls()).toHaveLength(0);
  });

  it('says so when the load balancer does not exist', async () => {
    elbMock.on(DescribeLoadBalancersCommand).rejects(awsError('LoadBalancerNotFoundException'));

    const error = await failureOf(syncTargetGroups(binding(), deps(), LIVE));

    expect(error.message).toBe(
      `LoadBalancerArn: got "${ALB}"; expected an existing load balancer in this account and region, and none was found`,
    );
  });

  it('wraps a failed discovery with the call and the cause', async () => {
    givenAlb();
    const cause = awsError('UnauthorizedOperation', 'You are not authorized');
    ec2Mock.on(DescribeNetworkInterfacesCommand).rejects(cause);

    const error = await failureOf(syncTargetGroups(binding(), deps(), LIVE));

    expect(error).toBeInstanceOf(AwsCallError);
    expect(error.message).toBe(
      `DescribeNetworkInterfaces for description "${DESCRIPTION}" failed: UnauthorizedOperation: You are not authorized`,
    );
    expect(error.cause).toBe(cause);
    expect(writes()).toEqual([]);
  });

  it('logs every change and the counts at info level, and every IP at debug level', async () => {
    // Prepare
    givenAlb();
    givenEnis('10.0.0.1', '10.0.0.3');
    givenTargetGroup(TG_A, ['10.0.0.2']);
    const { logger, metrics, ...clients } = deps();

    // Act
    const summary = await syncTargetGroups(binding(), { ...clients, logger, metrics }, LIVE);

    // Assess
    const inZoneA = { vpcId: 'vpc-1', availabilityZone: 'us-east-1a' };
    expect(logger.debug).toHaveBeenCalledWith('Discovered ALB IPs', {
      loadBalancerArn: ALB,
      networkInterfaces: [
        { networkInterfaceId: 'eni-10001', privateIp: '10.0.0.1', ...inZoneA },
        { networkInterfaceId: 'eni-10003', privateIp: '10.0.0.3', ...inZoneA },
      ],
    });
    expect(logger.debug).toHaveBeenLastCalledWith('Sync complete (every IP and target)', {
      summary,
    });
    expect(logger.info).toHaveBeenLastCalledWith('Sync complete', {
      summary: {
        loadBalancerArn: ALB,
        dryRun: false,
        albIpCount: 2,
        albIpsByZone: { 'us-east-1a': 2 },
        targetGroups: [
          {
            targetGroupArn: TG_A,
            status: 'synced',
            registered: 2,
            deregistered: 1,
            unchanged: 0,
            nlbZones: ['us-east-1a', 'us-east-1b'],
            outsideNlbZones: 0,
          },
        ],
      },
    });
    expect(logger.info).toHaveBeenCalledTimes(3);
    expect(logger.warn).not.toHaveBeenCalled();
    expect(logger.error).not.toHaveBeenCalled();
    expect(logger.info).toHaveBeenCalledWith('Registered targets', {
      targetGroupArn: TG_A,
      targets: ['10.0.0.1:443', '10.0.0.3:443'],
    });
    expect(logger.info).toHaveBeenCalledWith('Deregistered targets', {
      targetGroupArn: TG_A,
      targets: ['10.0.0.2:443'],
    });
    expect(metrics.addMetric.mock.calls).toEqual(
      runMetrics({ albIps: 2, registered: 2, deregistered: 1, outside: 0, errors: 0 }),
    );
  });

  it('counts each failed group in SyncErrors, and names every failure in one error', async () => {
    // Prepare: A is throttled beyond the SDK's retries, B does not exist (so the one call that
    // describes all three fails, and each is described on its own), C syncs
    givenAlb();
    givenEnis('10.0.0.1');
    givenTargetGroup(TG_A, []);
    elbMock
      .on(RegisterTargetsCommand, { TargetGroupArn: TG_A })
      .rejects(awsError('ThrottlingException', 'Rate exceeded'));
    givenTargetGroup(TG_C, []);
    const { logger, metrics, ...clients } = deps();

    // Act
    const error = await failureOf(
      syncTargetGroups(binding([TG_A, TG_B, TG_C]), { ...clients, logger, metrics }, LIVE),
    );

    // Assess
    const failedA = `RegisterTargets of 1 target(s) in ${TG_A} failed: ThrottlingException: Rate exceeded`;
    const failedB = `TargetGroupArns: got "${TG_B}"; expected an existing target group, and none was found`;
    expect(error).toBeInstanceOf(TargetGroupSyncError);
    expect(error.message).toBe(
      `2 of 3 target group(s) failed to sync: ${TG_A}: ${failedA}; ${TG_B}: ${failedB}`,
    );
    const summary = (error as TargetGroupSyncError).summary;
    expect(summary).toMatchObject({
      targetGroups: [
        { targetGroupArn: TG_A, status: 'failed', error: failedA },
        { targetGroupArn: TG_B, status: 'failed', error: failedB },
        { targetGroupArn: TG_C, status: 'synced', registered: ['10.0.0.1:443'] },
      ],
    });
    expect(metrics.addMetric.mock.calls).toEqual(
      runMetrics({ albIps: 1, registered: 1, deregistered: 0, outside: 0, errors: 2 }),
    );
    const zones = { nlbZones: ['us-east-1a', 'us-east-1b'], outsideNlbZones: 0 };
    const nothing = { registered: 0, deregistered: 0, unchanged: 0 };
    expect(logger.error.mock.calls).toStrictEqual([
      [
        'Target group sync failed',
        {
          summary: {
            loadBalancerArn: ALB,
            dryRun: false,
            albIpCount: 1,
            albIpsByZone: { 'us-east-1a': 1 },
            targetGroups: [
              { targetGroupArn: TG_A, status: 'failed', ...nothing, ...zones, error: failedA },
              { targetGroupArn: TG_B, status: 'failed', ...nothing, error: failedB },
              { targetGroupArn: TG_C, status: 'synced', ...nothing, registered: 1, ...zones },
            ],
          },
        },
      ],
    ]);
    expect(logger.debug).toHaveBeenLastCalledWith(
      'Target group sync failed (every IP and target)',
      {
        summary,
      },
    );
  });

  it('reads every group and its targets before it discovers the ALB IPs', async () => {
    // Prepare: what the ELB mock had received when discovery began
    givenAlb();
    givenTargetGroup(TG_A, ['10.0.0.1']);
    givenTargetGroup(TG_B, ['10.0.0.1']);
    let readBeforeDiscovery: string[] = [];
    ec2Mock.on(DescribeNetworkInterfacesCommand).callsFake(async () => {
      readBeforeDiscovery = elbCommands();
      return { NetworkInterfaces: [eni('10.0.0.1')] };
    });

    // Act
    await syncTargetGroups(binding([TG_A, TG_B]), deps(), LIVE);

    // Assess: a run's IPs are never older than the targets it read (see overlapping-runs.test.ts)
    // The NLB's zones are read beside discovery, once the groups' descriptions name the NLB.
    expect(readBeforeDiscovery).toEqual([
      'DescribeLoadBalancersCommand',
      'DescribeTargetGroupsCommand',
      'DescribeTargetHealthCommand',
      'DescribeTargetHealthCommand',
      'DescribeLoadBalancersCommand',
    ]);
    expect(elbCommands()).toEqual(readBeforeDiscovery);
  });

  describe('interfaces with the description that Elastic Load Balancing did not create', () => {
    const lookalike = (ip: string) => ({
      ...eni(ip),
      RequesterManaged: false,
      RequesterId: '111122223333',
    });

    it('never registers one, deregisters one registered before, says so once and counts them', async () => {
      // Prepare: seven lookalikes beside the ALB's one interface; one of them was registered by
      // an earlier version that trusted the description alone
      givenAlb();
      const lookalikeIps = ['10.0.9.1', '10.0.9.2', '10.0.9.3', '10.0.9.4', '10.0.9.5', '10.0.9.6'];
      ec2Mock.on(DescribeNetworkInterfacesCommand).resolves({
        NetworkInterfaces: [eni('10.0.0.1'), ...lookalikeIps.map(lookalike), lookalike('10.0.0.9')],
      });
      givenTargetGroup(TG_A, ['10.0.0.9']);
      const { logger, metrics, ...clients } = deps();

      // Act
      const summary = await syncTargetGroups(binding(), { ...clients, logger, metrics }, LIVE);

      // Assess
      expect(summary.albIps).toEqual(['10.0.0.1']);
      expect(summary.lookalikeEnis).toEqual([
        'eni-10009 10.0.0.9',
        ...lookalikeIps.map((ip) => `eni-${ip.replaceAll('.', '')} ${ip}`),
      ]);
      expect(summary.targetGroups[0]).toMatchObject({
        registered: ['10.0.0.1:443'],
        deregistered: ['10.0.0.9:443'],
      });
      expect(elbMock).toHaveReceivedCommandWith(RegisterTargetsCommand, {
        TargetGroupArn: TG_A,
        Targets: [{ Id: '10.0.0.1', Port: 443 }],
      });
      expect(logger.warn.mock.calls).toEqual([
        [
          "Ignored network interfaces that carry the load balancer's description but were not created by Elastic Load Balancing",
          {
            loadBalancerArn: ALB,
            lookalikeCount: 7,
            lookalikes:
              'eni-10009 10.0.0.9 (requester 111122223333), eni-10091 10.0.9.1 (requester 111122223333), eni-10092 10.0.9.2 (requester 111122223333), eni-10093 10.0.9.3 (requester 111122223333), eni-10094 10.0.9.4 (requester 111122223333), and 2 more',
          },
        ],
      ]);
      expect(metrics.addMetric.mock.calls).toEqual([
        ['LookalikeEnis', 'Count', 7],
        ...runMetrics({ albIps: 1, registered: 1, deregistered: 1, outside: 0, errors: 0 }),
      ]);
    });

    it('names a lookalike without a requester as such', async () => {
      givenAlb();
      ec2Mock.on(DescribeNetworkInterfacesCommand).resolves({
        NetworkInterfaces: [eni('10.0.0.1'), { ...lookalike('10.0.9.1'), RequesterId: undefined }],
      });
      givenTargetGroup(TG_A, ['10.0.0.1']);
      const { logger, metrics, ...clients } = deps();

      await syncTargetGroups(binding(), { ...clients, logger, metrics }, LIVE);

      expect(logger.warn.mock.calls[0]?.[1]).toMatchObject({
        lookalikeCount: 1,
        lookalikes: 'eni-10091 10.0.9.1 (requester none)',
      });
    });

    it('writes nothing about them when there are none, so a clean run logs what it did before', async () => {
      givenAlb();
      givenEnis('10.0.0.1');
      givenTargetGroup(TG_A, ['10.0.0.1']);
      const { logger, metrics, ...clients } = deps();

      const summary = await syncTargetGroups(binding(), { ...clients, logger, metrics }, LIVE);

      expect(summary).not.toHaveProperty('lookalikeEnis');
      expect(logger.warn).not.toHaveBeenCalled();
      expect(metrics.addMetric.mock.calls).toEqual(
        runMetrics({ albIps: 1, registered: 0, deregistered: 0, outside: 0, errors: 0 }),
      );
    });

    it('never registers one on a dry run either, and still reports it', async () => {
      givenAlb();
      ec2Mock.on(DescribeNetworkInterfacesCommand).resolves({
        NetworkInterfaces: [lookalike('10.0.9.1')],
      });
      givenTargetGroup(TG_A, []);
      const { logger, metrics, ...clients } = deps();

      const summary = await syncTargetGroups(
        binding([TG_A], true),
        { ...clients, logger, metrics },
        LIVE,
      );

      expect(summary.albIps).toEqual([]);
      expect(summary.targetGroups[0]?.registered).toEqual([]);
      expect(metrics.addMetric).toHaveBeenCalledWith('LookalikeEnis', 'Count', 1);
    });
  });

  describe('the zones the NLB serves', () => {
    const NLB_2 =
      'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/other/2222222222222222';

    /** ALB interfaces as `[ip, zone]`, or `[ip, zone, vpc]` for one outside the groups' VPC. */
    function givenEnisIn(...enis: [ip: string, zone: string, vpcId?: string][]) {
      ec2Mock.on(DescribeNetworkInterfacesCommand).resolves({
        NetworkInterfaces: enis.map(([ip, zone, vpcId]) => eni(ip, DESCRIPTION, vpcId, zone)),
      });
    }

    const describedLoadBalancers = () =>
      elbMock
        .commandCalls(DescribeLoadBalancersCommand)
        .map((call) => call.args[0].input.LoadBalancerArns);

    it('describes the NLB of two groups once, in one call', async () => {
      // Prepare
      givenAlb();
      givenEnis('10.0.0.1');
      givenTargetGroup(TG_A, ['10.0.0.1']);
      givenTargetGroup(TG_B, ['10.0.0.1']);

      // Act
      const summary = await syncTargetGroups(binding([TG_A, TG_B]), deps(), LIVE);

      // Assess
      expect(describedLoadBalancers()).toEqual([[ALB], [NLB]]);
      expect(summary.targetGroups.map((group) => group.nlbZones)).toEqual([
        ['us-east-1a', 'us-east-1b'],
        ['us-east-1a', 'us-east-1b'],
      ]);
    });

    it('describes every distinct NLB of the described groups in one call', async () => {
      // Prepare: A and C on one NLB, B on another, D on none yet, and E missing (not given)
      const [TG_D, TG_E] = ['d', 'e'].map(
        (name, index) =>
          `arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/${name}/000000000000000${index + 4}`,
      ) as [string, string];
      givenAlb();
      givenEnisIn(['10.0.0.5', 'us-east-1a'], ['10.0.32.5', 'us-east-1c']);
      givenTargetGroup(TG_A, []);
      givenTargetGroup(TG_B, [], { LoadBalancerArns: [NLB_2] });
      givenTargetGroup(TG_C, []);
      givenTargetGroup(TG_D, [], { LoadBalancerArns: [] });
      elbMock.on(DescribeLoadBalancersCommand, { LoadBalancerArns: [NLB, NLB_2] }).resolves({
        LoadBalancers: [
          nlbDescription(NLB, ['us-east-1b', 'us-east-1a']),
          nlbDescription(NLB_2, ['us-east-1c']),
        ],
      });

      // Act
      const error = await failureOf(
        syncTargetGroups(binding([TG_A, TG_B, TG_C, TG_D, TG_E]), deps(), LIVE),
      );

      // Assess
      expect(describedLoadBalancers()).toEqual([[ALB], [NLB, NLB_2]]);
      const groups = (error as TargetGroupSyncError).summary as SyncSummary;
      expect(
        groups.targetGroups.map(({ status, nlbZones, outsideNlbZones }) => ({
          status,
          nlbZones,
          outsideNlbZones,
        })),
      ).toEqual([
        {
          status: 'synced',
          nlbZones: ['us-east-1a', 'us-east-1b'],
          outsideNlbZones: ['10.0.32.5 (us-east-1c)'],
        },
        { status: 'synced', nlbZones: ['us-east-1c'], outsideNlbZones: ['10.0.0.5 (us-east-1a)'] },
        {
          status: 'synced',
          nlbZones: ['us-east-1a', 'us-east-1b'],
          outsideNlbZones: ['10.0.32.5 (us-east-1c)'],
        },
        { status: 'synced', nlbZones: undefined, outsideNlbZones: undefined },
        { status: 'failed', nlbZones: undefined, outsideNlbZones: undefined },
      ]);
    });

    it('asks for at most 20 NLBs a call', async () => {
      // Prepare: 21 groups, each on its own NLB
      const hex = (n: number) => n.toString(16).padStart(16, '0');
      const groups = Array.from(
        { length: 21 },
        (_, i) => `arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/g${i}/${hex(i)}`,
      );
      const nlbs = groups.map(
        (_, i) =>
          `arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/n${i}/${hex(i)}`,
      );
      givenAlb();
      givenEnis('10.0.0.1');
      groups.forEach((group, i) => {
        givenTargetGroup(group, ['10.0.0.1'], { LoadBalancerArns: [nlbs[i]] });
      });
      elbMock.on(DescribeLoadBalancersCommand).callsFake(async (input) => ({
        LoadBalancers: (input.LoadBalancerArns as string[]).map((arn) =>
          arn === ALB
            ? { LoadBalancerArn: ALB, Type: 'application' }
            : nlbDescription(arn, ['us-east-1a']),
        ),
      }));

      // Act
      const summary = await syncTargetGroups(binding(groups), deps(), LIVE);

      // Assess
      expect(describedLoadBalancers()).toEqual([[ALB], nlbs.slice(0, 20), nlbs.slice(20)]);
      expect(summary.targetGroups.map((group) => group.nlbZones)).toEqual(
        groups.map(() => ['us-east-1a']),
      );
    });

    it('reports ALB IPs in zones the NLB does not serve, and still registers them', async () => {
      // Prepare: the NLB serves a and b; the ALB has an IP in c, and one in a peered VPC
      givenAlb();
      givenEnisIn(
        ['10.0.0.5', 'us-east-1a'],
        ['10.0.16.5', 'us-east-1b'],
        ['10.0.32.5', 'us-east-1c'],
        ['172.16.32.5', 'us-east-1c', 'vpc-peered'],
      );
      givenTargetGroup(TG_A, []);
      const { logger, metrics, ...clients } = deps();

      // Act
      const summary = await syncTargetGroups(binding(), { ...clients, logger, metrics }, LIVE);

      // Assess
      expect(summary.targetGroups).toEqual([
        {
          targetGroupArn: TG_A,
          status: 'synced',
          registered: ['10.0.0.5:443', '10.0.16.5:443', '10.0.32.5:443', '172.16.32.5:443'],
          deregistered: [],
          unchanged: [],
          nlbZones: ['us-east-1a', 'us-east-1b'],
          outsideNlbZones: ['10.0.32.5 (us-east-1c)'],
        },
      ]);
      expect(elbMock).toHaveReceivedCommandWith(RegisterTargetsCommand, {
        Targets: [
          { Id: '10.0.0.5', Port: 443 },
          { Id: '10.0.16.5', Port: 443 },
          { Id: '10.0.32.5', Port: 443 },
          { Id: '172.16.32.5', Port: 443, AvailabilityZone: 'all' },
        ],
      });
      expect(logger.warn.mock.calls).toEqual([
        [
          'ALB IPs in zones the NLB does not serve',
          {
            targetGroupArn: TG_A,
            nlbZones: ['us-east-1a', 'us-east-1b'],
            outsideNlbZones: '10.0.32.5 (us-east-1c)',
            count: 1,
          },
        ],
      ]);
      expect(metrics.addMetric.mock.calls).toEqual(
        runMetrics({ albIps: 4, registered: 4, deregistered: 0, outside: 1, errors: 0 }),
      );
    });

    it('names the first five IPs outside in the warning and counts the rest', async () => {
      // Prepare
      givenAlb();
      const inC = Array.from({ length: 7 }, (_, i) => `10.0.32.${i + 1}`);
      givenEnisIn(...inC.map((ip): [string, string] => [ip, 'us-east-1c']));
      givenTargetGroup(TG_A, []);
      const { logger, metrics, ...clients } = deps();

      // Act
      const summary = await syncTargetGroups(binding(), { ...clients, logger, metrics }, LIVE);

      // Assess
      expect(summary.targetGroups[0]?.outsideNlbZones).toEqual(
        inC.map((ip) => `${ip} (us-east-1c)`),
      );
      expect(logger.warn).toHaveBeenCalledWith('ALB IPs in zones the NLB does not serve', {
        targetGroupArn: TG_A,
        nlbZones: ['us-east-1a', 'us-east-1b'],
        outsideNlbZones:
          '10.0.32.1 (us-east-1c), 10.0.32.2 (us-east-1c), 10.0.32.3 (us-east-1c), 10.0.32.4 (us-east-1c), 10.0.32.5 (us-east-1c), and 2 more',
        count: 7,
      });
      expect(metrics.addMetric).toHaveBeenCalledWith('IpsOutsideNlbZones', 'Count', 7);
    });

    it('counts each IP outside once in the metric, however many groups report it', async () => {
      // Prepare: A and C on an NLB in a and b, B on one in a and c
      givenAlb();
      givenEnisIn(
        ['10.0.0.5', 'us-east-1a'],
        ['10.0.16.5', 'us-east-1b'],
        ['10.0.32.5', 'us-east-1c'],
      );
      givenTargetGroup(TG_A, []);
      givenTargetGroup(TG_B, [], { LoadBalancerArns: [NLB_2] });
      givenTargetGroup(TG_C, []);
      elbMock.on(DescribeLoadBalancersCommand, { LoadBalancerArns: [NLB, NLB_2] }).resolves({
        LoadBalancers: [
          nlbDescription(NLB, ['us-east-1a', 'us-east-1b']),
          nlbDescription(NLB_2, ['us-east-1a', 'us-east-1c']),
        ],
      });
      const { logger, metrics, ...clients } = deps();

      // Act
      const summary = await syncTargetGroups(
        binding([TG_A, TG_B, TG_C]),
        { ...clients, logger, metrics },
        LIVE,
      );

      // Assess
      expect(summary.targetGroups.map((group) => group.outsideNlbZones)).toEqual([
        ['10.0.32.5 (us-east-1c)'],
        ['10.0.16.5 (us-east-1b)'],
        ['10.0.32.5 (us-east-1c)'],
      ]);
      expect(logger.warn).toHaveBeenCalledTimes(3);
      expect(metrics.addMetric).toHaveBeenCalledWith('IpsOutsideNlbZones', 'Count', 2);
    });

    it('reports the zones on a dry run, without writing', async () => {
      givenAlb();
      givenEnisIn(['10.0.0.5', 'us-east-1a'], ['10.0.32.5', 'us-east-1c']);
      givenTargetGroup(TG_A, []);
      const { logger, metrics, ...clients } = deps();

      const summary = await syncTargetGroups(
        binding([TG_A], true),
        { ...clients, logger, metrics },
        LIVE,
      );

      expect(writes()).toEqual([]);
      expect(summary.targetGroups[0]).toMatchObject({
        status: 'planned',
        nlbZones: ['us-east-1a', 'us-east-1b'],
        outsideNlbZones: ['10.0.32.5 (us-east-1c)'],
      });
      expect(logger.warn).toHaveBeenCalledWith(
        'ALB IPs in zones the NLB does not serve',
        expect.objectContaining({ count: 1 }),
      );
      expect(metrics.addMetric).toHaveBeenCalledWith('IpsOutsideNlbZones', 'Count', 1);
    });

    it('keeps the zone report of a group that fails after it is read', async () => {
      // Prepare: the registration is throttled beyond the SDK's retries
      givenAlb();
      givenEnisIn(['10.0.32.5', 'us-east-1c']);
      givenTargetGroup(TG_A, []);
      elbMock
        .on(RegisterTargetsCommand, { TargetGroupArn: TG_A })
        .rejects(awsError('ThrottlingException', 'Rate exceeded'));
      const { metrics, ...rest } = deps();

      // Act
      const error = await failureOf(syncTargetGroups(binding(), { ...rest, metrics }, LIVE));

      // Assess
      expect((error as TargetGroupSyncError).summary).toMatchObject({
        targetGroups: [
          {
            status: 'failed',
            nlbZones: ['us-east-1a', 'us-east-1b'],
            outsideNlbZones: ['10.0.32.5 (us-east-1c)'],
          },
        ],
      });
      expect(metrics.addMetric).toHaveBeenCalledWith('IpsOutsideNlbZones', 'Count', 1);
    });

    it('reports the zones of a group it refuses to empty', async () => {
      givenAlb();
      givenEnis();
      givenTargetGroup(TG_A, ['10.0.0.1']);

      const error = await failureOf(syncTargetGroups(binding(), deps(), LIVE));

      expect((error as TargetGroupSyncError).summary).toMatchObject({
        targetGroups: [
          { status: 'failed', nlbZones: ['us-east-1a', 'us-east-1b'], outsideNlbZones: [] },
        ],
      });
    });

    it.each([
      ['attached to no load balancer', { LoadBalancerArns: [] }],
      ['that reports no load balancers', { LoadBalancerArns: undefined }],
    ])('skips the zone check of a group %s, without error', async (_, extra) => {
      // Prepare: an adopted group no listener forwards to yet
      givenAlb();
      givenEnisIn(['10.0.32.5', 'us-east-1c']);
      givenTargetGroup(TG_A, [], extra);
      const { logger, metrics, ...clients } = deps();

      // Act
      const summary = await syncTargetGroups(binding(), { ...clients, logger, metrics }, LIVE);

      // Assess
      expect(describedLoadBalancers()).toEqual([[ALB]]);
      expect(summary.targetGroups).toStrictEqual([
        {
          targetGroupArn: TG_A,
          status: 'synced',
          registered: ['10.0.32.5:443'],
          deregistered: [],
          unchanged: [],
        },
      ]);
      expect(logger.info).toHaveBeenCalledWith(
        'Target group is attached to no load balancer yet, so its zones were not checked',
        { targetGroupArn: TG_A },
      );
      expect(logger.warn).not.toHaveBeenCalled();
      expect(metrics.addMetric).toHaveBeenCalledWith('IpsOutsideNlbZones', 'Count', 0);
    });

    it('still syncs the groups when their NLB cannot be described, and says it could not check', async () => {
      // Prepare
      givenAlb();
      givenEnisIn(['10.0.32.5', 'us-east-1c']);
      givenTargetGroup(TG_A, ['10.0.0.9']);
      const cause = awsError('AccessDenied', 'not authorized');
      elbMock.on(DescribeLoadBalancersCommand, { LoadBalancerArns: [NLB] }).rejects(cause);
      const { logger, metrics, ...clients } = deps();

      // Act
      const summary = await syncTargetGroups(binding(), { ...clients, logger, metrics }, LIVE);

      // Assess
      expect(summary.targetGroups).toStrictEqual([
        {
          targetGroupArn: TG_A,
          status: 'synced',
          registered: ['10.0.32.5:443'],
          deregistered: ['10.0.0.9:443'],
          unchanged: [],
        },
      ]);
      expect(logger.warn.mock.calls).toEqual([
        [
          "Could not read the zones of the target groups' load balancers, so the ALB IPs were not checked against them",
          { loadBalancerArns: [NLB], error: expect.any(AwsCallError) },
        ],
      ]);
      const [[, { error }]] = logger.warn.mock.calls as [[string, { error: Error }]];
      expect(error.message).toBe(
        `DescribeLoadBalancers for ${NLB} failed: AccessDenied: not authorized`,
      );
      expect(error.cause).toBe(cause);
      expect(metrics.addMetric).toHaveBeenCalledWith('IpsOutsideNlbZones', 'Count', 0);
      expect(metrics.addMetric).toHaveBeenCalledWith('SyncErrors', 'Count', 0);
    });

    it('leaves out the zones of a group whose NLB the answer does not include', async () => {
      givenAlb();
      givenEnisIn(['10.0.32.5', 'us-east-1c']);
      givenTargetGroup(TG_A, []);
      elbMock
        .on(DescribeLoadBalancersCommand, { LoadBalancerArns: [NLB] })
        .resolves({ LoadBalancers: [] });
      const { logger, ...rest } = deps();

      const summary = await syncTargetGroups(binding(), { ...rest, logger }, LIVE);

      expect(describedLoadBalancers()).toEqual([[ALB], [NLB]]);
      expect(summary.targetGroups[0]).not.toHaveProperty('nlbZones');
      expect(summary.targetGroups[0]).not.toHaveProperty('outsideNlbZones');
      expect(logger.warn).not.toHaveBeenCalled();
    });
  });

  describe('with an abort signal', () => {
    it('passes the signal to every load balancer and target group call', async () => {
      // Prepare
      givenAlb();
      givenEnis('10.0.0.1', '10.0.0.3');
      givenTargetGroup(TG_A, ['10.0.0.1', '10.0.0.2']);
      const signal = new AbortController().signal;

      // Act
      await syncTargetGroups(binding(), deps(), signal);

      // Assess
      expect(elbCommands()).toEqual([
        'DescribeLoadBalancersCommand',
        'DescribeTargetGroupsCommand',
        'DescribeTargetHealthCommand',
        'DescribeLoadBalancersCommand',
        'RegisterTargetsCommand',
        'DeregisterTargetsCommand',
      ]);
      expect(optionsSent(elbMock.calls(), signal)).toStrictEqual(
        Array(6).fill({ abortSignal: 'the signal' }),
      );
    });

    it('fails the run with the reason, before discovery, when the signal is aborted during the reads', async () => {
      // Prepare: the deadline passes while the registered targets are read
      givenAlb();
      givenEnis('10.0.0.1', '10.0.0.3');
      givenTargetGroup(TG_A, ['10.0.0.1', '10.0.0.2']);
      const controller = new AbortController();
      const reason = new Error('The run was stopped before the deadline');
      elbMock.on(DescribeTargetHealthCommand).callsFake(async () => {
        controller.abort(reason);
        return { TargetHealthDescriptions: [] };
      });
      const { logger, metrics, ...clients } = deps();

      // Act
      const error = await failureOf(
        syncTargetGroups(binding(), { ...clients, logger, metrics }, controller.signal),
      );

      // Assess
      expect(error).toBe(reason);
      expect(writes()).toEqual([]);
      expect(ec2Mock.calls()).toHaveLength(0);
      expect(logger.error).toHaveBeenCalledWith('Sync failed before any target group was written', {
        loadBalancerArn: ALB,
        error,
      });
      expect(metrics.addMetric).toHaveBeenCalledWith('SyncErrors', 'Count', 1);
    });

    it.each([
      [false, 'a run'],
      [true, 'a dry run'],
    ])(
      'fails each group with the reason when the signal is aborted after the last read (%s: %s)',
      async (dryRun) => {
        // Prepare: the NLB's zones come back last, once the deadline has passed
        givenAlb();
        givenEnis('10.0.0.1', '10.0.0.3');
        givenTargetGroup(TG_A, ['10.0.0.1', '10.0.0.2']);
        const controller = new AbortController();
        const reason = new Error('The run was stopped before the deadline');
        elbMock
          .on(DescribeLoadBalancersCommand, { LoadBalancerArns: [NLB] })
          .callsFake(async () => {
            await new Promise((resolve) => setImmediate(resolve));
            controller.abort(reason);
            throw abortError();
          });
        const { logger, metrics, ...clients } = deps();

        // Act
        const error = await failureOf(
          syncTargetGroups(
            binding([TG_A], dryRun),
            { ...clients, logger, metrics },
            controller.signal,
          ),
        );

        // Assess
        expect(ec2Mock).toHaveReceivedCommandTimes(DescribeNetworkInterfacesCommand, 1);
        expect(writes()).toEqual([]);
        expect(error).toBeInstanceOf(TargetGroupSyncError);
        expect(error.message).toBe(
          `1 of 1 target group(s) failed to sync: ${TG_A}: The run was stopped before the deadline`,
        );
        expect((error as TargetGroupSyncError).summary).toEqual({
          loadBalancerArn: ALB,
          dryRun,
          albIps: ['10.0.0.1', '10.0.0.3'],
          targetGroups: [
            {
              targetGroupArn: TG_A,
              status: 'failed',
              registered: [],
              deregistered: [],
              unchanged: [],
              error: 'The run was stopped before the deadline',
            },
          ],
        });
        expect(logger.warn).not.toHaveBeenCalled();
        expect(metrics.addMetric).toHaveBeenCalledWith('SyncErrors', 'Count', 1);
      },
    );

    it('stops between write steps when the signal is aborted during one', async () => {
      // Prepare: the registration is the last write that goes out
      givenAlb();
      givenEnis('10.0.0.3');
      givenTargetGroup(TG_A, ['10.0.0.2']);
      const controller = new AbortController();
      elbMock.on(RegisterTargetsCommand).callsFake(async () => {
        controller.abort(new Error('stopped'));
        return {};
      });

      // Act
      const error = await failureOf(syncTargetGroups(binding(), deps(), controller.signal));

      // Assess
      expect(elbCommands()).not.toContain('DeregisterTargetsCommand');
      expect((error as TargetGroupSyncError).summary).toMatchObject({
        targetGroups: [{ status: 'failed', registered: ['10.0.0.3:443'], error: 'stopped' }],
      });
    });

    it('sends nothing and throws the reason when the signal is already aborted', async () => {
      // Prepare
      const signal = abortedSignal('The run was stopped');
      givenAlb();
      givenEnis('10.0.0.1');
      givenTargetGroup(TG_A, []);
      const { logger, metrics, ...clients } = deps();

      // Act
      const error = await failureOf(
        syncTargetGroups(binding(), { ...clients, logger, metrics }, signal),
      );

      // Assess
      expect(error).toBe(signal.reason);
      expect(elbMock.calls()).toHaveLength(0);
      expect(ec2Mock.calls()).toHaveLength(0);
      expect(logger.error).toHaveBeenCalledWith('Sync failed before any target group was written', {
        loadBalancerArn: ALB,
        error,
      });
      expect(metrics.addMetric).toHaveBeenCalledWith('SyncErrors', 'Count', 1);
    });

    it('asks for no further page of network interfaces once the signal is aborted', async () => {
      // Prepare: the deadline passes while the first page is read
      givenAlb();
      const controller = new AbortController();
      ec2Mock.on(DescribeNetworkInterfacesCommand).callsFake(async () => {
        controller.abort(new Error('stopped'));
        return { NetworkInterfaces: [eni('10.0.0.1')], NextToken: 'page-2' };
      });
      givenTargetGroup(TG_A, []);

      // Act
      const error = await failureOf(syncTargetGroups(binding(), deps(), controller.signal));

      // Assess: every target group call came before discovery, and no write after it
      expect(error).toBe(controller.signal.reason);
      expect(ec2Mock).toHaveReceivedCommandTimes(DescribeNetworkInterfacesCommand, 1);
      expect(elbCommands()).toEqual([
        'DescribeLoadBalancersCommand',
        'DescribeTargetGroupsCommand',
        'DescribeTargetHealthCommand',
        'DescribeLoadBalancersCommand',
      ]);
    });

    it('throws the reason, not an AwsCallError, when discovery is cut short by the signal', async () => {
      // Prepare
      givenAlb();
      const controller = new AbortController();
      ec2Mock.on(DescribeNetworkInterfacesCommand).callsFake(async () => {
        controller.abort(new Error('stopped'));
        throw abortError();
      });

      // Act
      const error = await failureOf(syncTargetGroups(binding(), deps(), controller.signal));

      // Assess
      expect(error).toBe(controller.signal.reason);
      expect(writes()).toEqual([]);
    });
  });
});

describe('Function: countedSummary', () => {
  it('counts the IPs per zone, zones in order, and keeps only what each group reported', () => {
    // Prepare: interfaces in zones c, a, b, a; one group checked against its NLB, one not
    const discovered = ['us-east-1c', 'us-east-1a', 'us-east-1b', 'us-east-1a'].map(
      (availabilityZone) => ({ availabilityZone }),
    );
    const summary: SyncSummary = {
      loadBalancerArn: ALB,
      dryRun: false,
      albIps: ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4'],
      targetGroups: [
        {
          targetGroupArn: TG_A,
          status: 'synced',
          registered: ['10.0.0.4:443'],
          deregistered: [],
          unchanged: ['10.0.0.1:443', '10.0.0.2:443', '10.0.0.3:443'],
          nlbZones: ['us-east-1a', 'us-east-1b'],
          outsideNlbZones: ['10.0.0.1 (us-east-1c)'],
        },
        {
          targetGroupArn: TG_B,
          status: 'synced',
          registered: [],
          deregistered: [],
          unchanged: [],
        },
      ],
    };

    // Act
    const counted = countedSummary(summary, discovered);

    // Assess
    expect(counted).toStrictEqual({
      loadBalancerArn: ALB,
      dryRun: false,
      albIpCount: 4,
      albIpsByZone: { 'us-east-1a': 2, 'us-east-1b': 1, 'us-east-1c': 1 },
      targetGroups: [
        {
          targetGroupArn: TG_A,
          status: 'synced',
          registered: 1,
          deregistered: 0,
          unchanged: 3,
          nlbZones: ['us-east-1a', 'us-east-1b'],
          outsideNlbZones: 1,
        },
        { targetGroupArn: TG_B, status: 'synced', registered: 0, deregistered: 0, unchanged: 0 },
      ],
    });
    expect(Object.keys(counted.albIpsByZone)).toEqual(['us-east-1a', 'us-east-1b', 'us-east-1c']);
  });
});
