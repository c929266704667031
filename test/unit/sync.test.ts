import { DescribeNetworkInterfacesCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  DeregisterTargetsCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { parseBinding } from '../../functions/shared/binding.js';
import {
  AwsCallError,
  LoadBalancerMismatchError,
  TargetGroupSyncError,
} from '../../functions/shared/errors.js';
import { type SyncDependencies, syncTargetGroups } from '../../functions/target-group-sync/sync.js';
import { failureOf } from '../support/failure-of.js';
import { abortError, abortedSignal, LIVE, optionsSent } from '../support/signals.js';

const ALB =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188';
const TG_A = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/a/0000000000000001';
const TG_B = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/b/0000000000000002';
const TG_C = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/c/0000000000000003';
const DESCRIPTION = 'ELB app/web/50dc6c495c0c9188';

const ec2Mock = mockClient(EC2Client);
const elbMock = mockClient(ElasticLoadBalancingV2Client);

function awsError(name: string, message = name): Error {
  return Object.assign(new Error(message), { name, $metadata: {} });
}

const eni = (ip: string, description = DESCRIPTION, vpcId = 'vpc-1') => ({
  NetworkInterfaceId: `eni-${ip.replaceAll('.', '')}`,
  Description: description,
  PrivateIpAddress: ip,
  VpcId: vpcId,
  AvailabilityZone: 'us-east-1a',
});

function givenAlb(type: 'application' | 'network' = 'application') {
  elbMock
    .on(DescribeLoadBalancersCommand)
    .resolves({ LoadBalancers: [{ LoadBalancerArn: ALB, Type: type, VpcId: 'vpc-1' }] });
}

function givenEnis(...ips: string[]) {
  ec2Mock
    .on(DescribeNetworkInterfacesCommand)
    .resolves({ NetworkInterfaces: ips.map((ip) => eni(ip)) });
}

function givenTargetGroup(arn: string, registered: string[], extra: Record<string, unknown> = {}) {
  elbMock.on(DescribeTargetGroupsCommand, { TargetGroupArns: [arn] }).resolves({
    TargetGroups: [{ TargetGroupArn: arn, TargetType: 'ip', Port: 443, VpcId: 'vpc-1', ...extra }],
  });
  elbMock.on(DescribeTargetHealthCommand, { TargetGroupArn: arn }).resolves({
    TargetHealthDescriptions: registered.map((ip) => ({
      Target: { Id: ip, Port: 443 },
      TargetHealth: { State: 'healthy' },
    })),
  });
}

function deps() {
  return {
    ec2: new EC2Client({}),
    elbv2: new ElasticLoadBalancingV2Client({}),
    logger: { info: vi.fn(), warn: vi.fn(), error: vi.fn() },
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
});

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
        },
      ],
    });
    expect(elbCommands()).toEqual([
      'DescribeLoadBalancersCommand',
      'DescribeTargetGroupsCommand',
      'DescribeTargetHealthCommand',
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
    expect(logger.info).toHaveBeenLastCalledWith('Dry run planned', { summary });
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
    expect(metrics.addMetric.mock.calls).toEqual([['SyncErrors', 'Count', 1]]);
    expect(logger.error.mock.calls).toEqual([
      ['Sync failed before any target group was written', { loadBalancerArn: ALB, error }],
    ]);
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

  it('logs the discovered IPs and every change, and counts them', async () => {
    // Prepare
    givenAlb();
    givenEnis('10.0.0.1', '10.0.0.3');
    givenTargetGroup(TG_A, ['10.0.0.2']);
    const { logger, metrics, ...clients } = deps();

    // Act
    const summary = await syncTargetGroups(binding(), { ...clients, logger, metrics }, LIVE);

    // Assess
    expect(logger.info).toHaveBeenCalledWith('Discovered ALB IPs', {
      loadBalancerArn: ALB,
      albIps: ['10.0.0.1', '10.0.0.3'],
      networkInterfaces: [
        { networkInterfaceId: 'eni-10001', availabilityZone: 'us-east-1a', privateIp: '10.0.0.1' },
        { networkInterfaceId: 'eni-10003', availabilityZone: 'us-east-1a', privateIp: '10.0.0.3' },
      ],
    });
    expect(logger.info).toHaveBeenLastCalledWith('Sync complete', { summary });
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
    expect(metrics.addMetric.mock.calls).toEqual([
      ['AlbIpCount', 'Count', 2],
      ['TargetsRegistered', 'Count', 2],
      ['TargetsDeregistered', 'Count', 1],
      ['SyncErrors', 'Count', 0],
    ]);
  });

  it('counts each failed group in SyncErrors, and names every failure in one error', async () => {
    // Prepare: A is throttled beyond the SDK's retries, B does not exist, C syncs
    givenAlb();
    givenEnis('10.0.0.1');
    givenTargetGroup(TG_A, []);
    elbMock
      .on(RegisterTargetsCommand, { TargetGroupArn: TG_A })
      .rejects(awsError('ThrottlingException', 'Rate exceeded'));
    elbMock
      .on(DescribeTargetGroupsCommand, { TargetGroupArns: [TG_B] })
      .rejects(awsError('TargetGroupNotFoundException'));
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
    expect(metrics.addMetric.mock.calls).toEqual([
      ['AlbIpCount', 'Count', 1],
      ['TargetsRegistered', 'Count', 1],
      ['TargetsDeregistered', 'Count', 0],
      ['SyncErrors', 'Count', 2],
    ]);
    expect(logger.error.mock.calls).toEqual([['Target group sync failed', { summary }]]);
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
        'RegisterTargetsCommand',
        'DeregisterTargetsCommand',
      ]);
      expect(optionsSent(elbMock.calls(), signal)).toStrictEqual(
        Array(5).fill({ abortSignal: 'the signal' }),
      );
    });

    it('writes nothing once the signal is aborted before the writes, and names the reason', async () => {
      // Prepare: the deadline passes while the registered targets are read
      givenAlb();
      givenEnis('10.0.0.1', '10.0.0.3');
      givenTargetGroup(TG_A, ['10.0.0.1', '10.0.0.2']);
      const controller = new AbortController();
      const reason = new Error('The run was stopped before the deadline');
      elbMock.on(DescribeTargetHealthCommand).callsFake(async () => {
        controller.abort(reason);
        return {
          TargetHealthDescriptions: [
            { Target: { Id: '10.0.0.1', Port: 443 }, TargetHealth: { State: 'healthy' } },
            { Target: { Id: '10.0.0.2', Port: 443 }, TargetHealth: { State: 'healthy' } },
          ],
        };
      });
      const { logger, metrics, ...clients } = deps();

      // Act
      const error = await failureOf(
        syncTargetGroups(binding(), { ...clients, logger, metrics }, controller.signal),
      );

      // Assess
      expect(writes()).toEqual([]);
      expect(error).toBeInstanceOf(TargetGroupSyncError);
      expect(error.message).toBe(
        `1 of 1 target group(s) failed to sync: ${TG_A}: The run was stopped before the deadline`,
      );
      expect((error as TargetGroupSyncError).summary).toMatchObject({
        targetGroups: [
          {
            targetGroupArn: TG_A,
            status: 'failed',
            registered: [],
            deregistered: [],
            unchanged: ['10.0.0.1:443'],
            error: 'The run was stopped before the deadline',
          },
        ],
      });
      expect(metrics.addMetric).toHaveBeenCalledWith('SyncErrors', 'Count', 1);
    });

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

      // Assess
      expect(error).toBe(controller.signal.reason);
      expect(ec2Mock).toHaveReceivedCommandTimes(DescribeNetworkInterfacesCommand, 1);
      expect(elbCommands()).toEqual(['DescribeLoadBalancersCommand']);
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
