import { describe, expect, it } from 'vitest';
import { isAllowed, type PolicyStatement, type RequestPrincipal } from './iam-policy.js';

// The small IAM evaluator the template tests ask about the functions' policies: each rule it
// applies, shown to allow and to deny, so a template test that relies on it can fail.
const GROUP =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef';
const TAGGED: PolicyStatement = {
  Effect: 'Allow',
  Action: ['elasticloadbalancing:AddTags'],
  Resource: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/*/*',
  Condition: {
    StringEquals: { 'aws:ResourceTag/team': 'web' },
    'ForAllValues:StringLike': { 'aws:TagKeys': ['owner:*'] },
    Null: { 'aws:TagKeys': 'false' },
  },
};
const request = (
  context: Record<string, string | string[]>,
  action = 'elasticloadbalancing:AddTags',
) => ({
  action,
  resource: GROUP,
  context,
});

describe('Function: isAllowed (IAM policy evaluation, as far as the template needs it)', () => {
  it('allows a request that matches an Allow in action, resource and every condition', () => {
    expect(
      isAllowed([TAGGED], request({ 'aws:ResourceTag/team': 'web', 'aws:TagKeys': ['owner:a'] })),
    ).toBe(true);
  });

  it('denies by default: another action, resource, or a condition that does not hold', () => {
    const context = { 'aws:ResourceTag/team': 'web', 'aws:TagKeys': ['owner:a'] };
    expect(isAllowed([TAGGED], request(context, 'elasticloadbalancing:RemoveTags'))).toBe(false);
    expect(
      isAllowed([TAGGED], {
        ...request(context),
        resource: GROUP.replace('123456789012', '210987654321'),
      }),
    ).toBe(false);
    expect(isAllowed([TAGGED], request({ ...context, 'aws:ResourceTag/team': 'data' }))).toBe(
      false,
    );
    expect(isAllowed([TAGGED], request({ 'aws:TagKeys': ['owner:a'] }))).toBe(false);
  });

  it('applies ForAllValues to every value, and Null to a request without the key', () => {
    const tagged = { 'aws:ResourceTag/team': 'web' };
    expect(isAllowed([TAGGED], request({ ...tagged, 'aws:TagKeys': ['owner:a', 'team'] }))).toBe(
      false,
    );
    // ForAllValues alone would hold for no keys at all; the Null condition refuses that.
    expect(isAllowed([TAGGED], request(tagged))).toBe(false);
    expect(isAllowed([TAGGED], request({ ...tagged, 'aws:TagKeys': [] }))).toBe(false);
    const { Null: _null, ...withoutNull } = TAGGED.Condition ?? {};
    expect(isAllowed([{ ...TAGGED, Condition: withoutNull }], request(tagged))).toBe(true);
  });

  it('lets an explicit Deny win over an Allow', () => {
    const deny: PolicyStatement = { Effect: 'Deny', Action: '*', Resource: '*' };
    const context = { 'aws:ResourceTag/team': 'web', 'aws:TagKeys': ['owner:a'] };
    expect(isAllowed([TAGGED, deny], request(context))).toBe(false);
  });

  it('matches actions without regard to case, and ARN patterns with * and ?', () => {
    const statement: PolicyStatement = {
      Effect: 'Allow',
      Action: 'ElasticLoadBalancing:Register*',
      Resource: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/we?/*',
    };
    expect(isAllowed([statement], request({}, 'elasticloadbalancing:RegisterTargets'))).toBe(true);
    expect(
      isAllowed([statement], {
        ...request({}, 'elasticloadbalancing:RegisterTargets'),
        resource: `${GROUP}x`.replace('/web/', '/webs/'),
      }),
    ).toBe(false);
  });

  it('compares Bool conditions as written, and finds no match when the key is missing', () => {
    const plainHttp: PolicyStatement = {
      Effect: 'Deny',
      Action: '*',
      Resource: '*',
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    };
    const everything: PolicyStatement = { Effect: 'Allow', Action: '*', Resource: '*' };
    const sent = (context: Record<string, string>) =>
      isAllowed([everything, plainHttp], request(context));
    expect(sent({ 'aws:SecureTransport': 'false' })).toBe(false);
    expect(sent({ 'aws:SecureTransport': 'true' })).toBe(true);
    expect(sent({})).toBe(true);
  });

  it('matches a Principal only when the request names its principal', () => {
    const events: PolicyStatement = {
      Effect: 'Allow',
      Principal: { Service: 'events.amazonaws.com' },
      Action: 'sqs:SendMessage',
      Resource: '*',
    };
    const denyAll: PolicyStatement = { ...events, Effect: 'Deny', Principal: '*' };
    const send = (principal?: RequestPrincipal) => ({
      ...request({}, 'sqs:SendMessage'),
      ...(principal && { principal }),
    });
    const role = 'arn:aws:iam::123456789012:role/web';
    expect(isAllowed([events], send({ type: 'Service', id: 'events.amazonaws.com' }))).toBe(true);
    expect(isAllowed([events], send({ type: 'Service', id: 'sns.amazonaws.com' }))).toBe(false);
    expect(isAllowed([events], send({ type: 'AWS', id: role }))).toBe(false);
    // Without a principal, as for an identity policy, the Principal is not read at all.
    expect(isAllowed([events], send())).toBe(true);
    // "*" names every principal, and a wildcard inside an object is refused.
    expect(
      isAllowed([events, denyAll], send({ type: 'Service', id: 'events.amazonaws.com' })),
    ).toBe(false);
    expect(() =>
      isAllowed([{ ...events, Principal: { AWS: '*' } }], send({ type: 'AWS', id: role })),
    ).toThrow(/wildcard AWS principal is not supported/);
  });

  it('refuses condition operators it does not know, rather than guess', () => {
    const statement: PolicyStatement = {
      ...TAGGED,
      Condition: { DateGreaterThan: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' } },
    };
    expect(() => isAllowed([statement], request({}))).toThrow(/DateGreaterThan is not supported/);
  });
});
