import { describe, expect, it } from 'vitest';
import { compareIps } from '../../functions/shared/ip-order.js';
import type { SyncSummary } from '../../functions/target-group-sync/sync.js';
import type { Eni } from '../support/aws-world.js';
import { emulatorSuite } from '../support/emulator-suite.js';
import { loadEvent } from '../support/events.js';
import { failureOf } from '../support/failure-of.js';
import { lambdaContext } from '../support/lambda-context.js';
import { queryErrorBody } from '../support/recording-proxy.js';

/** What ELBv2 answers a DeregisterTargets with, whether or not the targets were registered. */
const DEREGISTERED = {
  status: 200,
  body: '<DeregisterTargetsResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"><DeregisterTargetsResult/><ResponseMetadata><RequestId>answered-by-the-proxy</RequestId></ResponseMetadata></DeregisterTargetsResponse>',
};

import { budgetFor } from '../support/work-budget.js';

// Every test runs the real Lambda handler against moto, through a recording proxy. The handler's
// SDK clients have default configuration: AWS_ENDPOINT_URL alone points them at the proxy.
const suite = emulatorSuite(() => import('../../functions/target-group-sync/index.js'));
const handler = (event: unknown) => suite.handler(event, lambdaContext()) as Promise<SyncSummary>;

const WRITES = ['RegisterTargets', 'DeregisterTargets'];
const writes = () => suite.proxy.actions().filter((action) => WRITES.includes(action));

/** The target IPs a recorded RegisterTargets or DeregisterTargets call sent. */
function sentTargets(action: string): string[][] {
  return suite.proxy.calls
    .filter((call) => call.action === action)
    .map((call) =>
      [...call.params.entries()]
        .filter(([key]) => /^Targets\.member\.\d+\.Id$/.test(key))
        .map(([, value]) => value),
    );
}

/**
 * An ALB named `web` with `count` interfaces over zones a and b, and an NLB in the same zones whose
 * listener on `port` forwards to an IP target group.
 */
async function bridge(count = 3, port = 443) {
  const network = await suite.world.network();
  const albArn = await suite.world.loadBalancer('web', 'application', network.subnetIds);
  const nlbArn = await suite.world.loadBalancer('web-static', 'network', network.subnetIds);
  const targetGroupArn = await suite.world.targetGroup(`web-static-${port}`, network.vpcId, port);
  await suite.world.listener(nlbArn, port, targetGroupArn);
  const enis = await suite.world.loadBalancerEnis(albArn, network.subnetIds, count);
  const event = loadEvent('scheduled-sync', {
    LoadBalancerArn: albArn,
    TargetGroupArns: [targetGroupArn],
  });
  return { ...network, albArn, nlbArn, targetGroupArn, enis, event };
}

/** The load balancers each recorded DescribeLoadBalancers asked for. */
const describedLoadBalancers = () =>
  suite.proxy.calls
    .filter((call) => call.action === 'DescribeLoadBalancers')
    .map((call) =>
      [...call.params.entries()]
        .filter(([key]) => key.startsWith('LoadBalancerArns.member.'))
        .map(([, value]) => value),
    );

/**
 * Resolves once `condition` holds, checking every 10 ms; fails after the time that `calls` calls
 * to moto may take, the most that a run makes before the condition can hold.
 */
async function until(condition: () => boolean, what: string, calls: number): Promise<void> {
  const ms = budgetFor({ motoCall: calls });
  const deadline = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`waited ${ms} ms for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const onPort = (enis: readonly Eni[], port: number) =>
  enis.map((eni) => `${eni.ip}:${port}`).sort();

describe('Integration: target-group-sync on moto', () => {
  it('first sync registers every ALB IP on the target group port', async () => {
    // Prepare
    const { event, enis, targetGroupArn } = await bridge(3);

    // Act
    const summary = await handler(event);

    // Assess
    expect(await suite.world.targets(targetGroupArn)).toEqual(onPort(enis, 443));
    expect(summary.targetGroups[0]).toMatchObject({ status: 'synced', deregistered: [] });
    expect([...(summary.targetGroups[0]?.registered ?? [])].sort()).toEqual(onPort(enis, 443));
    // Two waves of reads, each in any order: the ALB's check (a new ALB for this container), the
    // group and its targets; then the NLB's zones and the ALB's interfaces. Then the write.
    const actions = suite.proxy.actions();
    expect(actions.slice(0, 3).sort()).toEqual([
      'DescribeLoadBalancers',
      'DescribeTargetGroups',
      'DescribeTargetHealth',
    ]);
    expect(actions.slice(3, 5).sort()).toEqual([
      'DescribeLoadBalancers',
      'DescribeNetworkInterfaces',
    ]);
    expect(actions.slice(5)).toEqual(['RegisterTargets']);
  });

  it('steady state: a second run makes four reads, and zero writes', async () => {
    // Prepare
    const { event, enis, albArn, nlbArn } = await bridge(3);
    await handler(event);
    suite.proxy.clear();

    // Act
    const summary = await handler(event);

    // Assess: the group, its targets, the NLB's zones and the ALB's interfaces; the ALB's type was
    // checked by the first run, and cannot change under its ARN
    expect(writes()).toEqual([]);
    expect(suite.proxy.actions().sort()).toEqual([
      'DescribeLoadBalancers',
      'DescribeNetworkInterfaces',
      'DescribeTargetGroups',
      'DescribeTargetHealth',
    ]);
    expect(describedLoadBalancers()).toEqual([[nlbArn]]);
    expect(describedLoadBalancers().flat()).not.toContain(albArn);
    expect(summary.targetGroups[0]).toMatchObject({
      registered: [],
      deregistered: [],
      nlbZones: ['us-east-1a', 'us-east-1b'],
      outsideNlbZones: [],
    });
    expect([...(summary.targetGroups[0]?.unchanged ?? [])].sort()).toEqual(onPort(enis, 443));
  });

  it('steady state of a group attached to no load balancer yet: three reads, no zone check', async () => {
    // Prepare: an adopted group that no listener forwards to
    const { albArn, vpcId } = await bridge(3);
    const adopted = await suite.world.targetGroup('adopted-443', vpcId, 443);
    const event = { LoadBalancerArn: albArn, TargetGroupArns: [adopted] };
    await handler(event);
    suite.proxy.clear();

    // Act
    const summary = await handler(event);

    // Assess: the group's reads, then discovery
    const actions = suite.proxy.actions();
    expect(actions.slice(0, 2).sort()).toEqual(['DescribeTargetGroups', 'DescribeTargetHealth']);
    expect(actions.slice(2)).toEqual(['DescribeNetworkInterfaces']);
    expect(summary.targetGroups[0]).not.toHaveProperty('nlbZones');
  });

  it("checks a new ALB beside the group's reads, and discovers nothing before it answers", async () => {
    // Prepare: the ALB's check held until the group has been read
    const { event, albArn } = await bridge(3);
    suite.proxy.inject((call) =>
      call.action === 'DescribeLoadBalancers' &&
      call.params.get('LoadBalancerArns.member.1') === albArn
        ? 'stall'
        : undefined,
    );

    // Act
    const run = handler(event);
    // The check, the group and its targets, all sent at once
    await until(
      () => suite.proxy.actions().length === 3,
      "the group's reads, sent while the ALB's check is held",
      3,
    );
    const whileHeld = suite.proxy.actions();
    suite.proxy.releaseStalled();
    const summary = await run;

    // Assess: nothing was discovered before the check answered, and the run went on after it
    expect([...whileHeld].sort()).toEqual([
      'DescribeLoadBalancers',
      'DescribeTargetGroups',
      'DescribeTargetHealth',
    ]);
    expect(suite.proxy.actions()).toContain('DescribeNetworkInterfaces');
    expect(summary.targetGroups[0]).toMatchObject({ status: 'synced' });
  });

  it('steady state with two groups: 3 + 2 calls, in two waves one after another', async () => {
    // Prepare: a bridge with two listeners and groups, synced once
    const { event, vpcId, nlbArn, targetGroupArn } = await bridge(3, 443);
    const httpGroup = await suite.world.targetGroup('web-static-80', vpcId, 80);
    await suite.world.listener(nlbArn, 80, httpGroup);
    const both = { ...event, TargetGroupArns: [targetGroupArn, httpGroup] };
    await handler(both);
    suite.proxy.clear();
    // Every call is held until the test lets it go: a call sent while another is held is in the
    // same wave as that one
    suite.proxy.inject(() => 'stall');

    // Act
    const run = handler(both);
    await until(() => suite.proxy.stalled().length === 3, 'the first wave, held', 3);
    const firstWave = suite.proxy.actions();
    suite.proxy.releaseStalled();
    await until(() => suite.proxy.stalled().length === 2, 'the second wave, held', 2);
    const secondWave = suite.proxy.actions().slice(firstWave.length);
    suite.proxy.inject(undefined);
    suite.proxy.releaseStalled();
    const summary = await run;

    // Assess: the groups in one call beside each group's targets; then the NLB's zones beside the
    // ALB's interfaces; nothing else, and nothing written
    expect([...firstWave].sort()).toEqual([
      'DescribeTargetGroups',
      'DescribeTargetHealth',
      'DescribeTargetHealth',
    ]);
    expect([...secondWave].sort()).toEqual(['DescribeLoadBalancers', 'DescribeNetworkInterfaces']);
    expect(suite.proxy.actions()).toHaveLength(5);
    expect(summary.targetGroups.map((group) => group.status)).toEqual(['synced', 'synced']);
    expect(writes()).toEqual([]);
  });

  it('reports an ALB IP in a zone the NLB does not serve, and still registers it', async () => {
    // Prepare: the ALB is in zones a, b and c; the NLB only in a and b
    const { subnetIds, albArn, nlbArn, targetGroupArn } = await suite.world.bridgeMissingZoneC();
    const [inA, inB, inC] = (await suite.world.loadBalancerEnis(albArn, subnetIds, 3)) as [
      Eni,
      Eni,
      Eni,
    ];

    // Act
    const summary = await handler({ LoadBalancerArn: albArn, TargetGroupArns: [targetGroupArn] });

    // Assess
    expect(summary.targetGroups).toEqual([
      {
        targetGroupArn,
        status: 'synced',
        registered: [inA, inB, inC].map((eni) => `${eni.ip}:443`),
        deregistered: [],
        unchanged: [],
        nlbZones: ['us-east-1a', 'us-east-1b'],
        outsideNlbZones: [`${inC.ip} (us-east-1c)`],
      },
    ]);
    expect(await suite.world.targets(targetGroupArn)).toEqual(onPort([inA, inB, inC], 443));
    expect(describedLoadBalancers()).toEqual([[albArn], [nlbArn]]);
  });

  it('two runs at once while the ALB replaces its nodes never empty the group', async () => {
    // Prepare: the group holds the ALB's two IPs
    const { event, enis, albArn, subnetIds, targetGroupArn } = await bridge(2);
    await handler(event);
    const groupSizes: number[] = [];
    const look = async () => {
      const targets = await suite.world.targets(targetGroupArn);
      groupSizes.push(targets.length);
      return targets;
    };

    // Act 1: the first run is held between its two reads (of the group's targets and of the ALB's
    // interfaces, whichever comes second), while the ALB replaces both nodes
    let reads = 0;
    suite.proxy.inject((call) => {
      if (!['DescribeTargetHealth', 'DescribeNetworkInterfaces'].includes(call.action)) return;
      reads += 1;
      return reads === 2 ? 'stall' : undefined;
    });
    const first = handler(event);
    // The first run's reads: the ALB, the group, its targets, the NLB's zones, its interfaces
    await until(() => suite.proxy.stalled().length === 1, "the first run's second read", 5);
    const [held] = suite.proxy.stalled();
    for (const eni of enis) await suite.world.deleteEni(eni);
    const added = await suite.world.loadBalancerEnis(albArn, subnetIds, 2);

    // Act 2: the second run reads, registers the new IPs, and is held at its deregistration
    let deregistrations = 0;
    suite.proxy.inject((call) => {
      if (call.action !== 'DeregisterTargets') return;
      deregistrations += 1;
      return deregistrations === 1 ? 'stall' : undefined;
    });
    const second = handler(event);
    await until(
      () => suite.proxy.stalled().some((call) => call.action === 'DeregisterTargets'),
      "the second run's deregistration",
      // Its five reads, its registration and its deregistration
      7,
    );
    await look();

    // Act 3: the first run goes on, to the end
    suite.proxy.releaseStalled((call) => (call === held ? 'send' : 'hold'));
    await first;
    await look();

    // Act 4: the second run's deregistration goes out. AWS answers a deregistration of targets no
    // longer registered with success (API reference, DeregisterTargets); moto answers
    // InvalidTarget, so the proxy answers for AWS when every target is already gone.
    const registered = new Set(await suite.world.targets(targetGroupArn));
    suite.proxy.releaseStalled((call) => {
      const ids = [...call.params.entries()]
        .filter(([name]) => /^Targets\.member\.\d+\.Id$/.test(name))
        .map(([, ip]) => `${ip}:443`);
      return ids.some((id) => registered.has(id)) ? 'send' : DEREGISTERED;
    });
    await second;
    const afterBoth = await look();
    suite.proxy.inject(undefined);
    suite.proxy.clear();
    await handler(event);
    const writesOfAFinalRun = writes();

    // Assess: old and new IPs while both ran, then the new ones; never none
    expect(groupSizes).toEqual([4, 2, 2]);
    expect(afterBoth).toEqual(onPort(added, 443));
    expect(writesOfAFinalRun).toEqual([]);
  });

  it('churn: registers the new IPs before it deregisters the stale ones', async () => {
    // Prepare: the ALB scales, one node goes and two come
    const { event, enis, albArn, subnetIds, targetGroupArn } = await bridge(3);
    await handler(event);
    const [gone, ...kept] = enis as [Eni, ...Eni[]];
    await suite.world.deleteEni(gone);
    const added = await suite.world.loadBalancerEnis(albArn, subnetIds, 2);
    suite.proxy.clear();

    // Act
    const summary = await handler(event);

    // Assess
    expect(writes()).toEqual(['RegisterTargets', 'DeregisterTargets']);
    expect(sentTargets('RegisterTargets')).toEqual([added.map((eni) => eni.ip).sort(compareIps)]);
    expect(sentTargets('DeregisterTargets')).toEqual([[gone.ip]]);
    expect(await suite.world.targets(targetGroupArn)).toEqual(onPort([...kept, ...added], 443));
    expect(summary.targetGroups[0]?.deregistered).toEqual([`${gone.ip}:443`]);
  });

  it('does not catch near-miss neighbours', async () => {
    // Prepare: web-2, webapp, another `web` with a different id, and web's NLB namesake
    const { event, enis, albArn, subnetIds, targetGroupArn } = await bridge(2);
    const web2 = await suite.world.loadBalancer('web-2', 'application', subnetIds);
    const webapp = await suite.world.loadBalancer('webapp', 'application', subnetIds);
    await suite.world.loadBalancerEnis(web2, subnetIds, 2);
    await suite.world.loadBalancerEnis(webapp, subnetIds, 2);
    const id = albArn.split('/').at(-1) ?? '';
    const [subnet = ''] = subnetIds;
    await suite.world.eni(subnet, 'ELB app/web/ffffffffffffffff', 'elb');
    await suite.world.eni(subnet, `ELB net/web/${id}`, 'elb');
    await suite.world.eni(subnet, `ELB app/web/${id}-old`, 'elb');
    await suite.world.eni(subnet, `ELB app/web/${id.slice(0, -1)}`, 'elb');

    // Act
    const summary = await handler(event);

    // Assess
    expect([...summary.albIps].sort()).toEqual(enis.map((eni) => eni.ip).sort());
    expect(await suite.world.targets(targetGroupArn)).toEqual(onPort(enis, 443));
  });

  it("never registers a lookalike with the ALB's exact description, and makes no more calls for it", async () => {
    // Prepare: the ALB's 2 interfaces, made by Elastic Load Balancing (the emulator's stand-in:
    // requester-managed by amazon-elb), and 2 that a principal of the account made with the very
    // same description, as anyone allowed ec2:CreateNetworkInterface can
    const { event, enis, albArn, subnetIds, targetGroupArn } = await bridge(2);
    const lookalikes = [
      await suite.world.lookalikeEni(albArn, subnetIds[0] ?? ''),
      await suite.world.lookalikeEni(albArn, subnetIds[1] ?? ''),
    ];

    // Act: the first run, and a steady one
    const first = await handler(event);
    const registered = sentTargets('RegisterTargets').flat().sort(compareIps);
    suite.proxy.clear();
    const steady = await handler(event);

    // Assess
    const lookalikeIps = lookalikes.map((eni) => eni.ip);
    expect([...first.albIps].sort()).toEqual(enis.map((eni) => eni.ip).sort());
    expect(first.lookalikeEnis?.map((entry) => entry.split(' ')[1]).sort()).toEqual(
      [...lookalikeIps].sort(),
    );
    expect(registered).toEqual(enis.map((eni) => eni.ip).sort(compareIps));
    expect(await suite.world.targets(targetGroupArn)).toEqual(onPort(enis, 443));
    expect(steady.lookalikeEnis).toHaveLength(2);
    expect(suite.proxy.actions().sort()).toEqual([
      'DescribeLoadBalancers',
      'DescribeNetworkInterfaces',
      'DescribeTargetGroups',
      'DescribeTargetHealth',
    ]);
  });

  it('dry run writes nothing and returns the plan', async () => {
    const { event, enis, targetGroupArn } = await bridge(2);

    const summary = await handler({ ...event, DryRun: 'true' });

    expect(writes()).toEqual([]);
    expect(await suite.world.targets(targetGroupArn)).toEqual([]);
    expect(summary).toMatchObject({ dryRun: true, targetGroups: [{ status: 'planned' }] });
    expect([...(summary.targetGroups[0]?.registered ?? [])].sort()).toEqual(onPort(enis, 443));
  });

  it('refuses to empty a group when discovery finds no IP, and fails', async () => {
    // Prepare: targets registered earlier, and the ALB's interfaces are not found
    const { event, enis, targetGroupArn } = await bridge(2);
    await handler(event);
    for (const eni of enis) await suite.world.deleteEni(eni);
    suite.proxy.clear();

    // Act
    const error = await failureOf(handler(event));

    // Assess
    expect(error.message).toMatch(
      /discovery found no IP address for the load balancer while target group .* has 2 target\(s\); nothing was written/,
    );
    expect(writes()).toEqual([]);
    expect(await suite.world.targets(targetGroupArn)).toEqual(onPort(enis, 443));
  });

  it('registers an ALB in another VPC with AvailabilityZone "all"', async () => {
    // Prepare: the NLB's target group lives in one VPC, the ALB in a peered one
    const nlbSide = await suite.world.network('10.1');
    const albSide = await suite.world.network('172.16');
    const albArn = await suite.world.loadBalancer('peered', 'application', albSide.subnetIds);
    const targetGroupArn = await suite.world.targetGroup('peered-443', nlbSide.vpcId, 443);
    const enis = await suite.world.loadBalancerEnis(albArn, albSide.subnetIds, 2);

    // Act
    await handler({ LoadBalancerArn: albArn, TargetGroupArns: [targetGroupArn] });

    // Assess
    const [register] = suite.proxy.calls.filter((call) => call.action === 'RegisterTargets');
    expect(register?.params.get('Targets.member.1.AvailabilityZone')).toBe('all');
    expect(register?.params.get('Targets.member.2.AvailabilityZone')).toBe('all');
    expect(await suite.world.targets(targetGroupArn)).toEqual(onPort(enis, 443));
  });

  it('syncs two target groups from one discovery', async () => {
    const { event, enis, vpcId, targetGroupArn } = await bridge(3, 443);
    const httpGroup = await suite.world.targetGroup('web-static-80', vpcId, 80);

    await handler({ ...event, TargetGroupArns: [httpGroup, targetGroupArn] });

    expect(
      suite.proxy.actions().filter((action) => action === 'DescribeNetworkInterfaces'),
    ).toHaveLength(1);
    expect(await suite.world.targets(httpGroup)).toEqual(onPort(enis, 80));
    expect(await suite.world.targets(targetGroupArn)).toEqual(onPort(enis, 443));
  });

  it(
    'finds a few hundred ALB interfaces among many unrelated ones',
    async () => {
      // Prepare: 300 of the ALB's, 600 others (a neighbour ALB's and unrelated interfaces)
      const { albArn, subnetIds, vpcId } = await bridge(0);
      const targetGroupArn = await suite.world.targetGroup('many-443', vpcId, 443);
      const neighbour = await suite.world.loadBalancer('web-2', 'application', subnetIds);
      const enis = await suite.world.loadBalancerEnis(albArn, subnetIds, 300);
      await suite.world.loadBalancerEnis(neighbour, subnetIds, 300);
      await suite.world.enis(subnetIds, 300, (index) => `unrelated interface ${index}`);

      // Act
      const summary = await handler({ LoadBalancerArn: albArn, TargetGroupArns: [targetGroupArn] });

      // Assess
      expect(summary.albIps).toHaveLength(300);
      expect(await suite.world.targets(targetGroupArn)).toEqual(onPort(enis, 443));
      expect(sentTargets('RegisterTargets').map((ips) => ips.length)).toEqual([100, 100, 100]);
    },
    budgetFor({ motoCall: 1_000 }),
  );

  it('rides out throttling with the SDK default retries', async () => {
    const { event, enis, targetGroupArn } = await bridge(2);
    let throttled = 0;
    suite.proxy.inject((call) => {
      if (call.action !== 'RegisterTargets' || throttled > 0) return undefined;
      throttled += 1;
      return { status: 400, body: queryErrorBody('Throttling', 'Rate exceeded') };
    });

    await handler(event);

    expect(writes()).toEqual(['RegisterTargets', 'RegisterTargets']);
    expect(await suite.world.targets(targetGroupArn)).toEqual(onPort(enis, 443));
  });

  it('keeps syncing the other target groups when one is missing, then fails', async () => {
    const { event, enis, targetGroupArn } = await bridge(2);
    const missing = targetGroupArn.replace(/[0-9a-f]{16}$/, '0123456789abcdef');

    const error = await failureOf(
      handler({ ...event, TargetGroupArns: [missing, targetGroupArn] }),
    );

    expect(error.message).toContain(
      `1 of 2 target group(s) failed to sync: ${missing}: TargetGroupArns: got "${missing}"; expected an existing target group`,
    );
    expect(await suite.world.targets(targetGroupArn)).toEqual(onPort(enis, 443));
  });

  it('stops before the Lambda timeout when AWS hangs, and writes nothing after', async () => {
    // Prepare: 3 s left, so the run stops 300 ms before the end (a tenth of what is left)
    const { event, targetGroupArn } = await bridge(2);
    suite.proxy.inject((call) => (call.action === 'DescribeTargetHealth' ? 'stall' : undefined));

    // Act
    const started = performance.now();
    const error = await failureOf(suite.handler(event, lambdaContext(3_000)));
    const stoppedAfter = performance.now() - started;
    const stoppedAt = performance.now();
    suite.proxy.inject(undefined);
    suite.proxy.releaseStalled();
    await new Promise((resolve) => setTimeout(resolve, 500));

    // Assess
    expect(error.message).toContain(
      "The run was stopped before the Lambda function's timeout; nothing more is written",
    );
    expect(stoppedAfter).toBeLessThan(3_000);
    expect(suite.proxy.calls.filter((call) => call.at > stoppedAt)).toEqual([]);
    expect(await suite.world.targets(targetGroupArn)).toEqual([]);
  });

  describe('bad input changes nothing', () => {
    it('rejects a malformed binding before any AWS call', async () => {
      const { event } = await bridge(1);

      const error = await failureOf(handler({ ...event, TargetGroupArns: ['web-static-443'] }));

      expect(error.message).toBe(
        'Invalid input: TargetGroupArns[0]: got "web-static-443"; expected a target group ARN, arn:aws:elasticloadbalancing:REGION:ACCOUNT:targetgroup/NAME/ID (ID: 16 hex digits)',
      );
      expect(suite.proxy.calls).toHaveLength(0);
    });

    it('rejects a network load balancer, whatever its ARN says', async () => {
      // moto writes app/ in every load balancer ARN: the type must come from the API
      const { event, subnetIds } = await bridge(1);
      const nlbArn = await suite.world.loadBalancer('web-nlb', 'network', subnetIds);
      expect(nlbArn).toContain(':loadbalancer/app/');

      const error = await failureOf(handler({ ...event, LoadBalancerArn: nlbArn }));

      expect(error.message).toBe(
        `LoadBalancerArn: got "${nlbArn}", which is a Network Load Balancer; expected an Application Load Balancer`,
      );
      // The groups were read beside the check; nothing was discovered or written
      expect(suite.proxy.actions()).not.toContain('DescribeNetworkInterfaces');
      expect(writes()).toEqual([]);
    });

    it('rejects a load balancer that does not exist', async () => {
      const { event, albArn } = await bridge(1);
      const gone = albArn.replace(/[0-9a-f]{16}$/, '0123456789abcdef');

      const error = await failureOf(handler({ ...event, LoadBalancerArn: gone }));

      expect(error.message).toContain(
        `LoadBalancerArn: got "${gone}"; expected an existing load balancer`,
      );
      expect(writes()).toEqual([]);
    });

    it('rejects an instance target group and writes nothing', async () => {
      const { event, vpcId } = await bridge(1);
      const instanceGroup = await suite.world.targetGroup('instances', vpcId, 443, 'instance');

      const error = await failureOf(handler({ ...event, TargetGroupArns: [instanceGroup] }));

      expect(error.message).toContain(`${instanceGroup} has target type "instance"; expected "ip"`);
      expect(writes()).toEqual([]);
    });
  });
});
