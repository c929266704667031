import { describe, expect, it } from 'vitest';
import { CREATE_FAILED_MARKER } from '../../functions/shared/custom-resource.js';
import { compareIps } from '../../functions/shared/ip-order.js';
import {
  type CustomResourceAnswer,
  emulatorSuite,
  sendRequest,
} from '../support/emulator-suite.js';
import type { EventName } from '../support/events.js';
import { loadEvent } from '../support/events.js';
import { failureOf } from '../support/failure-of.js';
import { lambdaContext } from '../support/lambda-context.js';
import { queryErrorBody } from '../support/recording-proxy.js';

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

  it("admits every private IP of the NLB's interfaces, secondary ones too, and no lookalike's", async () => {
    // Prepare: the NLB's secondary IPv4 addresses (two on its first interface), and an interface
    // someone made with the NLB's exact description
    const network = await suite.world.network();
    const nlbArn = await suite.world.loadBalancer('web-static-ip', 'network', network.subnetIds);
    const [first, second] = await suite.world.loadBalancerEnis(nlbArn, network.subnetIds, 2);
    const [subnetA = '', subnetB = ''] = network.subnetIds;
    const secondary = await suite.world.secondaryIps(first ?? { id: '', ip: '' }, subnetA, 2);
    const lookalike = await suite.world.lookalikeEni(nlbArn, subnetB);

    // Act
    const answer = await request('nlb-private-ips-create', {
      LoadBalancerArn: nlbArn,
      ReturnIngressRules: 'false',
    });

    // Assess
    expect(answer.Status).toBe('SUCCESS');
    expect(answer.Data?.PrivateIps).toEqual(
      [first?.ip ?? '', second?.ip ?? '', ...secondary].sort(compareIps),
    );
    expect(answer.Data?.PrivateIps).not.toContain(lookalike.ip);
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
    await suite.world.eni(subnetIds[0] ?? '', 'ELB net/web-static-ip/ffffffffffffffff', 'elb');
    // The same id but for its last digit, which is changed, never kept (an id may end in 0).
    const lastDigit = id.at(-1) === '0' ? '1' : '0';
    await suite.world.eni(
      subnetIds[0] ?? '',
      `ELB app/web-static-ip/${id.slice(0, -1)}${lastDigit}`,
      'elb',
    );

    const answer = await request('nlb-private-ips-create', { LoadBalancerArn: nlbArn });

    expect(answer.Data?.PrivateIps).toEqual(ips);
  });

  describe('SecurityGroupId mode', () => {
    it('authorizes one rule per IP and port, naming itself as owner, and leaves others alone', async () => {
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
      const ours = `alb-static-ip owners ${answer.PhysicalResourceId.slice(-16)}`;
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
      const ours = `alb-static-ip owners ${created.PhysicalResourceId.slice(-16)}`;
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

    it('a failed move to another security group answers with the id it had, not a new one', async () => {
      // Prepare: the group to move to does not exist
      const { nlbArn, albGroup } = await nlb();
      const created = await request('nlb-private-ips-create', {
        LoadBalancerArn: nlbArn,
        SecurityGroupId: albGroup,
      });

      // Act
      const updated = await request(
        'nlb-private-ips-update',
        { LoadBalancerArn: nlbArn, SecurityGroupId: 'sg-0123456789abcdef0' },
        {
          PhysicalResourceId: created.PhysicalResourceId,
          OldResourceProperties: { LoadBalancerArn: nlbArn, SecurityGroupId: albGroup },
        },
      );

      // Assess: the same id, so CloudFormation sees no replacement to clean up after
      expect(updated).toMatchObject({
        Status: 'FAILED',
        PhysicalResourceId: created.PhysicalResourceId,
      });
    });

    it('a move that fails after writing takes back its own rules before it answers', async () => {
      // Prepare: another resource holds the NLB's 443 rules in the group to move to; the move
      // wants 443 and 8443, so it authorizes 8443 and then fails to share the 443 rules
      const { nlbArn, albGroup, vpcId, ips } = await nlb();
      const other = await suite.world.securityGroup('web-alb-2', vpcId);
      const neighbour = await request(
        'nlb-private-ips-create',
        { LoadBalancerArn: nlbArn, SecurityGroupId: other, Ports: ['443'] },
        { LogicalResourceId: 'OtherNlbPrivateIps' },
      );
      const before = await suite.world.ingress(other);
      const created = await request('nlb-private-ips-create', {
        LoadBalancerArn: nlbArn,
        SecurityGroupId: albGroup,
      });
      suite.proxy.inject((call) =>
        call.action === 'ModifySecurityGroupRules'
          ? { status: 400, body: queryErrorBody('InvalidParameterValue', 'injected') }
          : undefined,
      );

      // Act
      const updated = await request(
        'nlb-private-ips-update',
        { LoadBalancerArn: nlbArn, SecurityGroupId: other, Ports: ['443', '8443'] },
        {
          PhysicalResourceId: created.PhysicalResourceId,
          OldResourceProperties: { LoadBalancerArn: nlbArn, SecurityGroupId: albGroup },
        },
      );
      suite.proxy.inject(undefined);

      // Assess: the 8443 rules it authorized are revoked; the neighbour's rules are as they were
      expect(neighbour.Status).toBe('SUCCESS');
      expect(updated).toMatchObject({
        Status: 'FAILED',
        PhysicalResourceId: created.PhysicalResourceId,
      });
      const authorized = suite.proxy.actions().filter((a) => a === 'AuthorizeSecurityGroupIngress');
      expect(authorized.length).toBeGreaterThan(0);
      expect(before).toHaveLength(ips.length);
      expect(await suite.world.ingress(other)).toEqual(before);
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

      expect(answer).toMatchObject({
        Status: 'FAILED',
        PhysicalResourceId: expect.stringMatching(/^nlb-private-ips\/NlbPrivateIps\/[0-9a-f]{16}$/),
      });
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
    expect(answer.Reason).toMatch(
      /exceed the 4096-byte limit.*Set SecurityGroupId.*Or set ReturnIngressRules to false/,
    );
    expect(Buffer.byteLength(suite.receiver.received.at(-1)?.body ?? '')).toBeLessThanOrEqual(4096);
  });

  it('with ReturnIngressRules false, answers only the IPs and CIDRs, reading no listener, whatever the ports', async () => {
    const { nlbArn, ips } = await nlb();

    const answer = await request('nlb-private-ips-create', {
      LoadBalancerArn: nlbArn,
      ReturnIngressRules: 'false',
    });

    expect(answer.Status).toBe('SUCCESS');
    expect(answer.Data).toEqual({ PrivateIps: ips, Cidrs: ips.map((ip) => `${ip}/32`) });
    expect(suite.proxy.actions()).not.toContain('DescribeListeners');
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

  it('refuses an event that is not a custom resource request, saying it cannot answer it', async () => {
    const error = await failureOf(suite.handler({ LoadBalancerArn: 'x' }, lambdaContext()));
    expect(error.message).toContain(
      'a custom resource request without a usable ResponseURL cannot be answered; RequestType: got nothing',
    );
    expect(suite.proxy.calls).toHaveLength(0);
  });

  it('answers FAILED to a request with an unknown RequestType, naming it', async () => {
    // Prepare
    const patched = {
      ...loadEvent('nlb-private-ips-create'),
      RequestType: 'Patch',
      ResponseURL: suite.receiver.url,
    };

    // Act
    await suite.handler(patched, lambdaContext());

    // Assess
    expect(suite.receiver.received).toHaveLength(1);
    expect(suite.receiver.received[0]?.json).toMatchObject({
      Status: 'FAILED',
      Reason: expect.stringMatching(
        /^Invalid request: RequestType: got "Patch"; expected Create, Update or Delete/,
      ),
    });
    expect(suite.proxy.calls).toHaveLength(0);
  });

  describe('ownership: rules shared between resources', () => {
    const OTHER_STACK =
      'arn:aws:cloudformation:us-east-1:123456789012:stack/other-stack/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
    const owner = (answer: { PhysicalResourceId: string }) => answer.PhysicalResourceId.slice(-16);

    it('joins the rules another resource made, and keeps them when that one is deleted (a rename)', async () => {
      // Prepare: the template renamed NlbPrivateIps to AlbIngress; the new one is created first
      const { nlbArn, ips, albGroup } = await nlb();
      const properties = { LoadBalancerArn: nlbArn, SecurityGroupId: albGroup, Ports: [443] };
      const old = await request('nlb-private-ips-create', properties);
      suite.proxy.clear();
      const renamed = await request('nlb-private-ips-create', properties, {
        LogicalResourceId: 'AlbIngress',
      });
      const joined = suite.proxy.actions().filter((action) => !action.startsWith('Describe'));

      // Act
      await request('nlb-private-ips-delete', properties, {
        PhysicalResourceId: old.PhysicalResourceId,
      });

      // Assess
      expect(joined).toEqual(['ModifySecurityGroupRules']);
      expect(await suite.world.ingress(albGroup)).toEqual(
        ips.map((ip) => `${ip}/32:443 alb-static-ip owners ${owner(renamed)}`).sort(),
      );
    });

    it.each([
      ['this stack first', ['this', 'other']],
      ['the other stack first', ['other', 'this']],
    ])(
      'two stacks needing the same rules: deleting %s revokes them only with the last',
      async (_, order) => {
        // Prepare
        const { nlbArn, ips, albGroup } = await nlb();
        await suite.world.allow(albGroup, '192.168.0.0/16', 443, 'office');
        const properties = { LoadBalancerArn: nlbArn, SecurityGroupId: albGroup, Ports: [443] };
        const ids = {
          this: (await request('nlb-private-ips-create', properties)).PhysicalResourceId,
          other: (await request('nlb-private-ips-create', properties, { StackId: OTHER_STACK }))
            .PhysicalResourceId,
        };
        const both = [ids.this.slice(-16), ids.other.slice(-16)].sort().join(' ');
        const shared = await suite.world.ingress(albGroup);
        const remove = (which: 'this' | 'other') =>
          request('nlb-private-ips-delete', properties, {
            PhysicalResourceId: ids[which],
            ...(which === 'other' ? { StackId: OTHER_STACK } : {}),
          });
        const [first, second] = order as ['this' | 'other', 'this' | 'other'];

        // Act
        await remove(first);
        const afterFirst = await suite.world.ingress(albGroup);
        await remove(second);

        // Assess
        expect(shared).toEqual(
          [
            '192.168.0.0/16:443 office',
            ...ips.map((ip) => `${ip}/32:443 alb-static-ip owners ${both}`),
          ].sort(),
        );
        expect(afterFirst).toEqual(
          [
            '192.168.0.0/16:443 office',
            ...ips.map((ip) => `${ip}/32:443 alb-static-ip owners ${ids[second].slice(-16)}`),
          ].sort(),
        );
        expect(await suite.world.ingress(albGroup)).toEqual(['192.168.0.0/16:443 office']);
      },
    );

    it.each([
      ['garbage', () => 'not-an-id'],
      ['the id of another logical id', (id: string) => id.replace('/NlbPrivateIps/', '/Other/')],
    ])('a Delete whose id is %s changes nothing', async (_, idFrom) => {
      // Prepare
      const { nlbArn, albGroup } = await nlb();
      const properties = { LoadBalancerArn: nlbArn, SecurityGroupId: albGroup };
      const created = await request('nlb-private-ips-create', properties);
      const rules = await suite.world.ingress(albGroup);
      suite.proxy.clear();

      // Act
      const deleted = await request('nlb-private-ips-delete', properties, {
        PhysicalResourceId: idFrom(created.PhysicalResourceId),
      });

      // Assess
      expect(deleted.Status).toBe('SUCCESS');
      expect(suite.proxy.calls).toHaveLength(0);
      expect(await suite.world.ingress(albGroup)).toEqual(rules);
    });
  });

  describe('the deadline bounds everything', () => {
    const FUNCTION_TIMEOUT_MS = 3_000;
    const SETTLE_MS = 500;

    it('answers FAILED before the timeout when AWS hangs, and authorizes nothing after', async () => {
      // Prepare: reading the group's rules hangs until the test lets it through
      const { nlbArn, albGroup } = await nlb();
      suite.proxy.inject((call) =>
        call.action === 'DescribeSecurityGroupRules' ? 'stall' : undefined,
      );

      // Act
      const started = performance.now();
      const answer = await request(
        'nlb-private-ips-create',
        { LoadBalancerArn: nlbArn, SecurityGroupId: albGroup },
        { remainingMs: FUNCTION_TIMEOUT_MS },
      );
      const returnedAfter = performance.now() - started;
      const answeredAt = suite.receiver.attempts[0]?.at ?? 0;
      suite.proxy.inject(undefined);
      suite.proxy.releaseStalled();
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));

      // Assess
      expect(answer).toMatchObject({
        Status: 'FAILED',
        Reason: expect.stringContaining("did not finish before the Lambda function's timeout"),
      });
      expect(returnedAfter).toBeLessThan(FUNCTION_TIMEOUT_MS);
      expect(
        suite.proxy.calls.filter((call) => call.at > answeredAt).map((call) => call.action),
      ).toEqual([]);
      expect(await suite.world.ingress(albGroup)).toEqual([]);
    });
  });
});
