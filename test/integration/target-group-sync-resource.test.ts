import { describe, expect, it } from 'vitest';
import { compareIps } from '../../functions/shared/ip-order.js';
import type { Eni } from '../support/aws-world.js';
import { emulatorSuite, sendRequest } from '../support/emulator-suite.js';
import type { EventName } from '../support/events.js';
import { loadEvent } from '../support/events.js';
import { lambdaContext } from '../support/lambda-context.js';

// target-group-sync as a CloudFormation custom resource: the real handler against moto, with a
// loopback receiver standing in for CloudFormation's presigned response URL.
const suite = emulatorSuite(() => import('../../functions/target-group-sync/index.js'));

const onPort = (enis: readonly Eni[], port: number) =>
  enis.map((eni) => `${eni.ip}:${port}`).sort();
const writes = () =>
  suite.proxy
    .actions()
    .filter((action) => action === 'RegisterTargets' || action === 'DeregisterTargets');

/** An ALB with three interfaces and two IP target groups (443 and 80). */
async function bridge() {
  const network = await suite.world.network();
  const albArn = await suite.world.loadBalancer('web', 'application', network.subnetIds);
  const https = await suite.world.targetGroup('web-static-443', network.vpcId, 443);
  const http = await suite.world.targetGroup('web-static-80', network.vpcId, 80);
  const enis = await suite.world.loadBalancerEnis(albArn, network.subnetIds, 3);
  return { ...network, albArn, https, http, enis };
}

const request = (
  name: Extract<EventName, `target-group-sync-${string}`>,
  properties: Record<string, unknown>,
  extra?: Parameters<typeof sendRequest>[3],
) => sendRequest(suite, name, properties, extra);

describe('Integration: target-group-sync as a custom resource', () => {
  it('Create fills the target groups before it answers SUCCESS', async () => {
    // Prepare
    const { albArn, https, http, enis } = await bridge();

    // Act
    const answer = await request('target-group-sync-create', {
      LoadBalancerArn: albArn,
      TargetGroupArns: [https, http],
      DryRun: 'false',
    });

    // Assess
    expect(answer).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: expect.stringMatching(
        /^target-group-sync\/TargetGroupSync\/[0-9a-f]{16}$/,
      ),
      Data: { AlbIpCount: 3, Registered: 6, Deregistered: 0 },
    });
    expect(suite.receiver.received).toHaveLength(1);
    expect(await suite.world.targets(https)).toEqual(onPort(enis, 443));
    expect(await suite.world.targets(http)).toEqual(onPort(enis, 80));
  });

  it('Update adding a target group keeps the id and fills the new group', async () => {
    const { albArn, https, http, enis } = await bridge();
    const created = await request('target-group-sync-create', {
      LoadBalancerArn: albArn,
      TargetGroupArns: [https],
    });

    const updated = await request(
      'target-group-sync-update',
      { LoadBalancerArn: albArn, TargetGroupArns: [https, http] },
      {
        PhysicalResourceId: created.PhysicalResourceId,
        OldResourceProperties: { LoadBalancerArn: albArn, TargetGroupArns: [https] },
      },
    );

    expect(updated).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: created.PhysicalResourceId,
    });
    expect(await suite.world.targets(http)).toEqual(onPort(enis, 80));
    expect(await suite.world.targets(https)).toEqual(onPort(enis, 443));
  });

  it('Update dropping a target group deregisters the ALB IPs from it, and only from it', async () => {
    const { albArn, https, http, enis } = await bridge();
    const created = await request('target-group-sync-create', {
      LoadBalancerArn: albArn,
      TargetGroupArns: [https, http],
    });

    const updated = await request(
      'target-group-sync-update',
      { LoadBalancerArn: albArn, TargetGroupArns: [https] },
      {
        PhysicalResourceId: created.PhysicalResourceId,
        OldResourceProperties: { LoadBalancerArn: albArn, TargetGroupArns: [https, http] },
      },
    );

    expect(updated.Status).toBe('SUCCESS');
    expect(await suite.world.targets(http)).toEqual([]);
    expect(await suite.world.targets(https)).toEqual(onPort(enis, 443));
  });

  it('Update to another load balancer replaces the resource (a new id)', async () => {
    const { albArn, https, subnetIds } = await bridge();
    const otherAlb = await suite.world.loadBalancer('web-next', 'application', subnetIds);
    const otherEnis = await suite.world.loadBalancerEnis(otherAlb, subnetIds, 2);
    const created = await request('target-group-sync-create', {
      LoadBalancerArn: albArn,
      TargetGroupArns: [https],
    });

    const updated = await request(
      'target-group-sync-update',
      { LoadBalancerArn: otherAlb, TargetGroupArns: [https] },
      {
        PhysicalResourceId: created.PhysicalResourceId,
        OldResourceProperties: { LoadBalancerArn: albArn, TargetGroupArns: [https] },
      },
    );

    expect(updated.Status).toBe('SUCCESS');
    expect(updated.PhysicalResourceId).not.toBe(created.PhysicalResourceId);
    expect(await suite.world.targets(https)).toEqual(onPort(otherEnis, 443));
  });

  it('a failed Update to another load balancer answers with the id it had, not a new one', async () => {
    // Prepare: the ALB to move to has no network interface, so its sync fails
    const { albArn, https, subnetIds, enis } = await bridge();
    const bareAlb = await suite.world.loadBalancer('web-next', 'application', subnetIds);
    const created = await request('target-group-sync-create', {
      LoadBalancerArn: albArn,
      TargetGroupArns: [https],
    });

    // Act
    const updated = await request(
      'target-group-sync-update',
      { LoadBalancerArn: bareAlb, TargetGroupArns: [https] },
      {
        PhysicalResourceId: created.PhysicalResourceId,
        OldResourceProperties: { LoadBalancerArn: albArn, TargetGroupArns: [https] },
      },
    );

    // Assess: the same id, so CloudFormation sees no replacement to clean up after
    expect(updated).toMatchObject({
      Status: 'FAILED',
      PhysicalResourceId: created.PhysicalResourceId,
      Reason: expect.stringContaining('discovery found no IP address for the load balancer'),
    });
    expect(await suite.world.targets(https)).toEqual(onPort(enis, 443));
    // No Delete will come for the id the Update minted: its owner tag is gone, and the Create's
    // is the group's only owner again
    const owners = (await suite.world.tags(https)).filter((tag) =>
      tag.startsWith('alb-static-ip:owner:'),
    );
    expect(owners).toHaveLength(1);
    expect(owners[0]).toContain(`alb-static-ip:owner:${created.PhysicalResourceId?.slice(-16)}=`);
  });

  it('Create fails, writing no target, when a peered ALB has IPs a group cannot take from outside its VPC', async () => {
    // Prepare: the group in 10.1.0.0/16, the ALB in a peered VPC in 100.128.0.0/16, just past
    // 100.64.0.0/10
    const nlbSide = await suite.world.network('10.1');
    const albSide = await suite.world.network('100.128');
    const albArn = await suite.world.loadBalancer('peered', 'application', albSide.subnetIds);
    const group = await suite.world.targetGroup('peered-443', nlbSide.vpcId, 443);
    const enis = await suite.world.loadBalancerEnis(albArn, albSide.subnetIds, 2);

    // Act
    const answer = await request('target-group-sync-create', {
      LoadBalancerArn: albArn,
      TargetGroupArns: [group],
    });

    // Assess
    const ips = enis
      .map((eni) => eni.ip)
      .sort(compareIps)
      .map((ip) => `${ip} (${albSide.vpcId})`);
    expect(answer.Status).toBe('FAILED');
    expect(answer.Reason).toContain(
      `target group ${group} is in ${nlbSide.vpcId}, and Elastic Load Balancing registers an IP target from outside a target group's VPC only in 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 or 100.64.0.0/10; got ALB IPs outside it in none of those: ${ips.join(', ')}; nothing was written`,
    );
    expect(writes()).toEqual([]);
    expect(await suite.world.targets(group)).toEqual([]);
  });

  it('Delete deregisters the ALB IPs and leaves other targets alone', async () => {
    // Prepare: a target someone else registered shares the group
    const { albArn, https, http } = await bridge();
    const created = await request('target-group-sync-create', {
      LoadBalancerArn: albArn,
      TargetGroupArns: [https, http],
    });
    await suite.world.register(https, [{ id: '10.0.99.99', port: 443 }]);

    // Act
    const deleted = await request(
      'target-group-sync-delete',
      { LoadBalancerArn: albArn, TargetGroupArns: [https, http] },
      { PhysicalResourceId: created.PhysicalResourceId },
    );

    // Assess
    expect(deleted).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: created.PhysicalResourceId,
    });
    expect(await suite.world.targets(https)).toEqual(['10.0.99.99:443']);
    expect(await suite.world.targets(http)).toEqual([]);
  });

  it('Delete succeeds when a target group is already gone', async () => {
    const { albArn, https, http } = await bridge();
    const created = await request('target-group-sync-create', {
      LoadBalancerArn: albArn,
      TargetGroupArns: [https, http],
    });
    await suite.world.deleteTargetGroup(http);

    const deleted = await request(
      'target-group-sync-delete',
      { LoadBalancerArn: albArn, TargetGroupArns: [https, http] },
      { PhysicalResourceId: created.PhysicalResourceId },
    );

    expect(deleted.Status).toBe('SUCCESS');
    expect(await suite.world.targets(https)).toEqual([]);
  });

  it('a failed Create fails the deployment with the reason; its rollback Delete succeeds', async () => {
    // Prepare: the group does not exist
    const { albArn, https } = await bridge();
    const missing = https.replace(/[0-9a-f]{16}$/, '0123456789abcdef');

    // Act
    const created = await request('target-group-sync-create', {
      LoadBalancerArn: albArn,
      TargetGroupArns: [missing],
    });
    const deleted = await request(
      'target-group-sync-delete',
      { LoadBalancerArn: albArn, TargetGroupArns: [missing] },
      { PhysicalResourceId: created.PhysicalResourceId },
    );

    // Assess
    expect(created).toMatchObject({
      Status: 'FAILED',
      PhysicalResourceId: expect.stringMatching(
        /^target-group-sync\/TargetGroupSync\/[0-9a-f]{16}$/,
      ),
      Reason: expect.stringContaining(
        `TargetGroupArns: got "${missing}"; expected an existing target group`,
      ),
    });
    expect(deleted).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: created.PhysicalResourceId,
    });
    expect(writes()).toEqual([]);
  });

  it('a Create that failed halfway leaves nothing behind once CloudFormation rolls it back', async () => {
    // Prepare: the second group cannot hold IPs, so the sync fails after filling the first
    const { albArn, https, vpcId } = await bridge();
    const instances = await suite.world.targetGroup('web-instances', vpcId, 80, 'instance');
    const properties = { LoadBalancerArn: albArn, TargetGroupArns: [https, instances] };

    // Act
    const created = await request('target-group-sync-create', properties);
    const filledBeforeRollback = await suite.world.targets(https);
    const deleted = await request('target-group-sync-delete', properties, {
      PhysicalResourceId: created.PhysicalResourceId,
    });

    // Assess
    expect(created.Status).toBe('FAILED');
    expect(filledBeforeRollback).toHaveLength(3);
    expect(deleted.Status).toBe('SUCCESS');
    expect(await suite.world.targets(https)).toEqual([]);
    expect(await suite.world.tags(https)).toEqual([]);
    expect(await suite.world.tags(instances)).toEqual([]);
  });

  it('bad properties answer FAILED, naming the property and value, before any AWS call', async () => {
    const { albArn } = await bridge();

    const answer = await request('target-group-sync-create', {
      LoadBalancerArn: albArn,
      TargetGroupArns: ['web-static-443'],
    });

    expect(answer.Status).toBe('FAILED');
    expect(answer.Reason).toMatch(
      /^Invalid input: TargetGroupArns\[0\]: got "web-static-443"; expected a target group ARN/,
    );
    expect(suite.proxy.calls).toHaveLength(0);
  });

  it('Create fails when no ALB network interface is found, rather than leave the groups empty', async () => {
    const network = await suite.world.network();
    const albArn = await suite.world.loadBalancer('bare', 'application', network.subnetIds);
    const group = await suite.world.targetGroup('bare-443', network.vpcId, 443);

    const answer = await request('target-group-sync-create', {
      LoadBalancerArn: albArn,
      TargetGroupArns: [group],
    });

    expect(answer.Status).toBe('FAILED');
    expect(answer.Reason).toMatch(
      /Found no network interface described "ELB app\/bare\/[0-9a-f]{16}"/,
    );
    expect(writes()).toEqual([]);
  });

  it("Create registers only Elastic Load Balancing's interfaces, never a lookalike", async () => {
    // Prepare: someone made an interface with the ALB's exact description before the deploy
    const { albArn, https, enis, subnetIds } = await bridge();
    const lookalike = await suite.world.lookalikeEni(albArn, subnetIds[0] ?? '');

    // Act
    const answer = await request('target-group-sync-create', {
      LoadBalancerArn: albArn,
      TargetGroupArns: [https],
    });

    // Assess
    expect(answer).toMatchObject({ Status: 'SUCCESS', Data: { AlbIpCount: 3, Registered: 3 } });
    expect(await suite.world.targets(https)).toEqual(onPort(enis, 443));
    expect(await suite.world.targets(https)).not.toContain(`${lookalike.ip}:443`);
  });

  it('Create fails, registering nothing, when only lookalikes carry the description, and says so', async () => {
    const network = await suite.world.network();
    const albArn = await suite.world.loadBalancer('bare', 'application', network.subnetIds);
    const group = await suite.world.targetGroup('bare-443', network.vpcId, 443);
    await suite.world.lookalikeEni(albArn, network.subnetIds[0] ?? '');
    await suite.world.lookalikeEni(albArn, network.subnetIds[1] ?? '');

    const answer = await request('target-group-sync-create', {
      LoadBalancerArn: albArn,
      TargetGroupArns: [group],
    });

    expect(answer.Status).toBe('FAILED');
    expect(answer.Reason).toMatch(
      /Found no network interface described "ELB app\/bare\/[0-9a-f]{16}" that Elastic Load Balancing created \(2 with that description were created by someone else, and are never registered\), so the target groups would stay empty/,
    );
    expect(suite.proxy.actions().filter((action) => action === 'RegisterTargets')).toEqual([]);
    expect(await suite.world.targets(group)).toEqual([]);
  });

  describe('the zones the NLB serves', () => {
    /** An ALB in zones a, b and c with interfaces in `zones`, and an NLB in a and b only. */
    async function zonedBridge(zones: readonly number[]) {
      const { subnetIds, albArn, nlbArn, targetGroupArn } = await suite.world.bridgeMissingZoneC();
      const enis: Eni[] = [];
      for (const zone of zones) {
        enis.push(await suite.world.loadBalancerEni(albArn, subnetIds[zone] ?? ''));
      }
      return { albArn, nlbArn, https: targetGroupArn, enis };
    }

    it('Create fails when every ALB IP is in a zone the NLB does not serve; its rollback cleans up', async () => {
      // Prepare: both ALB interfaces in zone c
      const { albArn, nlbArn, https, enis } = await zonedBridge([2, 2]);
      const properties = { LoadBalancerArn: albArn, TargetGroupArns: [https] };

      // Act
      const created = await request('target-group-sync-create', properties);
      const nlbDescribed = suite.proxy.calls.some(
        (call) =>
          call.action === 'DescribeLoadBalancers' &&
          call.params.get('LoadBalancerArns.member.1') === nlbArn,
      );
      const deleted = await request('target-group-sync-delete', properties, {
        PhysicalResourceId: created.PhysicalResourceId,
      });

      // Assess
      const [first, second] = enis as [Eni, Eni];
      expect(created).toMatchObject({
        Status: 'FAILED',
        Reason: expect.stringContaining(
          `${https}: its load balancer has enabled us-east-1a, us-east-1b, and all 2 ALB IP(s) are elsewhere: ${first.ip} (us-east-1c), ${second.ip} (us-east-1c)`,
        ),
      });
      expect(nlbDescribed).toBe(true);
      expect(deleted.Status).toBe('SUCCESS');
      expect(await suite.world.targets(https)).toEqual([]);
    });

    it('Create succeeds when one ALB IP is in a zone the NLB serves', async () => {
      // Prepare: one interface in zone a, one in zone c
      const { albArn, nlbArn, https, enis } = await zonedBridge([0, 2]);

      // Act
      const created = await request('target-group-sync-create', {
        LoadBalancerArn: albArn,
        TargetGroupArns: [https],
      });

      // Assess: it did check the NLB's zones
      expect(created).toMatchObject({ Status: 'SUCCESS', Data: { AlbIpCount: 2, Registered: 2 } });
      expect(
        suite.proxy.calls.filter(
          (call) =>
            call.action === 'DescribeLoadBalancers' &&
            call.params.get('LoadBalancerArns.member.1') === nlbArn,
        ),
      ).toHaveLength(1);
      expect(await suite.world.targets(https)).toEqual(onPort(enis, 443));
    });
  });

  it('a dry-run resource writes nothing on Create or Delete', async () => {
    const { albArn, https } = await bridge();
    const properties = { LoadBalancerArn: albArn, TargetGroupArns: [https], DryRun: 'true' };

    const created = await request('target-group-sync-create', properties);
    await request('target-group-sync-delete', properties, {
      PhysicalResourceId: created.PhysicalResourceId,
    });

    expect(created).toMatchObject({ Status: 'SUCCESS', Data: { AlbIpCount: 3, Registered: 0 } });
    expect(writes()).toEqual([]);
  });

  describe('ownership: a Delete releases only its share of the target groups', () => {
    const ownerOf = (answer: { PhysicalResourceId: string }) =>
      `alb-static-ip:owner:${answer.PhysicalResourceId.slice(-16)}`;
    const OTHER_STACK =
      'arn:aws:cloudformation:us-east-1:123456789012:stack/other-stack/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

    it('records itself on each group it fills, naming its stack and logical id', async () => {
      const { albArn, https, http } = await bridge();

      const created = await request('target-group-sync-create', {
        LoadBalancerArn: albArn,
        TargetGroupArns: [https, http],
      });

      for (const group of [https, http]) {
        expect(await suite.world.tags(group)).toEqual([
          `${ownerOf(created)}=web-static-ip/TargetGroupSync`,
        ]);
      }
    });

    it('keeps the targets when a renamed resource deletes its old logical id', async () => {
      // Prepare: the template renamed TargetGroupSync to Sync; CloudFormation creates the new one,
      // which finds the targets in place, and then deletes the old one.
      const { albArn, https, enis } = await bridge();
      const properties = { LoadBalancerArn: albArn, TargetGroupArns: [https] };
      const old = await request('target-group-sync-create', properties);
      const renamed = await request('target-group-sync-create', properties, {
        LogicalResourceId: 'Sync',
      });

      // Act
      const oldDeleted = await request('target-group-sync-delete', properties, {
        PhysicalResourceId: old.PhysicalResourceId,
      });

      // Assess
      expect([old.Status, renamed.Status, oldDeleted.Status]).toEqual([
        'SUCCESS',
        'SUCCESS',
        'SUCCESS',
      ]);
      expect(renamed.Data).toMatchObject({ Registered: 0 });
      expect(await suite.world.targets(https)).toEqual(onPort(enis, 443));
      expect(await suite.world.tags(https)).toEqual([`${ownerOf(renamed)}=web-static-ip/Sync`]);
    });

    it.each([
      ['this stack first', ['this', 'other']],
      ['the other stack first', ['other', 'this']],
    ])(
      'two stacks adopting the same groups: deleting %s keeps the targets until the last goes',
      async (_, order) => {
        // Prepare
        const { albArn, https, http, enis } = await bridge();
        const properties = { LoadBalancerArn: albArn, TargetGroupArns: [https, http] };
        const ids = {
          this: (await request('target-group-sync-create', properties)).PhysicalResourceId,
          other: (await request('target-group-sync-create', properties, { StackId: OTHER_STACK }))
            .PhysicalResourceId,
        };
        const stacks = { this: undefined, other: OTHER_STACK };
        const remove = (which: 'this' | 'other') =>
          request('target-group-sync-delete', properties, {
            PhysicalResourceId: ids[which],
            ...(stacks[which] ? { StackId: stacks[which] } : {}),
          });
        const [first, second] = order as ['this' | 'other', 'this' | 'other'];

        // Act
        const firstDeleted = await remove(first);
        const afterFirst = await suite.world.targets(https);
        const secondDeleted = await remove(second);

        // Assess
        expect([firstDeleted.Status, secondDeleted.Status]).toEqual(['SUCCESS', 'SUCCESS']);
        expect(afterFirst).toEqual(onPort(enis, 443));
        expect(await suite.world.targets(https)).toEqual([]);
        expect(await suite.world.targets(http)).toEqual([]);
        expect(await suite.world.tags(https)).toEqual([]);
      },
    );

    it('an Update dropping a group that another resource also owns leaves its targets', async () => {
      // Prepare
      const { albArn, https, http, enis } = await bridge();
      const both = { LoadBalancerArn: albArn, TargetGroupArns: [https, http] };
      const created = await request('target-group-sync-create', both);
      await request(
        'target-group-sync-create',
        { LoadBalancerArn: albArn, TargetGroupArns: [http] },
        {
          LogicalResourceId: 'HttpSync',
        },
      );

      // Act
      await request(
        'target-group-sync-update',
        { LoadBalancerArn: albArn, TargetGroupArns: [https] },
        { PhysicalResourceId: created.PhysicalResourceId, OldResourceProperties: both },
      );

      // Assess
      expect(await suite.world.targets(http)).toEqual(onPort(enis, 80));
      expect(await suite.world.tags(http)).toEqual([
        expect.stringMatching(/^alb-static-ip:owner:[0-9a-f]{16}=web-static-ip\/HttpSync$/),
      ]);
    });

    it.each([
      ['garbage', () => 'not-an-id'],
      ['the id of another logical id', (id: string) => id.replace('/TargetGroupSync/', '/Other/')],
      ['the failed-Create marker', () => 'alb-static-ip:create-failed'],
    ])('a Delete whose id is %s changes nothing', async (_, idFrom) => {
      // Prepare
      const { albArn, https, enis } = await bridge();
      const properties = { LoadBalancerArn: albArn, TargetGroupArns: [https] };
      const created = await request('target-group-sync-create', properties);
      const tags = await suite.world.tags(https);
      suite.proxy.clear();

      // Act
      const deleted = await request('target-group-sync-delete', properties, {
        PhysicalResourceId: idFrom(created.PhysicalResourceId),
      });

      // Assess
      expect(deleted.Status).toBe('SUCCESS');
      expect(suite.proxy.calls).toHaveLength(0);
      expect(await suite.world.targets(https)).toEqual(onPort(enis, 443));
      expect(await suite.world.tags(https)).toEqual(tags);
    });
  });

  describe('the deadline bounds everything', () => {
    const FUNCTION_TIMEOUT_MS = 3_000;
    /** Time for writes that would follow a released call to reach the proxy, were they sent. */
    const SETTLE_MS = 500;
    const settle = () => new Promise((resolve) => setTimeout(resolve, SETTLE_MS));

    it('answers FAILED before the timeout when AWS hangs, and writes nothing after the answer', async () => {
      // Prepare: every DescribeTargetHealth hangs until the test lets it through
      const { albArn, https, http } = await bridge();
      suite.proxy.inject((call) => (call.action === 'DescribeTargetHealth' ? 'stall' : undefined));

      // Act
      const started = performance.now();
      const answer = await request(
        'target-group-sync-create',
        { LoadBalancerArn: albArn, TargetGroupArns: [https, http] },
        { remainingMs: FUNCTION_TIMEOUT_MS },
      );
      const returnedAfter = performance.now() - started;
      const answeredAt = suite.receiver.attempts[0]?.at ?? 0;
      suite.proxy.inject(undefined);
      suite.proxy.releaseStalled();
      await settle();

      // Assess
      expect(answer).toMatchObject({
        Status: 'FAILED',
        Reason: expect.stringContaining(
          "The Create did not finish before the Lambda function's timeout",
        ),
      });
      expect(returnedAfter).toBeLessThan(FUNCTION_TIMEOUT_MS);
      expect(
        suite.proxy.calls.filter((call) => call.at > answeredAt).map((call) => call.action),
      ).toEqual([]);
      expect(await suite.world.targets(https)).toEqual([]);
    });

    it('returns before the timeout when the ResponseURL hangs, having tried within the time', async () => {
      // Prepare
      const { albArn, https } = await bridge();
      suite.receiver.answerNext(...Array<'stall'>(20).fill('stall'));

      // Act
      const started = performance.now();
      await suite.handler(
        {
          ...loadEvent('target-group-sync-create'),
          ResponseURL: suite.receiver.url,
          ResourceProperties: { LoadBalancerArn: albArn, TargetGroupArns: [https] },
        },
        lambdaContext(FUNCTION_TIMEOUT_MS),
      );
      const returnedAfter = performance.now() - started;

      // Assess
      expect(suite.receiver.attempts.length).toBeGreaterThan(0);
      expect(returnedAfter).toBeLessThan(FUNCTION_TIMEOUT_MS);
    });
  });
});
