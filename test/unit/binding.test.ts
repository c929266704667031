import { describe, expect, it } from 'vitest';
import { eniDescriptionFor, loadBalancerResourceId } from '../../functions/shared/arns.js';
import { MAX_TARGET_GROUPS, parseBinding } from '../../functions/shared/binding.js';
import { loadEvent } from '../support/events.js';
import { problemsOf as problemsOfInput } from '../support/failure-of.js';

const ALB =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188';
const TG =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-443/73e2d6bc24d8a067';

const problemsOf = (input: unknown) => problemsOfInput(parseBinding, input);

describe('Function: parseBinding', () => {
  it('accepts the sample events, whichever trigger they come from', () => {
    // Act
    const scheduled = parseBinding(loadEvent('scheduled-sync'));
    const eniChange = parseBinding(loadEvent('eni-change-sync'));

    // Assess
    expect(scheduled).toEqual({
      LoadBalancerArn: ALB,
      TargetGroupArns: [TG.replace('web-443', 'web-static-443')],
      DryRun: false,
    });
    expect(eniChange.TargetGroupArns).toHaveLength(2);
    expect(eniChange.DryRun).toBe(false);
  });

  it.each([
    [true, true],
    ['true', true],
    [false, false],
    ['false', false],
  ])('reads DryRun %j as %j (CloudFormation sends strings)', (given, expected) => {
    expect(
      parseBinding({ LoadBalancerArn: ALB, TargetGroupArns: [TG], DryRun: given }).DryRun,
    ).toBe(expected);
  });

  it('defaults DryRun to false', () => {
    expect(parseBinding({ LoadBalancerArn: ALB, TargetGroupArns: [TG] }).DryRun).toBe(false);
  });

  it('accepts other partitions', () => {
    const alb = ALB.replace('arn:aws:', 'arn:aws-us-gov:').replace('us-east-1', 'us-gov-west-1');
    const tg = TG.replace('arn:aws:', 'arn:aws-us-gov:').replace('us-east-1', 'us-gov-west-1');
    expect(parseBinding({ LoadBalancerArn: alb, TargetGroupArns: [tg] }).LoadBalancerArn).toBe(alb);
  });

  it('names the field, the bad value and what was expected', () => {
    const nlb = ALB.replace('/app/', '/net/');
    const problems = problemsOf({
      LoadBalancerArn: nlb,
      TargetGroupArns: [TG, 'tg-1'],
      DryRun: 'yes',
    });
    expect(problems).toEqual([
      expect.stringMatching(
        new RegExp(`^LoadBalancerArn: got "${nlb}"; expected an Application Load Balancer ARN`),
      ),
      expect.stringMatching(/^TargetGroupArns\[1\]: got "tg-1"; expected a target group ARN/),
      'DryRun: got "yes"; expected true or false (or the strings "true" and "false")',
    ]);
  });

  it('reports missing fields and a non-object input', () => {
    expect(problemsOf({})).toEqual([
      expect.stringMatching(
        /^LoadBalancerArn: got nothing; expected an Application Load Balancer ARN/,
      ),
      'TargetGroupArns: got nothing; expected a list of target group ARNs',
    ]);
    expect(problemsOf(null)).toEqual(['input: got null; expected an object']);
    expect(problemsOf('sync')).toEqual(['input: got "sync"; expected an object']);
  });

  it('rejects a single ARN where a list is expected, and empty or oversized lists', () => {
    expect(problemsOf({ LoadBalancerArn: ALB, TargetGroupArns: TG })).toEqual([
      `TargetGroupArns: got "${TG}"; expected a list of target group ARNs`,
    ]);
    expect(problemsOf({ LoadBalancerArn: ALB, TargetGroupArns: [] })).toEqual([
      'TargetGroupArns: got []; expected at least one target group ARN',
    ]);
    const many = Array.from({ length: MAX_TARGET_GROUPS + 1 }, (_, index) =>
      TG.replace('73e2d6bc24d8a067', index.toString(16).padStart(16, '0')),
    );
    expect(problemsOf({ LoadBalancerArn: ALB, TargetGroupArns: many })).toEqual([
      expect.stringMatching(/^TargetGroupArns: got \[.*; expected at most 50 target group ARNs$/),
    ]);
  });

  it('rejects unknown fields, so a misspelt one is not silently ignored', () => {
    expect(
      problemsOf({ LoadBalancerArn: ALB, TargetGroupArn: [TG], TargetGroupArns: [TG] }),
    ).toEqual([
      'unknown field "TargetGroupArn"; expected only LoadBalancerArn, TargetGroupArns, DryRun',
    ]);
  });

  it('rejects a repeated target group and one in another region', () => {
    const elsewhere = TG.replace('us-east-1', 'eu-west-1');
    expect(problemsOf({ LoadBalancerArn: ALB, TargetGroupArns: [TG, TG, elsewhere] })).toEqual([
      `TargetGroupArns[1]: got "${TG}"; expected each target group ARN once; this one is repeated`,
      `TargetGroupArns[2]: got "${elsewhere}"; expected a target group in the load balancer's region (us-east-1)`,
    ]);
  });

  it.each([
    ['a load balancer id that is not 16 hex digits', ALB.replace('50dc6c495c0c9188', 'xyz')],
    ['a wildcard in the name', ALB.replace('/web/', '/we*/')],
    ['trailing text', `${ALB}/extra`],
    ['a target group ARN', TG],
  ])('rejects a LoadBalancerArn with %s', (_, arn) => {
    expect(problemsOf({ LoadBalancerArn: arn, TargetGroupArns: [TG] })[0]).toMatch(
      /^LoadBalancerArn: got .*; expected an Application Load Balancer ARN/,
    );
  });
});

describe('Function: eniDescriptionFor', () => {
  it('is "ELB " and the ARN part after loadbalancer/', () => {
    expect(loadBalancerResourceId(ALB)).toBe('app/web/50dc6c495c0c9188');
    expect(eniDescriptionFor(ALB)).toBe('ELB app/web/50dc6c495c0c9188');
    expect(eniDescriptionFor(ALB.replace('/app/', '/net/'))).toBe('ELB net/web/50dc6c495c0c9188');
  });

  it('refuses something that is not a load balancer ARN', () => {
    expect(() => eniDescriptionFor(TG)).toThrow(/Not a load balancer ARN/);
  });
});

describe('Function: parseBinding (one report per problem)', () => {
  it('does not add a region complaint to an ARN that is already malformed', () => {
    expect(problemsOf({ LoadBalancerArn: ALB, TargetGroupArns: ['tg-1'] })).toEqual([
      expect.stringMatching(/^TargetGroupArns\[0\]: got "tg-1"; expected a target group ARN/),
    ]);
    expect(problemsOf({ LoadBalancerArn: 'alb', TargetGroupArns: [TG] })).toEqual([
      expect.stringMatching(
        /^LoadBalancerArn: got "alb"; expected an Application Load Balancer ARN/,
      ),
    ]);
  });
});
