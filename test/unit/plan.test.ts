import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareIps } from '../../functions/shared/ip-order.js';
import {
  planTargetChanges,
  planTeardown,
  type RegisteredTarget,
  type Target,
  type TargetGroupFacts,
  targetKey,
  type WriteStep,
  writeSteps,
} from '../../functions/target-group-sync/plan.js';

const GROUP: TargetGroupFacts = {
  targetGroupArn:
    'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg/73e2d6bc24d8a067',
  port: 443,
  vpcId: 'vpc-nlb',
};

const inVpc = (...ips: string[]) => ips.map((privateIp) => ({ privateIp, vpcId: 'vpc-nlb' }));
const healthy = (...ips: string[]): RegisteredTarget[] =>
  ips.map((id) => ({ id, port: 443, state: 'healthy' }));

describe('Function: planTargetChanges', () => {
  it('registers every discovered IP on the target group port for an empty group', () => {
    const plan = planTargetChanges(inVpc('10.0.0.9', '10.0.0.10'), [], GROUP);
    expect(plan).toEqual({
      kind: 'changes',
      register: [
        { id: '10.0.0.9', port: 443 },
        { id: '10.0.0.10', port: 443 },
      ],
      deregister: [],
      unchanged: [],
    });
  });

  it('registers new IPs, deregisters stale ones and leaves the rest', () => {
    const plan = planTargetChanges(
      inVpc('10.0.0.1', '10.0.0.3'),
      healthy('10.0.0.1', '10.0.0.2'),
      GROUP,
    );
    expect(plan).toEqual({
      kind: 'changes',
      register: [{ id: '10.0.0.3', port: 443 }],
      deregister: [{ id: '10.0.0.2', port: 443 }],
      unchanged: [{ id: '10.0.0.1', port: 443 }],
    });
  });

  it('treats a target on another port as stale and the IP on the group port as missing', () => {
    const plan = planTargetChanges(inVpc('10.0.0.1'), [{ id: '10.0.0.1', port: 8443 }], GROUP);
    expect(plan).toMatchObject({
      register: [{ id: '10.0.0.1', port: 443 }],
      deregister: [{ id: '10.0.0.1', port: 8443 }],
    });
  });

  it('registers IPs outside the target group VPC with AvailabilityZone "all"', () => {
    const plan = planTargetChanges(
      [
        { privateIp: '172.16.0.5', vpcId: 'vpc-peered' },
        { privateIp: '10.0.0.5', vpcId: 'vpc-nlb' },
      ],
      [],
      GROUP,
    );
    expect(plan).toMatchObject({
      register: [
        { id: '10.0.0.5', port: 443 },
        { id: '172.16.0.5', port: 443, availabilityZone: 'all' },
      ],
    });
  });

  it('deregisters a target with the Availability Zone it was registered with', () => {
    const plan = planTargetChanges(
      inVpc('10.0.0.1'),
      [...healthy('10.0.0.1'), { id: '172.16.0.5', port: 443, availabilityZone: 'all' }],
      GROUP,
    );
    expect(plan).toMatchObject({
      deregister: [{ id: '172.16.0.5', port: 443, availabilityZone: 'all' }],
    });
  });

  it('does not count draining targets as registered', () => {
    const plan = planTargetChanges(
      inVpc('10.0.0.1', '10.0.0.2'),
      [
        { id: '10.0.0.1', port: 443, state: 'draining' },
        { id: '10.0.0.3', port: 443, state: 'draining' },
        ...healthy('10.0.0.2'),
      ],
      GROUP,
    );
    expect(plan).toEqual({
      kind: 'changes',
      register: [{ id: '10.0.0.1', port: 443 }],
      deregister: [],
      unchanged: [{ id: '10.0.0.2', port: 443 }],
    });
  });

  it('refuses to plan when discovery found nothing and the group has targets', () => {
    const plan = planTargetChanges([], healthy('10.0.0.1'), GROUP);
    expect(plan.kind).toBe('refused');
    expect(plan).toMatchObject({
      reason: expect.stringMatching(
        /discovery found no IP address .* has 1 target\(s\); nothing was written/,
      ),
      unchanged: [{ id: '10.0.0.1', port: 443 }],
    });
    expect(writeSteps(plan, 10)).toEqual([]);
  });

  it('refuses IPs outside the group VPC in no private range, naming them, the VPC and the ranges', () => {
    // Prepare: a peered ALB with two addresses ELB takes from outside the VPC and two it does not
    const discovered = [
      { privateIp: '172.16.0.5', vpcId: 'vpc-peered' },
      { privateIp: '52.95.110.1', vpcId: 'vpc-peered' },
      { privateIp: '100.64.0.5', vpcId: 'vpc-peered' },
      { privateIp: '100.128.0.5', vpcId: 'vpc-peered' },
    ];

    // Act
    const plan = planTargetChanges(discovered, healthy('10.0.0.2', '10.0.0.1'), GROUP);

    // Assess: nothing registered, nothing deregistered
    expect(plan).toEqual({
      kind: 'refused',
      reason: `target group ${GROUP.targetGroupArn} is in vpc-nlb, and Elastic Load Balancing registers an IP target from outside a target group's VPC only in 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 or 100.64.0.0/10; got ALB IPs outside it in none of those: 52.95.110.1 (vpc-peered), 100.128.0.5 (vpc-peered); nothing was written, since RegisterTargets would refuse them. Put the NLB and its target groups in the ALB's VPC, where any address of the VPC can be a target`,
      unchanged: [
        { id: '10.0.0.1', port: 443 },
        { id: '10.0.0.2', port: 443 },
      ],
    });
    expect(writeSteps(plan, 10)).toEqual([]);
  });

  it('names the first five IPs refused as outside the ranges, and counts the rest', () => {
    const discovered = Array.from({ length: 7 }, (_, i) => ({
      privateIp: `52.95.110.${i + 1}`,
      vpcId: 'vpc-peered',
    }));

    const plan = planTargetChanges(discovered, [], GROUP);

    expect(plan.kind === 'refused' && plan.reason).toContain(
      'in none of those: 52.95.110.1 (vpc-peered), 52.95.110.2 (vpc-peered), 52.95.110.3 (vpc-peered), 52.95.110.4 (vpc-peered), 52.95.110.5 (vpc-peered), and 2 more; nothing was written',
    );
  });

  it('has nothing to do when discovery found nothing and the group is empty', () => {
    expect(planTargetChanges([], [], GROUP)).toEqual({
      kind: 'changes',
      register: [],
      deregister: [],
      unchanged: [],
    });
  });

  it('lists stale, kept and refused targets by address, then port, whatever order ELB reported', () => {
    // Prepare: DescribeTargetHealth order, not address order
    const registered: RegisteredTarget[] = [
      { id: '10.0.0.1', port: 8443, state: 'healthy' },
      { id: '10.0.0.1', port: 443, state: 'healthy' },
      ...healthy('10.0.0.10', '10.0.0.9'),
    ];

    // Act
    const plan = planTargetChanges(inVpc('10.0.0.9', '10.0.0.10'), registered, GROUP);
    const refused = planTargetChanges([], registered, GROUP);

    // Assess
    expect(plan).toEqual({
      kind: 'changes',
      register: [],
      deregister: [
        { id: '10.0.0.1', port: 443 },
        { id: '10.0.0.1', port: 8443 },
      ],
      unchanged: [
        { id: '10.0.0.9', port: 443 },
        { id: '10.0.0.10', port: 443 },
      ],
    });
    expect(refused.unchanged.map(targetKey)).toEqual([
      '10.0.0.1:443',
      '10.0.0.1:8443',
      '10.0.0.9:443',
      '10.0.0.10:443',
    ]);
  });

  it('gives a target no Availability Zone key unless it was registered with one', () => {
    // Act
    const plan = planTargetChanges(
      inVpc('10.0.0.1'),
      [
        ...healthy('10.0.0.1', '10.0.0.2'),
        { id: '172.16.0.5', port: 443, availabilityZone: 'all' },
      ],
      GROUP,
    );

    // Assess: strict, so `availabilityZone: undefined` would not pass for a missing key
    expect(plan).toStrictEqual({
      kind: 'changes',
      register: [],
      deregister: [
        { id: '10.0.0.2', port: 443 },
        { id: '172.16.0.5', port: 443, availabilityZone: 'all' },
      ],
      unchanged: [{ id: '10.0.0.1', port: 443 }],
    });
  });

  it('orders targets by address, not text', () => {
    const plan = planTargetChanges(inVpc('10.0.0.10', '10.0.0.9', '9.0.0.1'), [], GROUP);
    expect(plan.kind === 'changes' && plan.register.map(targetKey)).toEqual([
      '9.0.0.1:443',
      '10.0.0.9:443',
      '10.0.0.10:443',
    ]);
  });
});

describe('Function: writeSteps', () => {
  it('chunks registers first, then deregisters', () => {
    const plan = planTargetChanges(
      inVpc('10.0.1.1', '10.0.1.2', '10.0.1.3'),
      healthy('10.0.2.1', '10.0.2.2'),
      GROUP,
    );
    expect(writeSteps(plan, 2).map((step) => [step.action, step.targets.map((t) => t.id)])).toEqual(
      [
        ['register', ['10.0.1.1', '10.0.1.2']],
        ['register', ['10.0.1.3']],
        ['deregister', ['10.0.2.1', '10.0.2.2']],
      ],
    );
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses a chunk size of %s', (size) => {
    expect(() => writeSteps(planTargetChanges([], [], GROUP), size)).toThrow(/chunkSize: got/);
  });
});

// Small pools so that discovered and registered sets overlap often.
const ipArbitrary = fc.constantFrom(...Array.from({ length: 12 }, (_, i) => `10.0.0.${i + 1}`));
const discoveredArbitrary = fc.uniqueArray(
  fc.record({ privateIp: ipArbitrary, vpcId: fc.constantFrom('vpc-nlb', 'vpc-peered') }),
  { selector: (d) => d.privateIp, maxLength: 10 },
);
const registeredArbitrary = fc.uniqueArray(
  fc.record({
    id: ipArbitrary,
    port: fc.constantFrom(443, 8443),
    state: fc.constantFrom('healthy', 'unhealthy', 'initial', 'draining', 'unused'),
  }),
  { selector: (t) => `${t.id}:${t.port}`, maxLength: 10 },
);
/** Discovered IPs, registered targets and a write chunk size. */
const scenarioArbitrary = fc.record({
  discovered: discoveredArbitrary,
  registered: registeredArbitrary,
  size: fc.integer({ min: 1, max: 4 }),
});

/** The group's live targets (draining ones are on their way out). */
const liveKeys = (registered: readonly RegisteredTarget[]) =>
  new Set(registered.filter((t) => t.state !== 'draining').map(targetKey));

/** Applies steps to a set of target keys the way ELB would, yielding the set after each step. */
function* simulate(start: Set<string>, steps: readonly WriteStep[]): Generator<Set<string>> {
  const state = new Set(start);
  for (const step of steps) {
    for (const target of step.targets) {
      if (step.action === 'register') state.add(targetKey(target));
      else state.delete(targetKey(target));
    }
    yield new Set(state);
  }
}

describe('Property: the reconcile plan', () => {
  it('converges to exactly the discovered IPs on the group port, or refuses without writing', () => {
    fc.assert(
      fc.property(scenarioArbitrary, ({ discovered, registered, size }) => {
        const plan = planTargetChanges(discovered, registered, GROUP);
        const states = [...simulate(liveKeys(registered), writeSteps(plan, size))];
        const final = states.at(-1) ?? liveKeys(registered);
        if (plan.kind === 'refused') {
          expect(discovered).toHaveLength(0);
          expect(states).toHaveLength(0);
        } else {
          expect([...final].sort()).toEqual(
            discovered.map(({ privateIp }) => `${privateIp}:443`).sort(),
          );
        }
      }),
    );
  });

  it('is idempotent: planning again after applying it changes nothing', () => {
    fc.assert(
      fc.property(scenarioArbitrary, ({ discovered, registered }) => {
        const plan = planTargetChanges(discovered, registered, GROUP);
        const after = [...simulate(liveKeys(registered), writeSteps(plan, 3))].at(-1);
        const afterTargets: RegisteredTarget[] = [...(after ?? liveKeys(registered))].map((key) => {
          const [id = '', port = '0'] = key.split(':');
          return { id, port: Number(port), state: 'healthy' };
        });
        const again = planTargetChanges(discovered, afterTargets, GROUP);
        expect(
          again.kind === 'refused' ||
            (again.register.length === 0 && again.deregister.length === 0),
        ).toBe(true);
      }),
    );
  });

  it('never deregisters before it has registered everything', () => {
    fc.assert(
      fc.property(scenarioArbitrary, ({ discovered, registered, size }) => {
        const actions = writeSteps(planTargetChanges(discovered, registered, GROUP), size).map(
          (step) => step.action,
        );
        const firstDeregister = actions.indexOf('deregister');
        if (firstDeregister >= 0) expect(actions.slice(firstDeregister)).not.toContain('register');
      }),
    );
  });

  it('never empties a group that has targets, at any step', () => {
    fc.assert(
      fc.property(scenarioArbitrary, ({ discovered, registered, size }) => {
        const start = liveKeys(registered);
        fc.pre(start.size > 0);
        for (const state of simulate(
          start,
          writeSteps(planTargetChanges(discovered, registered, GROUP), size),
        )) {
          expect(state.size).toBeGreaterThan(0);
        }
      }),
    );
  });

  it('lists every target by address, then port', () => {
    const inOrder = (targets: readonly Target[]) =>
      targets.every((target, index) => {
        const previous = targets[index - 1];
        if (previous === undefined) return true;
        const byIp = compareIps(previous.id, target.id);
        return byIp < 0 || (byIp === 0 && previous.port < target.port);
      });
    fc.assert(
      fc.property(scenarioArbitrary, ({ discovered, registered }) => {
        const plan = planTargetChanges(discovered, registered, GROUP);
        expect(inOrder(plan.unchanged)).toBe(true);
        if (plan.kind === 'changes') {
          expect(inOrder(plan.register)).toBe(true);
          expect(inOrder(plan.deregister)).toBe(true);
        }
      }),
    );
  });

  it('sends no empty or oversized write', () => {
    fc.assert(
      fc.property(scenarioArbitrary, ({ discovered, registered, size }) => {
        for (const step of writeSteps(planTargetChanges(discovered, registered, GROUP), size)) {
          expect(step.targets.length).toBeGreaterThan(0);
          expect(step.targets.length).toBeLessThanOrEqual(size);
        }
      }),
    );
  });
});

describe('Function: planTeardown', () => {
  it("deregisters the ALB's IPs on every port, and leaves every other target", () => {
    // Prepare: the ALB's 10.0.0.1 and .2 on two ports; a target of another binding; one draining
    const registered: RegisteredTarget[] = [
      { id: '10.0.0.2', port: 443, state: 'healthy' },
      { id: '10.0.0.1', port: 8443, state: 'unused' },
      { id: '10.0.0.1', port: 443, state: 'healthy' },
      { id: '172.16.0.9', port: 443, availabilityZone: 'all', state: 'healthy' },
      { id: '10.0.0.3', port: 443, state: 'draining' },
    ];

    // Act
    const plan = planTeardown(['10.0.0.1', '10.0.0.2', '10.0.0.3'], registered);

    // Assess
    expect(plan).toEqual({
      kind: 'changes',
      register: [],
      deregister: [
        { id: '10.0.0.1', port: 443 },
        { id: '10.0.0.1', port: 8443 },
        { id: '10.0.0.2', port: 443 },
      ],
      unchanged: [{ id: '172.16.0.9', port: 443, availabilityZone: 'all' }],
    });
  });

  it('writes nothing when none of the targets is an ALB IP, or the group is empty', () => {
    expect(writeSteps(planTeardown(['10.0.0.1'], healthy('10.0.0.9')), 100)).toEqual([]);
    expect(writeSteps(planTeardown(['10.0.0.1'], []), 100)).toEqual([]);
    expect(writeSteps(planTeardown([], healthy('10.0.0.1')), 100)).toEqual([]);
  });

  it('keeps the target as registered, with its zone, so that DeregisterTargets matches it', () => {
    const plan = planTeardown(
      ['172.16.0.5'],
      [{ id: '172.16.0.5', port: 443, availabilityZone: 'all', state: 'healthy' }],
    );
    expect(plan.deregister).toEqual([{ id: '172.16.0.5', port: 443, availabilityZone: 'all' }]);
  });
});

describe('Property: the teardown plan', () => {
  const albIpsArbitrary = fc.uniqueArray(ipArbitrary, { maxLength: 10 });

  it("leaves exactly the live targets that are not the ALB's, in chunks of the size asked for", () => {
    fc.assert(
      fc.property(
        albIpsArbitrary,
        registeredArbitrary,
        fc.integer({ min: 1, max: 4 }),
        (albIps, registered, size) => {
          const plan = planTeardown(albIps, registered);
          const steps = writeSteps(plan, size);
          const final = [...simulate(liveKeys(registered), steps)].at(-1) ?? liveKeys(registered);
          const expected = [...liveKeys(registered)].filter(
            (key) => !albIps.includes(key.split(':')[0] ?? ''),
          );
          expect([...final].sort()).toEqual(expected.sort());
          expect(plan.unchanged.map(targetKey).sort()).toEqual(expected.sort());
          expect(steps.every((step) => step.action === 'deregister')).toBe(true);
          expect(steps.every((step) => step.targets.length <= size)).toBe(true);
        },
      ),
    );
  });

  it('is idempotent: a second teardown after the first has nothing to write', () => {
    fc.assert(
      fc.property(albIpsArbitrary, registeredArbitrary, (albIps, registered) => {
        const after = [
          ...simulate(liveKeys(registered), writeSteps(planTeardown(albIps, registered), 2)),
        ].at(-1);
        const left: RegisteredTarget[] = [...(after ?? liveKeys(registered))].map((key) => {
          const [id = '', port = '0'] = key.split(':');
          return { id, port: Number(port), state: 'healthy' };
        });
        expect(planTeardown(albIps, left).deregister).toEqual([]);
      }),
    );
  });

  it('never deregisters a draining target, which is already on its way out', () => {
    fc.assert(
      fc.property(albIpsArbitrary, registeredArbitrary, (albIps, registered) => {
        const draining = new Set(registered.filter((t) => t.state === 'draining').map(targetKey));
        const plan = planTeardown(albIps, registered);
        expect(plan.deregister.filter((t) => draining.has(targetKey(t)))).toEqual([]);
      }),
    );
  });
});
