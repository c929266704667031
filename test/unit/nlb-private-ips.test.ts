import { describe, expect, it } from 'vitest';
import {
  type ExistingRule,
  ingressRules,
  planRuleChanges,
  ruleDescription,
  stackNameOf,
} from '../../functions/nlb-private-ips/ingress-rules.js';
import { parseNlbPrivateIpsProperties } from '../../functions/nlb-private-ips/properties.js';
import { loadEvent } from '../support/events.js';
import { problemsOf as problemsOfInput } from '../support/failure-of.js';

const NLB =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/web-static-ip/7d4e3c2b1a098f6e';
const OURS = 'Made by alb-static-ip nlb-private-ips/NlbPrivateIps/4b3a29180f7e6d5c in stack web';

const problemsOf = (input: unknown) => problemsOfInput(parseNlbPrivateIpsProperties, input);

describe('Function: parseNlbPrivateIpsProperties', () => {
  it('reads the sample properties, with ports as CloudFormation sends them (strings)', () => {
    const {
      ServiceToken: _token,
      ServiceTimeout: _timeout,
      ...properties
    } = loadEvent('nlb-private-ips-update').ResourceProperties as Record<string, unknown>;
    expect(parseNlbPrivateIpsProperties(properties)).toEqual({
      LoadBalancerArn: NLB,
      Ports: [443, 80],
      SecurityGroupId: 'sg-0a1b2c3d4e5f67890',
    });
  });

  it('needs only the load balancer', () => {
    expect(parseNlbPrivateIpsProperties({ LoadBalancerArn: NLB })).toEqual({
      LoadBalancerArn: NLB,
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
      'unknown field "Port"; expected only LoadBalancerArn, Ports, SecurityGroupId',
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

describe('Function: planRuleChanges', () => {
  const rule = (
    ruleId: string,
    cidr: string,
    port: number,
    description?: string,
  ): ExistingRule => ({
    ruleId,
    cidr,
    fromPort: port,
    toPort: port,
    protocol: 'tcp',
    ...(description === undefined ? {} : { description }),
  });

  it('authorizes what is missing and revokes only our rules that are no longer wanted', () => {
    const wanted = ingressRules(['10.0.0.1', '10.0.0.2'], [443], OURS);
    const existing = [
      rule('sgr-ours-kept', '10.0.0.1/32', 443, OURS),
      rule('sgr-ours-stale', '10.0.0.1/32', 80, OURS),
      rule('sgr-theirs', '10.0.0.7/32', 80, 'added by hand'),
      rule('sgr-theirs-no-description', '0.0.0.0/0', 443),
    ];

    expect(planRuleChanges(wanted, existing, OURS)).toEqual({
      authorize: [wanted[1]],
      revoke: ['sgr-ours-stale'],
    });
  });

  it('treats a wanted rule that someone else made as present, and leaves it theirs', () => {
    const wanted = ingressRules(['10.0.0.1'], [443], OURS);
    expect(planRuleChanges(wanted, [rule('sgr-theirs', '10.0.0.1/32', 443, 'hand')], OURS)).toEqual(
      {
        authorize: [],
        revoke: [],
      },
    );
  });
});

describe('Function: ruleDescription', () => {
  it('says who made the rule, within the characters and length AWS allows', () => {
    const description = ruleDescription('nlb-private-ips/NlbIps/0123456789abcdef', 'web-static-ip');
    expect(description).toBe(
      'Made by alb-static-ip nlb-private-ips/NlbIps/0123456789abcdef in stack web-static-ip',
    );
    const long = ruleDescription(`x/${'y'.repeat(300)}`, 'stack~with|odd');
    expect(long.length).toBe(255);
    expect(long).toMatch(/^[A-Za-z0-9 ._\-:/()#,@[\]+=&;{}!$*]+$/);
  });

  it('reads the stack name from a stack ARN', () => {
    expect(stackNameOf(loadEvent('nlb-private-ips-create').StackId as string)).toBe(
      'web-static-ip',
    );
  });
});
