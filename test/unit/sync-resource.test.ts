import { EC2Client } from '@aws-sdk/client-ec2';
import {
  AddTagsCommand,
  DeregisterTargetsCommand,
  DescribeTagsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  RemoveTagsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { type Binding, parseBinding } from '../../functions/shared/binding.js';
import type { CustomResourceRequest } from '../../functions/shared/custom-resource.js';
import { ZoneMismatchError } from '../../functions/shared/errors.js';
import {
  runSync,
  type SyncSummary,
  type TargetGroupSummary,
} from '../../functions/target-group-sync/sync.js';
import { syncCustomResource } from '../../functions/target-group-sync/sync-resource.js';
import { failureOf } from '../support/failure-of.js';
import { LIVE } from '../support/signals.js';

// The deploy-time sync's answer to the zones the NLB serves, with the sync itself replaced by the
// summary it would return (test/unit/sync.test.ts covers how the summary is made).
vi.mock(import('../../functions/target-group-sync/sync.js'), async (original) => ({
  ...(await original()),
  runSync: vi.fn(),
}));

const ALB =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188';
const OTHER_ALB =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/next/60dc6c495c0c9188';
const TG_A = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/a/0000000000000001';
const TG_B = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/b/0000000000000002';
const NLB_ZONES = ['us-east-1a', 'us-east-1b'];

const elbMock = mockClient(ElasticLoadBalancingV2Client);

const REQUEST: CustomResourceRequest = {
  requestType: 'Create',
  physicalResourceId: 'target-group-sync/TargetGroupSync/0123456789abcdef',
  owner: '0123456789abcdef',
  stackId:
    'arn:aws:cloudformation:us-east-1:123456789012:stack/web-static-ip/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
  logicalResourceId: 'TargetGroupSync',
  replacing: false,
  signal: LIVE,
};

const binding = (loadBalancerArn = ALB, dryRun = false): Binding =>
  parseBinding({ LoadBalancerArn: loadBalancerArn, TargetGroupArns: [TG_A, TG_B], DryRun: dryRun });

const group = (
  targetGroupArn: string,
  outsideNlbZones: string[] | undefined,
  registered: string[] = [],
): TargetGroupSummary => ({
  targetGroupArn,
  status: 'synced',
  registered,
  deregistered: [],
  unchanged: [],
  ...(outsideNlbZones ? { nlbZones: NLB_ZONES, outsideNlbZones } : {}),
});

/** A sync of the binding that finds these ALB IPs and returns these group summaries. */
function resourceSyncing(
  albIps: string[],
  targetGroups: TargetGroupSummary[],
  lookalikeEnis?: string[],
) {
  vi.mocked(runSync).mockImplementation(
    async (given: Binding): Promise<SyncSummary> => ({
      loadBalancerArn: given.LoadBalancerArn.arn,
      dryRun: given.DryRun,
      albIps,
      ...(lookalikeEnis && { lookalikeEnis }),
      targetGroups,
    }),
  );
  return syncCustomResource({
    ec2: new EC2Client({}),
    elbv2: new ElasticLoadBalancingV2Client({}),
    logger: { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() },
    metrics: { addMetric: vi.fn(), addDimension: vi.fn(), publishStoredMetrics: vi.fn() },
  });
}

/** Every ALB IP in zone c, which the NLB has not enabled, in group A; B cannot be checked. */
const unservedInA = () =>
  resourceSyncing(
    ['10.0.32.5', '10.0.33.5'],
    [
      group(TG_A, ['10.0.32.5 (us-east-1c)', '10.0.33.5 (us-east-1c)'], ['10.0.32.5:443']),
      group(TG_B, undefined),
    ],
  );

const UNSERVED_REASON = `TargetGroupArns: expected each group's load balancer to serve a zone of the ALB, so that it has a target to send traffic to; ${TG_A}: its load balancer has enabled us-east-1a, us-east-1b, and all 2 ALB IP(s) are elsewhere: 10.0.32.5 (us-east-1c), 10.0.33.5 (us-east-1c). Enable one of the ALB's zones on the NLB (a subnet in it), or enable one of the NLB's zones on the ALB`;

beforeEach(() => {
  elbMock.reset();
  elbMock.on(AddTagsCommand).resolves({});
});

describe('Function: syncCustomResource, the zones the NLB serves', () => {
  it('fails a Create when a group’s NLB serves none of the ALB IPs, naming the group, zones and IPs', async () => {
    // Prepare
    const resource = unservedInA();

    // Act
    const error = await failureOf(resource.create(binding(), REQUEST));

    // Assess
    expect(error).toBeInstanceOf(ZoneMismatchError);
    expect(error.message).toBe(UNSERVED_REASON);
  });

  it('names the first five IPs and counts the rest', async () => {
    // Prepare
    const ips = Array.from({ length: 7 }, (_, i) => `10.0.32.${i + 1}`);
    const resource = resourceSyncing(ips, [
      group(
        TG_A,
        ips.map((ip) => `${ip} (us-east-1c)`),
      ),
    ]);

    // Act
    const error = await failureOf(resource.create(binding(), REQUEST));

    // Assess
    expect(error.message).toContain(
      `${TG_A}: its load balancer has enabled us-east-1a, us-east-1b, and all 7 ALB IP(s) are elsewhere: 10.0.32.1 (us-east-1c), 10.0.32.2 (us-east-1c), 10.0.32.3 (us-east-1c), 10.0.32.4 (us-east-1c), 10.0.32.5 (us-east-1c), and 2 more. Enable`,
    );
  });

  it('names every group its NLB does not serve', async () => {
    const resource = resourceSyncing(
      ['10.0.32.5'],
      [group(TG_A, ['10.0.32.5 (us-east-1c)']), group(TG_B, ['10.0.32.5 (us-east-1c)'])],
    );

    const error = await failureOf(resource.create(binding(), REQUEST));

    expect(error.message).toContain(
      `${TG_A}: its load balancer has enabled us-east-1a, us-east-1b, and all 1 ALB IP(s) are elsewhere: 10.0.32.5 (us-east-1c); ${TG_B}: its load balancer`,
    );
  });

  it.each([
    [
      'at least one ALB IP is in a zone the NLB serves',
      [group(TG_A, ['10.0.32.5 (us-east-1c)']), group(TG_B, ['10.0.32.5 (us-east-1c)'])],
    ],
    ['the zones are not known', [group(TG_A, undefined), group(TG_B, undefined)]],
  ])('lets a Create succeed when %s', async (_, groups) => {
    // Prepare: two ALB IPs, one in zone c
    const resource = resourceSyncing(['10.0.0.5', '10.0.32.5'], groups);

    // Act
    const data = await resource.create(binding(), REQUEST);

    // Assess
    expect(data).toEqual({ AlbIpCount: 2, Registered: 0, Deregistered: 0 });
  });

  it('lets a dry-run Create succeed: it is how a bridge is looked at before it writes', async () => {
    const data = await unservedInA().create(binding(ALB, true), REQUEST);

    expect(data).toEqual({ AlbIpCount: 2, Registered: 0, Deregistered: 0 });
  });

  it('lets an Update in place succeed: its rollback would be an Update failing the same way', async () => {
    // Act
    const data = await unservedInA().update(binding(), binding(), {
      ...REQUEST,
      requestType: 'Update',
    });

    // Assess
    expect(data).toEqual({ AlbIpCount: 2, Registered: 1, Deregistered: 0 });
  });

  // The old binding is parsed in the test, not in the table: the table is built when the file
  // loads, and code run then is a static mutant to Stryker (see stryker.config.mjs).
  it.each([
    ['to another ALB', OTHER_ALB],
    ['whose old properties are not valid', undefined],
  ])('fails an Update %s: a new resource, rolled back by a Delete', async (_, oldAlb) => {
    const old = oldAlb === undefined ? undefined : binding(oldAlb);
    const error = await failureOf(
      unservedInA().update(binding(), old, { ...REQUEST, requestType: 'Update' }),
    );

    expect(error.message).toBe(UNSERVED_REASON);
  });
});

describe('Function: syncCustomResource, an ALB with no interface of its own', () => {
  const NONE_FOUND = `Found no network interface described "ELB app/web/50dc6c495c0c9188" that Elastic Load Balancing created`;
  const REST =
    ', so the target groups would stay empty; check that LoadBalancerArn is the ALB to front and that its network interfaces are in this account and region';

  it('fails a Create, saying so', async () => {
    const resource = resourceSyncing([], [group(TG_A, [])]);

    const error = await failureOf(resource.create(binding(), REQUEST));

    expect(error.message).toBe(`${NONE_FOUND}${REST}`);
  });

  it('counts the lookalikes that carry the description, which are never registered', async () => {
    const resource = resourceSyncing([], [group(TG_A, [])], ['eni-1 10.0.9.1', 'eni-2 10.0.9.2']);

    const error = await failureOf(resource.create(binding(), REQUEST));

    expect(error.message).toBe(
      `${NONE_FOUND} (2 with that description were created by someone else, and are never registered)${REST}`,
    );
  });

  it('lets a dry-run Create through, which writes nothing', async () => {
    const resource = resourceSyncing([], [group(TG_A, [])], ['eni-1 10.0.9.1']);

    await expect(resource.create(binding(ALB, true), REQUEST)).resolves.toBeDefined();
  });
});

describe('Function: syncCustomResource, an Update that drops target groups', () => {
  const ec2Mock = mockClient(EC2Client);

  beforeEach(() => {
    ec2Mock.reset();
    elbMock.on(RemoveTagsCommand).resolves({});
    elbMock.on(DescribeTagsCommand).resolves({ TagDescriptions: [{ Tags: [] }] });
    elbMock.on(DeregisterTargetsCommand).resolves({});
  });

  it('takes out of the dropped group the ALB IPs its sync has just found, without discovering again', async () => {
    // Prepare: the sync of this Update finds 10.0.0.1 and 10.0.0.2; B, dropped, still holds them
    // and a target of another binding
    const resource = resourceSyncing(['10.0.0.1', '10.0.0.2'], [group(TG_A, undefined)]);
    elbMock.on(DescribeTargetHealthCommand, { TargetGroupArn: TG_B }).resolves({
      TargetHealthDescriptions: ['10.0.0.1', '10.0.0.2', '10.0.9.9'].map((Id) => ({
        Target: { Id, Port: 443 },
        TargetHealth: { State: 'healthy' },
      })),
    });
    const kept = parseBinding({ LoadBalancerArn: ALB, TargetGroupArns: [TG_A] });

    // Act
    await resource.update(kept, binding(), { ...REQUEST, requestType: 'Update' });

    // Assess
    expect(ec2Mock.calls()).toHaveLength(0);
    expect(
      elbMock.commandCalls(DeregisterTargetsCommand).map((call) => call.args[0].input),
    ).toEqual([
      {
        TargetGroupArn: TG_B,
        Targets: [
          { Id: '10.0.0.1', Port: 443 },
          { Id: '10.0.0.2', Port: 443 },
        ],
      },
    ]);
  });
});

describe('Function: syncCustomResource, a replacing Update that fails', () => {
  const failingSync = (error: Error) => {
    vi.mocked(runSync).mockRejectedValue(error);
    return syncCustomResource({
      ec2: new EC2Client({}),
      elbv2: new ElasticLoadBalancingV2Client({}),
      logger: { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() },
      metrics: { addMetric: vi.fn(), addDimension: vi.fn(), publishStoredMetrics: vi.fn() },
    });
  };
  const UPDATE = { ...REQUEST, requestType: 'Update' as const, replacing: true };

  beforeEach(() => {
    elbMock.on(RemoveTagsCommand).resolves({});
    elbMock.on(DescribeTagsCommand).resolves({ TagDescriptions: [{ Tags: [] }] });
  });

  it('takes the owner it claimed off every group before it fails, and deregisters nothing', async () => {
    // Prepare: an Update to another ALB, whose sync fails after the claim
    const cause = new Error('the sync failed');
    const resource = failingSync(cause);

    // Act
    const error = await failureOf(resource.update(binding(OTHER_ALB), binding(), UPDATE));

    // Assess
    expect(error).toBe(cause);
    expect(elbMock.commandCalls(AddTagsCommand)).toHaveLength(2);
    expect(elbMock.commandCalls(RemoveTagsCommand).map((call) => call.args[0].input)).toEqual([
      { ResourceArns: [TG_A], TagKeys: ['alb-static-ip:owner:0123456789abcdef'] },
      { ResourceArns: [TG_B], TagKeys: ['alb-static-ip:owner:0123456789abcdef'] },
    ]);
    expect(elbMock.commandCalls(DeregisterTargetsCommand)).toHaveLength(0);
  });

  it('still fails with its own error when taking the owner off fails, and says so', async () => {
    const cause = new Error('the sync failed');
    vi.mocked(runSync).mockRejectedValue(cause);
    const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    const resource = syncCustomResource({
      ec2: new EC2Client({}),
      elbv2: new ElasticLoadBalancingV2Client({}),
      logger,
      metrics: { addMetric: vi.fn(), addDimension: vi.fn(), publishStoredMetrics: vi.fn() },
    });
    elbMock.on(RemoveTagsCommand, { ResourceArns: [TG_A] }).rejects(new Error('throttled'));

    const error = await failureOf(resource.update(binding(OTHER_ALB), binding(), UPDATE));

    expect(error).toBe(cause);
    expect(elbMock.commandCalls(RemoveTagsCommand)).toHaveLength(2);
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn).toHaveBeenCalledWith(
      'Could not take the failed replacement off the target group',
      expect.objectContaining({ targetGroupArn: TG_A, owner: '0123456789abcdef' }),
    );
  });

  it.each([
    ['an Update that keeps its id', () => binding(OTHER_ALB), { ...UPDATE, replacing: false }],
    ['a dry run', () => binding(OTHER_ALB, true), UPDATE],
  ])('leaves the groups as they are on %s that fails', async (_, next, request) => {
    const resource = failingSync(new Error('the sync failed'));

    await failureOf(resource.update(next(), binding(), request));

    expect(elbMock.commandCalls(RemoveTagsCommand)).toHaveLength(0);
  });
});
