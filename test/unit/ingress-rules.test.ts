import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ExistingRule,
  type IngressRule,
  ingressRules,
  ownersDescription,
  ownersOf,
  planRuleChanges,
} from '../../functions/nlb-private-ips/ingress-rules.js';

// The ALB security group's rules, shared between the resources that need them: a rule names its
// owners in its description, and goes only when its last owner no longer needs it.

const A = '4b3a29180f7e6d5c';
const B = '0d1e2f3a4b5c6d7e';
const C = 'aaaabbbbccccdddd';

function rule(
  ruleId: string,
  cidr: string,
  port: number,
  description?: string,
  protocol = 'tcp',
): ExistingRule {
  return {
    ruleId,
    cidr,
    fromPort: port,
    toPort: port,
    protocol,
    ...(description === undefined ? {} : { description }),
  };
}

const wantedFor = (ips: string[], ports: number[]): IngressRule[] => ingressRules(ips, ports, '');

describe('Function: ingressRules', () => {
  it('makes one SecurityGroupIngress rule per IP and port, by port then address', () => {
    expect(ingressRules(['10.0.16.5', '10.0.0.9'], [443, 80], 'd')).toEqual([
      { IpProtocol: 'tcp', CidrIp: '10.0.0.9/32', FromPort: 80, ToPort: 80, Description: 'd' },
      { IpProtocol: 'tcp', CidrIp: '10.0.16.5/32', FromPort: 80, ToPort: 80, Description: 'd' },
      { IpProtocol: 'tcp', CidrIp: '10.0.0.9/32', FromPort: 443, ToPort: 443, Description: 'd' },
      { IpProtocol: 'tcp', CidrIp: '10.0.16.5/32', FromPort: 443, ToPort: 443, Description: 'd' },
    ]);
  });
});

describe('Function: ownersOf and ownersDescription', () => {
  it('writes the owners once each, in order, and reads them back', () => {
    const description = ownersDescription([B, A, B]);

    expect(description).toBe(`alb-static-ip owners ${[A, B].sort().join(' ')}`);
    expect(ownersOf(description)).toEqual([A, B].sort());
  });

  it("reads the one owner of a rule an earlier version made, from its physical id's end", () => {
    expect(
      ownersOf(`Made by alb-static-ip nlb-private-ips/NlbPrivateIps/${A} in stack web-static-ip`),
    ).toEqual([A]);
  });

  it.each([
    ['no description', undefined],
    ['a description of its own', 'office VPN'],
    ['the prefix and nothing after it', 'alb-static-ip owners'],
    ['an owner that is not 16 hex digits', 'alb-static-ip owners 123'],
    ['text after the owners', `alb-static-ip owners ${A} and more`],
    ['text before the prefix', `x alb-static-ip owners ${A}`],
    [
      'an old description with a short id',
      'Made by alb-static-ip nlb-private-ips/N/0123 in stack s',
    ],
    ['text before an old description', `x Made by alb-static-ip nlb-private-ips/N/${A} in stack s`],
    ['text after an old description', `Made by alb-static-ip nlb-private-ips/N/${A} in stack s x`],
  ])('takes a rule with %s as not made by this project', (_, description) => {
    expect(ownersOf(description)).toBeUndefined();
  });

  it('fits within the 255 characters of a rule description, and says so when it cannot', () => {
    const owners = Array.from({ length: 13 }, (_, index) => index.toString(16).padStart(16, '0'));

    expect(ownersDescription(owners).length).toBeLessThanOrEqual(255);
    expect(ownersDescription([...owners, owners[0] ?? ''])).toBe(ownersDescription(owners));
    expect(() => ownersDescription([...owners, 'ffffffffffffffff'])).toThrow(
      'A security group rule can name at most 13 owners in its description; 14 resources need the same rule',
    );
  });
});

describe('Function: planRuleChanges', () => {
  it('authorizes what is missing, with itself as the owner, and revokes what only it needed', () => {
    // Prepare
    const wanted = wantedFor(['10.0.0.1', '10.0.0.2'], [443]);
    const existing = [
      rule('sgr-kept', '10.0.0.1/32', 443, ownersDescription([A])),
      rule('sgr-stale', '10.0.0.1/32', 80, ownersDescription([A])),
      rule('sgr-theirs', '10.0.0.7/32', 80, 'added by hand'),
      rule('sgr-theirs-no-description', '0.0.0.0/0', 443),
    ];

    // Act
    const changes = planRuleChanges(wanted, existing, A);

    // Assess
    expect(changes).toEqual({
      authorize: [{ ...wanted[1], Description: `alb-static-ip owners ${A}` }],
      redescribe: [],
      revoke: ['sgr-stale'],
    });
  });

  it('joins a rule another resource made, instead of asking for a duplicate', () => {
    const existing = [rule('sgr-shared', '10.0.0.1/32', 443, ownersDescription([B]))];

    const changes = planRuleChanges(wantedFor(['10.0.0.1'], [443]), existing, A);

    expect(changes).toEqual({
      authorize: [],
      redescribe: [{ rule: existing[0], description: ownersDescription([A, B]) }],
      revoke: [],
    });
  });

  it.each([
    ['before', 0],
    ['after', 1],
  ])(
    'joins the rule this project made when someone else made one on the same key %s it',
    (_, at) => {
      // Prepare
      const shared = rule('sgr-shared', '10.0.0.1/32', 443, ownersDescription([B]));
      const existing = [rule('sgr-theirs', '10.0.0.1/32', 443, 'hand')];
      existing.splice(at, 0, shared);

      // Act
      const changes = planRuleChanges(wantedFor(['10.0.0.1'], [443]), existing, A);

      // Assess
      expect(changes).toEqual({
        authorize: [],
        redescribe: [{ rule: shared, description: ownersDescription([A, B]) }],
        revoke: [],
      });
    },
  );

  it('leaves a shared rule it no longer needs to the other owners', () => {
    const shared = rule('sgr-shared', '10.0.0.1/32', 443, ownersDescription([A, B, C]));

    const changes = planRuleChanges([], [shared], A);

    expect(changes).toEqual({
      authorize: [],
      redescribe: [{ rule: shared, description: ownersDescription([B, C]) }],
      revoke: [],
    });
  });

  it('revokes a rule an earlier version made for it alone, and joins one made for another', () => {
    const old = (owner: string) =>
      `Made by alb-static-ip nlb-private-ips/NlbIps/${owner} in stack s`;
    const existing = [
      rule('sgr-mine', '10.0.0.9/32', 443, old(A)),
      rule('sgr-other', '10.0.0.1/32', 443, old(B)),
    ];

    const changes = planRuleChanges(wantedFor(['10.0.0.1'], [443]), existing, A);

    expect(changes).toEqual({
      authorize: [],
      redescribe: [{ rule: existing[1], description: ownersDescription([A, B]) }],
      revoke: ['sgr-mine'],
    });
  });

  it('relies on a wanted rule that someone else made, and never changes it', () => {
    const theirs = rule('sgr-theirs', '10.0.0.1/32', 443, 'hand');

    expect(planRuleChanges(wantedFor(['10.0.0.1'], [443]), [theirs], A)).toEqual({
      authorize: [],
      redescribe: [],
      revoke: [],
    });
    expect(planRuleChanges([], [theirs], A)).toEqual({ authorize: [], redescribe: [], revoke: [] });
  });

  it('does not take a UDP rule on the same address and port for the wanted TCP rule', () => {
    const udp = rule('sgr-udp', '10.0.0.1/32', 443, ownersDescription([B]), 'udp');

    const changes = planRuleChanges(wantedFor(['10.0.0.1'], [443]), [udp], A);

    expect(changes.authorize).toEqual([
      expect.objectContaining({ CidrIp: '10.0.0.1/32', FromPort: 443 }),
    ]);
    expect(changes.redescribe).toEqual([]);
  });

  it('leaves a UDP rule it owns even when the TCP rule on that address and port is wanted', () => {
    const existing = [
      rule('sgr-udp', '10.0.0.1/32', 443, ownersDescription([A]), 'udp'),
      rule('sgr-tcp', '10.0.0.1/32', 443, ownersDescription([A])),
    ];

    expect(planRuleChanges(wantedFor(['10.0.0.1'], [443]), existing, A)).toEqual({
      authorize: [],
      redescribe: [],
      revoke: ['sgr-udp'],
    });
  });

  describe('as properties over any group', () => {
    const cidrs = ['10.0.0.1/32', '10.0.0.2/32', '10.0.0.3/32'];
    const ports = [80, 443];
    const owners = [A, B, C];
    const existingRule = fc.record({
      cidr: fc.constantFrom(...cidrs),
      port: fc.constantFrom(...ports),
      protocol: fc.constantFrom('tcp', 'tcp', 'udp'),
      description: fc.oneof(
        fc.constant(undefined),
        fc.constant('added by hand'),
        fc.subarray(owners, { minLength: 1 }).map((some) => ownersDescription(some)),
      ),
    });
    const scenario = fc.record({
      existing: fc
        .array(existingRule, { maxLength: 8 })
        .map((rules) =>
          rules.map((r, index) => rule(`sgr-${index}`, r.cidr, r.port, r.description, r.protocol)),
        ),
      wanted: fc.subarray(
        cidrs.flatMap((cidr) => ports.map((port) => [cidr, port] as const)),
        { minLength: 0 },
      ),
      owner: fc.constantFrom(...owners),
    });
    const toWanted = (pairs: readonly (readonly [string, number])[]) =>
      pairs.map(([cidr, port]) => ({
        IpProtocol: 'tcp' as const,
        CidrIp: cidr,
        FromPort: port,
        ToPort: port,
        Description: '',
      }));

    /** The group after the changes: rules authorized, descriptions changed, revoked ones gone. */
    function applied(
      existing: readonly ExistingRule[],
      changes: ReturnType<typeof planRuleChanges>,
    ) {
      const after = existing
        .filter((r) => !changes.revoke.includes(r.ruleId))
        .map((r) => {
          const change = changes.redescribe.find((c) => c.rule.ruleId === r.ruleId);
          return change === undefined ? r : { ...r, description: change.description };
        });
      return [
        ...after,
        ...changes.authorize.map((a, index) =>
          rule(`sgr-new-${index}`, a.CidrIp, a.FromPort, a.Description),
        ),
      ];
    }

    it('never revokes or changes a rule that is not this project’s, or that others still need', () => {
      fc.assert(
        fc.property(scenario, ({ existing, wanted, owner }) => {
          const changes = planRuleChanges(toWanted(wanted), existing, owner);
          for (const ruleId of changes.revoke) {
            const revoked = existing.find((r) => r.ruleId === ruleId);
            expect(ownersOf(revoked?.description)).toEqual([owner]);
          }
          for (const { rule: changed, description } of changes.redescribe) {
            const before = ownersOf(changed.description) ?? [];
            const after = ownersOf(description) ?? [];
            expect(before.length).toBeGreaterThan(0);
            expect(after.filter((o) => o !== owner)).toEqual(before.filter((o) => o !== owner));
          }
        }),
      );
    });

    it('leaves every wanted rule present, and this owner on exactly the shared rules it wants', () => {
      fc.assert(
        fc.property(scenario, ({ existing, wanted, owner }) => {
          const after = applied(existing, planRuleChanges(toWanted(wanted), existing, owner));
          for (const [cidr, port] of wanted) {
            const present = after.filter(
              (r) => r.protocol === 'tcp' && r.cidr === cidr && r.fromPort === port,
            );
            expect(present.length).toBeGreaterThan(0);
          }
          for (const r of after) {
            const isWanted =
              r.protocol === 'tcp' &&
              wanted.some(([cidr, port]) => cidr === r.cidr && port === r.fromPort);
            if (!isWanted) expect(ownersOf(r.description) ?? []).not.toContain(owner);
          }
        }),
      );
    });

    it('is done after one pass: planning again changes nothing', () => {
      fc.assert(
        fc.property(scenario, ({ existing, wanted, owner }) => {
          const once = applied(existing, planRuleChanges(toWanted(wanted), existing, owner));
          expect(planRuleChanges(toWanted(wanted), once, owner)).toEqual({
            authorize: [],
            redescribe: [],
            revoke: [],
          });
        }),
      );
    });
  });
});
