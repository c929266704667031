import { describe, expect, it } from 'vitest';
import {
  NlbPrivateIpsSchema,
  parseNlbPrivateIpsProperties,
} from '../../functions/nlb-private-ips/properties.js';
import { parseLoadBalancerArn } from '../../functions/shared/arns.js';
import { loadEvent } from '../support/events.js';
import { problemsOf as problemsOfInput } from '../support/failure-of.js';

const NLB =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/web-static-ip/7d4e3c2b1a098f6e';

const problemsOf = (input: unknown) => problemsOfInput(parseNlbPrivateIpsProperties, input);

describe('Function: parseNlbPrivateIpsProperties', () => {
  it('reads the sample properties, with ports as CloudFormation sends them (strings)', () => {
    const {
      ServiceToken: _token,
      ServiceTimeout: _timeout,
      ...properties
    } = loadEvent('nlb-private-ips-update').ResourceProperties as Record<string, unknown>;
    expect(parseNlbPrivateIpsProperties(properties)).toEqual({
      LoadBalancerArn: parseLoadBalancerArn(NLB),
      Ports: [443, 80],
      SecurityGroupId: 'sg-0a1b2c3d4e5f67890',
      ReturnIngressRules: true,
    });
  });

  it('returns the ingress rules unless told not to, in the forms CloudFormation sends', () => {
    const read = (value?: unknown) =>
      parseNlbPrivateIpsProperties({ LoadBalancerArn: NLB, ReturnIngressRules: value })
        .ReturnIngressRules;
    expect(read()).toBe(true);
    expect(read('false')).toBe(false);
    expect(read(false)).toBe(false);
    expect(read('true')).toBe(true);
    expect(problemsOf({ LoadBalancerArn: NLB, ReturnIngressRules: 'no' })).toEqual([
      'ReturnIngressRules: got "no"; expected true or false (or the strings "true" and "false")',
    ]);
  });

  it('shows the shape of an NLB ARN to a load balancer ARN that does not fit', () => {
    expect(problemsOf({ LoadBalancerArn: 'web-static-ip' })).toEqual([
      'LoadBalancerArn: got "web-static-ip"; expected a Network Load Balancer ARN, arn:aws:elasticloadbalancing:REGION:ACCOUNT:loadbalancer/net/NAME/ID (ID: 16 hex digits)',
    ]);
  });

  it('needs only the load balancer', () => {
    expect(parseNlbPrivateIpsProperties({ LoadBalancerArn: NLB })).toEqual({
      LoadBalancerArn: parseLoadBalancerArn(NLB),
      ReturnIngressRules: true,
    });
    expect(parseNlbPrivateIpsProperties({ LoadBalancerArn: NLB }).LoadBalancerArn).toMatchObject({
      arn: NLB,
      name: 'web-static-ip',
      eniDescription: 'ELB net/web-static-ip/7d4e3c2b1a098f6e',
    });
  });

  it.each([
    [
      { LoadBalancerArn: NLB, Ports: ['http'] },
      'Ports[0]: got "http"; expected a port number from 1 to 65535',
    ],
    [
      { LoadBalancerArn: NLB, Ports: [70000] },
      'Ports[0]: got 70000; expected a port number from 1 to 65535',
    ],
    [
      { LoadBalancerArn: NLB, Ports: ['0'] },
      'Ports[0]: got 0; expected a port number from 1 to 65535',
    ],
    [{ LoadBalancerArn: NLB, Ports: 443 }, 'Ports: got 443; expected a list of port numbers'],
    [
      { LoadBalancerArn: NLB, SecurityGroupId: 'web-sg' },
      'SecurityGroupId: got "web-sg"; expected a security group id such as sg-0123456789abcdef0',
    ],
    [
      { LoadBalancerArn: NLB, Port: [443] },
      'unknown field "Port"; expected only LoadBalancerArn, Ports, SecurityGroupId, ReturnIngressRules',
    ],
  ])('names the property and the value: %j', (input, problem) => {
    expect(problemsOf(input)).toEqual([problem]);
  });

  it('names a missing or malformed load balancer', () => {
    expect(problemsOf({})).toEqual([
      expect.stringMatching(/^LoadBalancerArn: got nothing; expected a Network Load Balancer ARN/),
    ]);
    expect(problemsOf({ LoadBalancerArn: 'web-static-ip' })).toEqual([
      expect.stringMatching(
        /^LoadBalancerArn: got "web-static-ip"; expected a Network Load Balancer ARN/,
      ),
    ]);
  });
});

describe('Function: parseNlbPrivateIpsProperties (the messages CloudFormation shows)', () => {
  const PORT = 'expected a port number from 1 to 65535';
  const SG = 'expected a security group id such as sg-0123456789abcdef0';

  it('throws one error whose message names the property, the value and what was expected', () => {
    expect(() =>
      parseNlbPrivateIpsProperties({ LoadBalancerArn: NLB, SecurityGroupId: 'sg-1' }),
    ).toThrow(`Invalid input: SecurityGroupId: got "sg-1"; ${SG}`);
  });

  it.each([
    ['text before the digits', 'x443', '"x443"'],
    ['text after the digits', '443x', '"443x"'],
    ['more than five digits', '1234567', '"1234567"'],
    ['a value that is neither a number nor text', true, 'true'],
    ['nothing', null, 'null'],
  ])('rejects a port with %s', (_, port, shown) => {
    expect(problemsOf({ LoadBalancerArn: NLB, Ports: [80, port] })).toEqual([
      `Ports[1]: got ${shown}; ${PORT}`,
    ]);
  });

  it('rejects an empty list of ports, and more than 50', () => {
    // Prepare
    const many = Array.from({ length: 51 }, (_, index) => index + 1);

    // Act
    const empty = problemsOf({ LoadBalancerArn: NLB, Ports: [] });
    const tooMany = problemsOf({ LoadBalancerArn: NLB, Ports: many });

    // Assess
    expect(empty).toEqual([
      'Ports: got []; expected at least one port, or no Ports to use the listeners',
    ]);
    expect(tooMany).toEqual([`Ports: got ${JSON.stringify(many)}; expected at most 50 ports`]);
  });

  it('accepts 50 ports', () => {
    const fifty = Array.from({ length: 50 }, (_, index) => index + 1);
    expect(parseNlbPrivateIpsProperties({ LoadBalancerArn: NLB, Ports: fifty }).Ports).toEqual(
      fifty,
    );
  });

  it.each(['sg-0123abcd', 'sg-0123456789abcdef0'])(
    'accepts the security group id %s (8 or 17 hex digits)',
    (groupId) => {
      expect(
        parseNlbPrivateIpsProperties({ LoadBalancerArn: NLB, SecurityGroupId: groupId })
          .SecurityGroupId,
      ).toBe(groupId);
    },
  );

  it.each([
    ['text before it', 'xsg-0123abcd', '"xsg-0123abcd"'],
    ['text after it', 'sg-0123abcd0', '"sg-0123abcd0"'],
    ['text after a long id', 'sg-0123456789abcdef0x', '"sg-0123456789abcdef0x"'],
    ['upper-case hex digits', 'sg-0123ABCD', '"sg-0123ABCD"'],
    ['a number', 42, '42'],
  ])('rejects a security group id with %s', (_, groupId, shown) => {
    expect(problemsOf({ LoadBalancerArn: NLB, SecurityGroupId: groupId })).toEqual([
      `SecurityGroupId: got ${shown}; ${SG}`,
    ]);
  });

  it.each([
    ['text', 'web', '"web"'],
    ['a list', [NLB], `[${JSON.stringify(NLB)}]`],
    ['null', null, 'null'],
  ])('says an object was expected for %s', (_, input, shown) => {
    expect(problemsOf(input)).toEqual([`input: got ${shown}; expected an object`]);
  });

  it('names every unknown property at once', () => {
    expect(problemsOf({ LoadBalancerArn: NLB, Port: 443, GroupId: 'sg-0123abcd' })).toEqual([
      'unknown field "Port", "GroupId"; expected only LoadBalancerArn, Ports, SecurityGroupId, ReturnIngressRules',
    ]);
  });
});

describe('Function: NlbPrivateIpsSchema', () => {
  it('does not call an object with unknown keys "not an object"', () => {
    // Act
    const result = NlbPrivateIpsSchema.safeParse({ LoadBalancerArn: NLB, Port: 443 });

    // Assess
    expect(result.error?.issues).toEqual([
      expect.objectContaining({
        code: 'unrecognized_keys',
        keys: ['Port'],
        message: expect.not.stringContaining('expected an object'),
      }),
    ]);
  });
});
