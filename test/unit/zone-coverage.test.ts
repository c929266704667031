import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LoadBalancerEni } from '../../functions/shared/load-balancer-enis.js';
import { planTargetChanges } from '../../functions/target-group-sync/plan.js';
import {
  enabledZonesOf,
  ipsOutsideZones,
  ipWithZone,
} from '../../functions/target-group-sync/zone-coverage.js';

const NLB_A =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/a/1111111111111111';
const NLB_B =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/b/2222222222222222';

const zoned = (
  privateIp: string,
  availabilityZone: string,
  vpcId = 'vpc-nlb',
): LoadBalancerEni => ({
  networkInterfaceId: `eni-${privateIp}`,
  privateIp,
  vpcId,
  availabilityZone,
});

describe('Function: enabledZonesOf', () => {
  it('gives the zones of every load balancer of the group, each once and sorted', () => {
    // Prepare
    const zones = new Map([
      [NLB_A, ['us-east-1b', 'us-east-1a']],
      [NLB_B, ['us-east-1c', 'us-east-1a']],
    ]);

    // Act
    const enabled = enabledZonesOf([NLB_A, NLB_B], zones);

    // Assess
    expect(enabled).toEqual(['us-east-1a', 'us-east-1b', 'us-east-1c']);
  });

  it('knows no zones for a group attached to no load balancer', () => {
    expect(enabledZonesOf([], new Map([[NLB_A, ['us-east-1a']]]))).toBeUndefined();
  });

  it('knows no zones when one of the load balancers was not described', () => {
    expect(enabledZonesOf([NLB_A, NLB_B], new Map([[NLB_A, ['us-east-1a']]]))).toBeUndefined();
  });

  it('knows a load balancer that reported no zone as serving none', () => {
    expect(enabledZonesOf([NLB_A], new Map([[NLB_A, []]]))).toEqual([]);
  });
});

describe('Function: ipsOutsideZones', () => {
  it('lists the IPs inside the VPC whose zone is not enabled, in the order given', () => {
    // Prepare
    const discovered = [
      zoned('10.0.32.9', 'us-east-1c'),
      zoned('10.0.0.5', 'us-east-1a'),
      zoned('10.0.48.5', 'us-east-1d'),
      zoned('10.0.16.5', 'us-east-1b'),
    ];

    // Act
    const outside = ipsOutsideZones(discovered, 'vpc-nlb', ['us-east-1a', 'us-east-1b']);

    // Assess
    expect(outside).toEqual([zoned('10.0.32.9', 'us-east-1c'), zoned('10.0.48.5', 'us-east-1d')]);
  });

  it('never lists an IP outside the VPC: it is registered for all zones', () => {
    const outside = ipsOutsideZones([zoned('172.16.32.5', 'us-east-1c', 'vpc-peered')], 'vpc-nlb', [
      'us-east-1a',
    ]);

    expect(outside).toEqual([]);
  });

  it('lists every IP inside the VPC when no zone is enabled', () => {
    const discovered = [zoned('10.0.0.5', 'us-east-1a'), zoned('10.0.16.5', 'us-east-1b')];

    expect(ipsOutsideZones(discovered, 'vpc-nlb', [])).toEqual(discovered);
  });
});

describe('Function: ipWithZone', () => {
  it('names the IP, then its zone in brackets', () => {
    expect(ipWithZone(zoned('10.0.32.5', 'us-east-1c'))).toBe('10.0.32.5 (us-east-1c)');
  });
});

const ZONES = ['us-east-1a', 'us-east-1b', 'us-east-1c'];

describe('Property: zone coverage', () => {
  it('lists an ALB IP as outside exactly when it is neither registered for all zones nor in an enabled zone', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.record({
            privateIp: fc.constantFrom(...Array.from({ length: 10 }, (_, i) => `10.0.0.${i + 1}`)),
            vpcId: fc.constantFrom('vpc-nlb', 'vpc-peered'),
            availabilityZone: fc.constantFrom(...ZONES),
          }),
          { selector: (ip) => ip.privateIp },
        ),
        fc.subarray(ZONES),
        (discovered, enabledZones) => {
          // Act: the plan decides which targets are registered for all zones
          const plan = planTargetChanges(discovered, [], {
            targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/t/1',
            port: 443,
            vpcId: 'vpc-nlb',
          });
          const outside = new Set(ipsOutsideZones(discovered, 'vpc-nlb', enabledZones));

          // Assess
          const forAllZones = new Set(
            plan.kind === 'changes'
              ? plan.register.filter((t) => t.availabilityZone === 'all').map((t) => t.id)
              : [],
          );
          for (const ip of discovered) {
            const servedFromAllZones = forAllZones.has(ip.privateIp);
            const inEnabledZone = enabledZones.includes(ip.availabilityZone);
            expect(outside.has(ip)).toBe(!servedFromAllZones && !inEnabledZone);
          }
        },
      ),
    );
  });
});
