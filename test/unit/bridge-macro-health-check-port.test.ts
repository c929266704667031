import { describe, expect, it } from 'vitest';
import {
  healthCheckPortBeyond,
  knownPort,
} from '../../functions/bridge-macro/health-check-port.js';
import {
  type BridgeProperties,
  readBridgeProperties,
} from '../../functions/bridge-macro/properties.js';

// TargetMode alb with AlbHealthCheckPort: whether the health checks need a port of their own in the
// security groups, and how the macro reads ports before CloudFormation resolves them. What the
// bridge then makes is in bridge-macro.test.ts; template.yaml's side in nlb-security-group.test.ts.

const PARAMETERS = {
  CheckPort: '8443',
  Ports: ['80', '443'],
  PortList: '80,443',
  Name: 'web',
  Indirect: { Ref: 'CheckPort' },
};

/** A bridge in TargetMode alb, read as the macro reads it. */
function bridge(properties: Record<string, unknown>): BridgeProperties {
  const read = readBridgeProperties({
    LoadBalancerArn: { Ref: 'WebAlb' },
    VpcId: 'vpc-0123456789abcdef0',
    SubnetIds: ['subnet-0000000000000000a'],
    Ports: [80, 443],
    TargetMode: 'alb',
    AlbSecurityGroupId: 'sg-0123456789abcdef0',
    ...properties,
  });
  if (!read.ok) throw new Error(read.problems.join('; '));
  return read.value;
}

describe('Function: knownPort', () => {
  it.each<[string, unknown, number]>([
    ['a number', 8443, 8443],
    ['a port written as text', '8443', 8443],
    ['a Ref to a parameter', { Ref: 'CheckPort' }, 8443],
    [
      'an Fn::Select of a list parameter sent as a list',
      { 'Fn::Select': [1, { Ref: 'Ports' }] },
      443,
    ],
    [
      'an Fn::Select of a list parameter sent as text, the index as text',
      { 'Fn::Select': ['0', { Ref: 'PortList' }] },
      80,
    ],
  ])('reads %s', (_, value, expected) => {
    expect(knownPort(value, PARAMETERS)).toBe(expected);
  });

  it.each<[string, unknown]>([
    ['an import', { 'Fn::ImportValue': 'web-port' }],
    ['a Ref to a resource or an unknown parameter', { Ref: 'WebAlb' }],
    ['a Ref to a parameter that is no port', { Ref: 'Name' }],
    ['a Ref to a list parameter', { Ref: 'Ports' }],
    ['an Fn::Select past the list', { 'Fn::Select': [2, { Ref: 'Ports' }] }],
    ['an Fn::Select of something else', { 'Fn::Select': [0, ['80']] }],
    ['text that is no port', 'https'],
    ['text that only ends in a port', 'a443'],
    ['text that only starts with a port', '443a'],
    ['nothing', undefined],
    ['null', null],
    ['an Fn::Select of three arguments', { 'Fn::Select': [0, { Ref: 'Ports' }, 'extra'] }],
    ['an Fn::Select of null', { 'Fn::Select': [0, null] }],
    ['an Fn::Select whose index is no whole number', { 'Fn::Select': ['1.0', { Ref: 'Ports' }] }],
    ['an Fn::Select of a parameter it was not sent', { 'Fn::Select': [0, { Ref: 'Missing' }] }],
    ['a Ref to a parameter whose value is a reference', { Ref: 'Indirect' }],
  ])('cannot read %s', (_, value) => {
    expect(knownPort(value, PARAMETERS)).toBeUndefined();
  });
});

describe('Function: healthCheckPortBeyond', () => {
  it('gives a health check port that is none of the ports, as CloudFormation takes it', () => {
    expect(healthCheckPortBeyond(bridge({ AlbHealthCheckPort: 8443 }), [80, 443], {})).toEqual({
      ok: true,
      port: 8443,
    });
    expect(healthCheckPortBeyond(bridge({ AlbHealthCheckPort: '8443' }), [80, 443], {})).toEqual({
      ok: true,
      port: 8443,
    });
    // A Ref stays a Ref: CloudFormation resolves it, as it does in the target groups.
    const ref = { Ref: 'CheckPort' };
    expect(
      healthCheckPortBeyond(bridge({ AlbHealthCheckPort: ref }), [80, 443], PARAMETERS),
    ).toEqual({ ok: true, port: ref });
  });

  it('gives none for a port among the ports, however either is written', () => {
    const ports = [
      { 'Fn::Select': [0, { Ref: 'Ports' }] },
      { 'Fn::Select': [1, { Ref: 'Ports' }] },
    ];
    for (const given of [443, '443', { Ref: 'Https' }]) {
      expect(
        healthCheckPortBeyond(bridge({ AlbHealthCheckPort: given }), ports, {
          ...PARAMETERS,
          Https: '443',
        }),
      ).toEqual({ ok: true, port: undefined });
    }
  });

  it('gives none without a health check port, in TargetMode ip, or with no group to open', () => {
    expect(healthCheckPortBeyond(bridge({}), [80, 443], {})).toEqual({ ok: true, port: undefined });
    const noGroup = bridge({ AlbHealthCheckPort: 8443, AlbSecurityGroupId: undefined });
    expect(healthCheckPortBeyond(noGroup, [80, 443], {})).toEqual({ ok: true, port: undefined });
    const ipMode = { ...bridge({ AlbHealthCheckPort: 8443 }), TargetMode: 'ip' as const };
    expect(healthCheckPortBeyond(ipMode, [80, 443], {})).toEqual({ ok: true, port: undefined });
  });

  it('refuses a port it cannot read when a group would need the rule, naming both', () => {
    const unreadable = { 'Fn::GetAtt': ['CheckPortSource', 'Port'] };
    const problem = {
      ok: false,
      problem: expect.stringMatching(
        /^AlbHealthCheckPort: got .* with Ports .*; expected ports the bridge can read, numbers or Refs to the template's parameters/,
      ),
    };
    // The ALB's group, the NLB's group, or both.
    for (const groups of [
      {},
      { AlbSecurityGroupId: undefined, NlbSecurityGroup: true },
      { NlbSecurityGroup: true, AlbIngressMode: 'security-group' },
    ]) {
      expect(
        healthCheckPortBeyond(bridge({ ...groups, AlbHealthCheckPort: unreadable }), [80, 443], {}),
      ).toEqual(problem);
    }
    expect(
      healthCheckPortBeyond(bridge({ AlbHealthCheckPort: 8443 }), [80, unreadable], {}),
    ).toEqual(problem);
    // Nothing to open: nothing to refuse.
    const noGroup = bridge({ AlbHealthCheckPort: unreadable, AlbSecurityGroupId: undefined });
    expect(healthCheckPortBeyond(noGroup, [80, 443], {})).toEqual({ ok: true, port: undefined });
    // An ALB group that the bridge leaves alone (AlbIngressMode none) needs no rule either.
    const leftAlone = { ...bridge({ AlbHealthCheckPort: unreadable }), AlbIngressMode: 'none' };
    expect(healthCheckPortBeyond(leftAlone as BridgeProperties, [80, 443], {})).toEqual({
      ok: true,
      port: undefined,
    });
  });
});
