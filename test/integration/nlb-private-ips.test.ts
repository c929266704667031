import { describe, expect, it } from 'vitest';
import { CREATE_FAILED_MARKER } from '../../functions/shared/custom-resource.js';
import { compareIps } from '../../functions/shared/ip-order.js';
import {
  type CustomResourceAnswer,
  emulatorSuite,
  sendRequest,
} from '../support/emulator-suite.js';
import type { EventName } from '../support/events.js';
import { failureOf } from '../support/failure-of.js';
import { lambdaContext } from '../support/lambda-context.js';

// nlb-private-ips: the real function against moto, with a loopback receiver standing in for
// CloudFormation's presigned response URL.
const suite = emulatorSuite(() => import('../../functions/nlb-private-ips/index.js'));
const request = (
  name: Extract<EventName, `nlb-private-ips-${string}`>,
  properties: Record<string, unknown>,
  extra?: Parameters<typeof sendRequest>[3],
) =>
  sendRequest(suite, name, properties, extra) as Promise<
    CustomResourceAnswer & {
      Data?: { PrivateIps?: string[]; Cidrs?: string[]; IngressRules?: Record<string, unknown>[] };
    }
  >;

/** An NLB with one interface per zone, listeners on 443 and 80, and an ALB security group. */
async function nlb() {
  const network = await suite.world.network();
  const nlbArn = await suite.world.loadBalancer('web-static-ip', 'network', network.subnetIds);
  const enis = await suite.world.loadBalancerEnis(nlbArn, network.subnetIds, 2);
  const group = await suite.world.targetGroup('web-static-443', network.vpcId, 443);
  await suite.world.listener(nlbArn, 443, group);
  await suite.world.listener(nlbArn, 80, group);
  const albGroup = await suite.world.securityGroup('web-alb', network.vpcId);
  const ips = enis.map((eni) => eni.ip).sort(compareIps);
  return { ...network, nlbArn, ips, albGroup };
}

describe('Integration: nlb-private-ips', () => {
  it('answers the private IPs, their CIDRs and ingress rules for the listener ports', async () => {
    // Prepare
    const { nlbArn, ips } = await nlb();

    // Act
    const answer = await request('nlb-private-ips-create', { LoadBalancerArn: nlbArn });

    // Assess
    expect(answer.Status).toBe('SUCCESS');
    expect(answer.Data?.PrivateIps).toEqual(ips);
    expect(answer.Data?.Cidrs).toEqual(ips.map((ip) => `${ip}/32`));
    expect(answer.Data?.IngressRules).toEqual(
      [80, 443].flatMap((port) =>
        ips.map((ip) => ({
          IpProtocol: 'tcp',
          CidrIp: `${ip}/32`,
          FromPort: port,
          ToPort: port,
          Description: 'From NLB web-static-ip private IP (alb-static-ip)',
        })),
      ),
    );
    expect(answer.PhysicalResourceId).toMatch(/^nlb-private-ips\/NlbPrivateIps\/[0-9a-f]{16}$/);
  });

  it('uses the given Ports instead of the listeners', async () => {
    const { nlbArn, ips } = await nlb();

    const answer = await request('nlb-private-ips-create', {
      LoadBalancerArn: nlbArn,
      Ports: ['8443'],
    });

    expect(answer.Data?.IngressRules?.map((rule) => rule.FromPort)).toEqual(ips.map(() => 8443));
    expect(suite.proxy.actions()).not.toContain('DescribeListeners');
  });

  it('does not catch neighbour load balancers', async () => {
    const { nlbArn, ips, subnetIds } = await nlb();
    const neighbour = await suite.world.loadBalancer('web-static-ip-2', 'network', subnetIds);
    await suite.world.loadBalancerEnis(neighbour, subnetIds, 2);
    const id = nlbArn.split('/').at(-1) ?? '';
    await suite.world.eni(subnetIds[0] ?? '', 'ELB net/web-static-ip/ffffffffffffffff');
    await suite.world.eni(subnetIds[0] ?? '', `ELB app/web-static-ip/${id.slice(0, -1)}0`);

    const answer = await request('nlb-private-ips-create', { LoadBalancerArn: nlbArn });

    expect(answer.Data?.PrivateIps).toEqual(ips);
  });

  describe('SecurityGroupId mode', () => {
    it('authorizes one rule per IP and port, saying who made it, and leaves others alone', async () => {
      // Prepare: a rule someone else made, and one that duplicates a rule we want
      const { nlbArn, ips, albGroup } = await nlb();
      await suite.world.allow(albGroup, '192.168.0.0/16', 443, 'office');
      await suite.world.allow(albGroup, `${ips[0]}/32`, 443, 'added by hand earlier');

      // Act
      const answer = await request('nlb-private-ips-create', {
        LoadBalancerArn: nlbArn,
        SecurityGroupId: albGroup,
      });

      // Assess
      expect(answer.Status).toBe('SUCCESS');
      expect(answer.Data).toEqual({ PrivateIps: ips, Cidrs: ips.map((ip) => `${ip}/32`) });
      const ours = `Made by alb-static-ip ${answer.PhysicalResourceId} in stack web-static-ip`;
      expect(await suite.world.ingress(albGroup)).toEqual(
        [
          '192.168.0.0/16:443 office',
          `${ips[0]}/32:443 added by hand earlier`,
          `${ips[0]}/32:80 ${ours}`,
          `${ips[1]}/32:443 ${ours}`,
          `${ips[1]}/32:80 ${ours}`,
        ].sort(),
      );
    });

    it('replaces its rules on Update, new ones first, and revokes only its own on Delete', async () => {
      // Prepare
      const { nlbArn, ips, albGroup } = await nlb();
      await suite.world.allow(albGroup, '192.168.0.0/16', 443, 'office');
      const created = await request('nlb-private-ips-create', {
        LoadBalancerArn: nlbArn,
        SecurityGroupId: albGroup,
        Ports: [443],
      });
      const ours = `Made by alb-static-ip ${created.PhysicalResourceId} in stack web-static-ip`;
      suite.proxy.clear();

      // Act: move from 443 to 8443
      const updated = await request(
        'nlb-private-ips-update',
        { LoadBalancerArn: nlbArn, SecurityGroupId: albGroup, Ports: ['8443'] },
        {
          PhysicalResourceId: created.PhysicalResourceId,
          OldResourceProperties: {
            LoadBalancerArn: nlbArn,
            SecurityGroupId: albGroup,
            Ports: [443],
          },
        },
      );
      const afterUpdate = await suite.world.ingress(albGroup);
      const writes = suite.proxy
        .actions()
        .filter((action) => /^(Authorize|Revoke)SecurityGroupIngress$/.test(action));
      const deleted = await request(
        'nlb-private-ips-delete',
        { LoadBalancerArn: nlbArn, SecurityGroupId: albGroup, Ports: ['8443'] },
        { PhysicalResourceId: created.PhysicalResourceId },
      );

      // Assess
      expect(updated).toMatchObject({
        Status: 'SUCCESS',
        PhysicalResourceId: created.PhysicalResourceId,
      });
      expect(writes).toEqual(['AuthorizeSecurityGroupIngress', 'RevokeSecurityGroupIngress']);
      expect(afterUpdate).toEqual(
        ['192.168.0.0/16:443 office', ...ips.map((ip) => `${ip}/32:8443 ${ours}`)].sort(),
      );
      expect(deleted.Status).toBe('SUCCESS');
      expect(await suite.world.ingress(albGroup)).toEqual(['192.168.0.0/16:443 office']);
    });

    it('moving to another security group is a replacement with a new id', async () => {
      const { nlbArn, albGroup, vpcId } = await nlb();
      const other = await suite.world.securityGroup('web-alb-2', vpcId);
      const created = await request('nlb-private-ips-create', {
        LoadBalancerArn: nlbArn,
        SecurityGroupId: albGroup,
      });

      const updated = await request(
        'nlb-private-ips-update',
        { LoadBalancerArn: nlbArn, SecurityGroupId: other },
        {
          PhysicalResourceId: created.PhysicalResourceId,
          OldResourceProperties: { LoadBalancerArn: nlbArn, SecurityGroupId: albGroup },
        },
      );

      expect(updated.Status).toBe('SUCCESS');
      expect(updated.PhysicalResourceId).not.toBe(created.PhysicalResourceId);
      expect(await suite.world.ingress(other)).toHaveLength(4);
    });

    it('Delete succeeds when the security group is already gone', async () => {
      const { nlbArn, albGroup } = await nlb();
      const created = await request('nlb-private-ips-create', {
        LoadBalancerArn: nlbArn,
        SecurityGroupId: albGroup,
      });
      await suite.world.deleteSecurityGroup(albGroup);

      const deleted = await request(
        'nlb-private-ips-delete',
        { LoadBalancerArn: nlbArn, SecurityGroupId: albGroup },
        { PhysicalResourceId: created.PhysicalResourceId },
      );

      expect(deleted.Status).toBe('SUCCESS');
    });
  });

  describe('bad input answers FAILED, naming the property and the value', () => {
    it('an application load balancer instead of a network one', async () => {
      const { subnetIds } = await nlb();
      const albArn = await suite.world.loadBalancer('web', 'application', subnetIds);

      const answer = await request('nlb-private-ips-create', { LoadBalancerArn: albArn });

      expect(answer).toMatchObject({ Status: 'FAILED', PhysicalResourceId: CREATE_FAILED_MARKER });
      expect(answer.Reason).toContain(
        `LoadBalancerArn: got "${albArn}", which is an Application Load Balancer; expected a Network Load Balancer`,
      );
    });

    it('no load balancer ARN', async () => {
      const answer = await request('nlb-private-ips-create', { Ports: [443] });
      expect(answer.Reason).toMatch(
        /^Invalid input: LoadBalancerArn: got nothing; expected a Network Load Balancer ARN/,
      );
      expect(suite.proxy.calls).toHaveLength(0);
    });

    it('a port like "http"', async () => {
      const { nlbArn } = await nlb();
      const answer = await request('nlb-private-ips-create', {
        LoadBalancerArn: nlbArn,
        Ports: ['http'],
      });
      expect(answer.Reason).toMatch(
        /^Invalid input: Ports\[0\]: got "http"; expected a port number from 1 to 65535/,
      );
      expect(suite.proxy.calls).toHaveLength(0);
    });
  });

  it('answers FAILED, recommending SecurityGroupId, when the attributes would not fit', async () => {
    const { nlbArn } = await nlb();
    const ports = Array.from({ length: 40 }, (_, index) => 10_000 + index);

    const answer = await request('nlb-private-ips-create', {
      LoadBalancerArn: nlbArn,
      Ports: ports,
    });

    expect(answer.Status).toBe('FAILED');
    expect(answer).not.toHaveProperty('Data');
    expect(answer.Reason).toMatch(/exceed the 4096-byte limit.*Set SecurityGroupId/);
    expect(Buffer.byteLength(suite.receiver.received.at(-1)?.body ?? '')).toBeLessThanOrEqual(4096);
  });

  it('deletes after a failed Create without touching anything', async () => {
    const { albGroup } = await nlb();
    const created = await request('nlb-private-ips-create', {
      LoadBalancerArn: 'nope',
      SecurityGroupId: albGroup,
    });
    suite.proxy.clear();

    const deleted = await request(
      'nlb-private-ips-delete',
      { LoadBalancerArn: 'nope', SecurityGroupId: albGroup },
      { PhysicalResourceId: created.PhysicalResourceId },
    );

    expect(created).toMatchObject({ Status: 'FAILED', PhysicalResourceId: CREATE_FAILED_MARKER });
    expect(deleted).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: CREATE_FAILED_MARKER });
    expect(suite.proxy.calls).toHaveLength(0);
  });

  it('refuses an event that is not a custom resource request', async () => {
    const error = await failureOf(suite.handler({ LoadBalancerArn: 'x' }, lambdaContext()));
    expect(error.message).toContain('expected a CloudFormation custom resource request');
  });
});
