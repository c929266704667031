import { describe, expect, it } from 'vitest';
import { CREATE_FAILED_MARKER } from '../../functions/shared/custom-resource.js';
import type { Eni } from '../support/aws-world.js';
import { emulatorSuite, sendRequest } from '../support/emulator-suite.js';
import type { EventName } from '../support/events.js';

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

  it('a failed Create fails the deployment with the reason, and its Delete touches nothing', async () => {
    // Prepare: one of the groups does not exist
    const { albArn, https } = await bridge();
    const missing = https.replace(/[0-9a-f]{16}$/, '0123456789abcdef');

    // Act
    const created = await request('target-group-sync-create', {
      LoadBalancerArn: albArn,
      TargetGroupArns: [missing],
    });
    suite.proxy.clear();
    const deleted = await request(
      'target-group-sync-delete',
      { LoadBalancerArn: albArn, TargetGroupArns: [missing] },
      { PhysicalResourceId: created.PhysicalResourceId },
    );

    // Assess
    expect(created).toMatchObject({
      Status: 'FAILED',
      PhysicalResourceId: CREATE_FAILED_MARKER,
      Reason: expect.stringContaining(
        `TargetGroupArns: got "${missing}"; expected an existing target group`,
      ),
    });
    expect(deleted).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: CREATE_FAILED_MARKER });
    expect(suite.proxy.calls).toHaveLength(0);
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
});
