import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import {
  APPLICATION_LOAD_BALANCER_ARN,
  parseLoadBalancerArn,
  parseTargetGroupArn,
} from '../../functions/shared/arns.js';
import {
  BindingSchema,
  discoveryRoleOf,
  MAX_TARGET_GROUPS,
  parseBinding,
} from '../../functions/shared/binding.js';
import { InvalidInputError } from '../../functions/shared/errors.js';
import { parseInput } from '../../functions/shared/input.js';
import { loadEvent } from '../support/events.js';
import { problemsOf as problemsOfInput } from '../support/failure-of.js';

const ALB =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188';
const TG =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-443/73e2d6bc24d8a067';

const problemsOf = (input: unknown) => problemsOfInput(parseBinding, input);

function failureOfSync(act: () => unknown): Error {
  try {
    act();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure, and the call succeeded');
}

describe('Function: parseBinding', () => {
  it('accepts the sample events, whichever trigger they come from', () => {
    // Act
    const scheduled = parseBinding(loadEvent('scheduled-sync'));
    const eniChange = parseBinding(loadEvent('eni-change-sync'));

    // Assess
    expect(scheduled).toEqual({
      LoadBalancerArn: parseLoadBalancerArn(ALB),
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
    expect(parseBinding({ LoadBalancerArn: alb, TargetGroupArns: [tg] }).LoadBalancerArn).toEqual(
      parseLoadBalancerArn(alb),
    );
    expect(parseBinding({ LoadBalancerArn: alb, TargetGroupArns: [tg] }).LoadBalancerArn.arn).toBe(
      alb,
    );
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
      'unknown field "TargetGroupArn"; expected only LoadBalancerArn, TargetGroupArns, DryRun, DiscoveryRoleArn, DiscoveryExternalId',
    ]);
  });

  it('rejects a repeated target group and one in another region', () => {
    const elsewhere = TG.replace('us-east-1', 'eu-west-1');
    expect(problemsOf({ LoadBalancerArn: ALB, TargetGroupArns: [TG, TG, elsewhere] })).toEqual([
      `TargetGroupArns[1]: got "${TG}"; expected each target group ARN once; this one is repeated`,
      `TargetGroupArns[2]: got "${elsewhere}"; expected a target group in the load balancer's region (us-east-1)`,
    ]);
  });

  it('rejects a target group in another partition before any AWS call, naming the partition', () => {
    const china = TG.replace('arn:aws:', 'arn:aws-cn:').replace('us-east-1', 'cn-north-1');

    expect(problemsOf({ LoadBalancerArn: ALB, TargetGroupArns: [TG, china] })).toEqual([
      `TargetGroupArns[1]: got "${china}"; expected a target group in the load balancer's partition (aws)`,
    ]);
  });

  it('keeps the error to a few hundred bytes however many ARNs are bad', () => {
    // Prepare: ten thousand bad ARNs, each a problem of its own
    const bad = Array.from({ length: 10_000 }, (_, index) => `not-an-arn-${index}`);

    // Act
    const error = failureOfSync(() => parseBinding({ LoadBalancerArn: ALB, TargetGroupArns: bad }));

    // Assess: the first five are named, the rest counted
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).problems).toHaveLength(5);
    expect((error as InvalidInputError).problemCount).toBe(10_000);
    expect(error.message).toMatch(
      /^Invalid input: TargetGroupArns\[0\]: got "not-an-arn-0"; expected a target group ARN, .*; and 9995 more$/,
    );
    expect(error.message.length).toBeLessThan(1_000);
  });

  it('shows a 100 KB field name as 64 characters', () => {
    const name = 'x'.repeat(100_000);

    const [problem] = problemsOf({ LoadBalancerArn: ALB, TargetGroupArns: [TG], [name]: 1 });

    expect(problem).toBe(
      `unknown field "${'x'.repeat(61)}..."; expected only LoadBalancerArn, TargetGroupArns, DryRun, DiscoveryRoleArn, DiscoveryExternalId`,
    );
  });

  it('names at most five unknown fields, and counts the rest', () => {
    const extra = Object.fromEntries(Array.from({ length: 8 }, (_, index) => [`F${index}`, 1]));

    const [problem] = problemsOf({ LoadBalancerArn: ALB, TargetGroupArns: [TG], ...extra });

    expect(problem).toBe(
      'unknown field "F0", "F1", "F2", "F3", "F4", and 3 more; expected only LoadBalancerArn, TargetGroupArns, DryRun, DiscoveryRoleArn, DiscoveryExternalId',
    );
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

describe('Function: parseLoadBalancerArn', () => {
  it('gives every piece of the ARN once, the ENI description "ELB " and the part after loadbalancer/', () => {
    expect(parseLoadBalancerArn(ALB)).toEqual({
      arn: ALB,
      partition: 'aws',
      region: 'us-east-1',
      account: '123456789012',
      kind: 'app',
      name: 'web',
      id: '50dc6c495c0c9188',
      resourceId: 'app/web/50dc6c495c0c9188',
      eniDescription: 'ELB app/web/50dc6c495c0c9188',
    });
    expect(parseLoadBalancerArn(ALB.replace('/app/', '/net/'))).toMatchObject({
      kind: 'net',
      resourceId: 'net/web/50dc6c495c0c9188',
      eniDescription: 'ELB net/web/50dc6c495c0c9188',
    });
  });

  it('reads other partitions and hyphenated names', () => {
    const china =
      'arn:aws-cn:elasticloadbalancing:cn-north-1:123456789012:loadbalancer/app/my-web-2/0123456789abcdef';
    expect(parseLoadBalancerArn(china)).toMatchObject({
      partition: 'aws-cn',
      region: 'cn-north-1',
      name: 'my-web-2',
      eniDescription: 'ELB app/my-web-2/0123456789abcdef',
    });
  });

  it('refuses what is not a load balancer ARN, or not of the kind asked for', () => {
    expect(parseLoadBalancerArn(TG)).toBeUndefined();
    expect(parseLoadBalancerArn(`${ALB} `)).toBeUndefined();
    expect(parseLoadBalancerArn(ALB.replace('/app/', '/net/'), APPLICATION_LOAD_BALANCER_ARN)).toBe(
      undefined,
    );
  });
});

describe('Function: parseTargetGroupArn', () => {
  it('gives where the group is, and refuses a load balancer ARN', () => {
    expect(parseTargetGroupArn(TG)).toEqual({
      arn: TG,
      partition: 'aws',
      region: 'us-east-1',
      account: '123456789012',
    });
    expect(parseTargetGroupArn(ALB)).toBeUndefined();
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

describe('Function: parseBinding (the messages CloudFormation shows)', () => {
  const TG_EXPECTED =
    'expected a target group ARN, arn:aws:elasticloadbalancing:REGION:ACCOUNT:targetgroup/NAME/ID (ID: 16 hex digits)';

  it('shows the shape of an ALB ARN to a load balancer ARN that does not fit', () => {
    expect(problemsOf({ LoadBalancerArn: 'web', TargetGroupArns: [TG] })).toEqual([
      'LoadBalancerArn: got "web"; expected an Application Load Balancer ARN, arn:aws:elasticloadbalancing:REGION:ACCOUNT:loadbalancer/app/NAME/ID (ID: 16 hex digits)',
    ]);
  });

  it('throws one InvalidInputError whose message lists every problem', () => {
    // Act
    let thrown: unknown;
    try {
      parseBinding({ LoadBalancerArn: ALB, TargetGroupArns: [TG, 42] });
    } catch (error) {
      thrown = error;
    }

    // Assess
    expect(thrown).toBeInstanceOf(InvalidInputError);
    expect((thrown as Error).message).toBe(
      `Invalid input: TargetGroupArns[1]: got 42; ${TG_EXPECTED}`,
    );
  });

  it('says what a target group ARN looks like when an entry is not text', () => {
    expect(problemsOf({ LoadBalancerArn: ALB, TargetGroupArns: [null, TG] })).toEqual([
      `TargetGroupArns[0]: got null; ${TG_EXPECTED}`,
    ]);
  });

  it.each([
    ['text before it', `x${TG}`],
    ['text after it', `${TG}/x`],
  ])('rejects a target group ARN with %s', (_, arn) => {
    expect(problemsOf({ LoadBalancerArn: ALB, TargetGroupArns: [arn] })).toEqual([
      `TargetGroupArns[0]: got ${JSON.stringify(arn)}; ${TG_EXPECTED}`,
    ]);
  });

  it('names every unknown field at once', () => {
    expect(
      problemsOf({ LoadBalancerArn: ALB, TargetGroupArns: [TG], DryRun: false, Arn: 1, Dry: 2 }),
    ).toEqual([
      'unknown field "Arn", "Dry"; expected only LoadBalancerArn, TargetGroupArns, DryRun, DiscoveryRoleArn, DiscoveryExternalId',
    ]);
  });

  it.each([
    [[], 'input: got []; expected an object'],
    [42, 'input: got 42; expected an object'],
    [undefined, 'input: got nothing; expected an object'],
    [Symbol('binding'), 'input: got Symbol(binding); expected an object'],
  ])('says an object was expected for %s', (input, problem) => {
    expect(problemsOf(input)).toEqual([problem]);
  });

  it('shows a value of up to 200 characters whole, and cuts a longer one to 200 ending "..."', () => {
    // Prepare: values whose JSON text is 200 and 201 characters long
    const fits = 'a'.repeat(198);
    const tooLong = 'a'.repeat(199);
    const shown = (problem: string | undefined) =>
      problem?.replace(/^LoadBalancerArn: got /, '').replace(/; expected an .*$/, '') ?? '';

    // Act
    const [whole] = problemsOf({ LoadBalancerArn: fits, TargetGroupArns: [TG] });
    const [cut] = problemsOf({ LoadBalancerArn: tooLong, TargetGroupArns: [TG] });

    // Assess
    expect(shown(whole)).toBe(JSON.stringify(fits));
    expect(shown(cut)).toHaveLength(200);
    expect(shown(cut)).toMatch(/\.\.\.$/);
    expect(JSON.stringify(tooLong).startsWith(shown(cut).slice(0, -3))).toBe(true);
  });
});

describe('Function: BindingSchema', () => {
  it('reports a repeated target group, one in another region and one in another partition as custom issues', () => {
    // Prepare
    const elsewhere = TG.replace('us-east-1', 'eu-west-1');
    const china = TG.replace('arn:aws:', 'arn:aws-cn:').replace('us-east-1', 'cn-north-1');

    // Act
    const result = BindingSchema.safeParse({
      LoadBalancerArn: ALB,
      TargetGroupArns: [TG, TG, elsewhere, china],
    });

    // Assess
    expect(result.error?.issues).toEqual([
      expect.objectContaining({
        code: 'custom',
        path: ['TargetGroupArns', 1],
        message: 'expected each target group ARN once; this one is repeated',
      }),
      expect.objectContaining({
        code: 'custom',
        path: ['TargetGroupArns', 2],
        message: "expected a target group in the load balancer's region (us-east-1)",
      }),
      expect.objectContaining({
        code: 'custom',
        path: ['TargetGroupArns', 3],
        message: "expected a target group in the load balancer's partition (aws)",
      }),
    ]);
  });

  it('does not call an object with unknown keys "not an object"', () => {
    // Act
    const result = BindingSchema.safeParse({ LoadBalancerArn: ALB, TargetGroupArns: [TG], X: 1 });

    // Assess
    expect(result.error?.issues).toEqual([
      expect.objectContaining({
        code: 'unrecognized_keys',
        keys: ['X'],
        message: expect.not.stringContaining('expected an object'),
      }),
    ]);
  });
});

describe('Function: parseInput', () => {
  const ListenersSchema = z.strictObject({
    Listeners: z.array(z.strictObject({ Port: z.number({ error: 'expected a port number' }) }), {
      error: 'expected a list of listeners',
    }),
  });

  it('returns the parsed value when the input is valid', () => {
    expect(parseInput(ListenersSchema, { Listeners: [{ Port: 80 }] }, ['Listeners'])).toEqual({
      Listeners: [{ Port: 80 }],
    });
  });

  it('writes a nested path with brackets for list items and dots for fields', () => {
    expect(
      problemsOfInput((input) => parseInput(ListenersSchema, input, ['Listeners']), {
        Listeners: [{ Port: 80 }, { Port: '443' }],
      }),
    ).toEqual(['Listeners[1].Port: got "443"; expected a port number']);
  });

  it('names the nested object that holds an unknown field', () => {
    expect(
      problemsOfInput((input) => parseInput(ListenersSchema, input, ['Listeners']), {
        Listeners: [{ Port: 80, Protocol: 'TCP' }],
      }),
    ).toEqual([expect.stringMatching(/^Listeners\[0\]: unknown field "Protocol"; expected only /)]);
  });
});

describe('Function: parseBinding (an ALB in another account)', () => {
  const OTHER_ALB = ALB.replace('123456789012', '210987654321');
  const ROLE = 'arn:aws:iam::210987654321:role/alb-static-ip/discovery';

  it('takes a discovery role in the ALB account and its external id', () => {
    // Act
    const binding = parseBinding({
      LoadBalancerArn: OTHER_ALB,
      TargetGroupArns: [TG],
      DiscoveryRoleArn: ROLE,
      DiscoveryExternalId: 'a1b2c3d4-e5f6',
    });

    // Assess
    expect(discoveryRoleOf(binding)).toEqual({ roleArn: ROLE, externalId: 'a1b2c3d4-e5f6' });
  });

  it('reads empty role and external id (empty CloudFormation parameters) as none', () => {
    // Act
    const binding = parseBinding({
      LoadBalancerArn: ALB,
      TargetGroupArns: [TG],
      DiscoveryRoleArn: '',
      DiscoveryExternalId: '',
    });

    // Assess
    expect(discoveryRoleOf(binding)).toBeUndefined();
    expect(discoveryRoleOf({ DiscoveryRoleArn: ROLE })).toEqual({ roleArn: ROLE });
  });

  it('refuses an ALB in another account without a role, naming both accounts', () => {
    expect(problemsOf({ LoadBalancerArn: OTHER_ALB, TargetGroupArns: [TG] })).toEqual([
      `LoadBalancerArn: got ${JSON.stringify(OTHER_ALB)}; expected a load balancer in the target groups' account (123456789012), or a DiscoveryRoleArn in the load balancer's account (210987654321) to read it with`,
    ]);
  });

  it('refuses a role in another account than the ALB, an external id without a role, and bad values', () => {
    expect(
      problemsOf({
        LoadBalancerArn: OTHER_ALB,
        TargetGroupArns: [TG],
        DiscoveryRoleArn: ROLE.replace('210987654321', '123456789012'),
      }),
    ).toEqual([
      `DiscoveryRoleArn: got "${ROLE.replace('210987654321', '123456789012')}"; expected a role in the load balancer's account (210987654321), which the role is there to read`,
    ]);
    expect(
      problemsOf({ LoadBalancerArn: ALB, TargetGroupArns: [TG], DiscoveryExternalId: 'abc' }),
    ).toEqual([
      'DiscoveryExternalId: got "abc"; expected no external id without a DiscoveryRoleArn, the role it is for',
    ]);
    expect(
      problemsOf({
        LoadBalancerArn: OTHER_ALB,
        TargetGroupArns: [TG],
        DiscoveryRoleArn: 'arn:aws:iam::210987654321:user/me',
        DiscoveryExternalId: 'x',
      }),
    ).toEqual([
      'DiscoveryRoleArn: got "arn:aws:iam::210987654321:user/me"; expected an IAM role ARN, arn:aws:iam::ACCOUNT:role/NAME, or an empty string for none',
      'DiscoveryExternalId: got "x"; expected 2 to 1224 characters of letters, digits and _+=,.@:/-, or an empty string for none',
    ]);
  });
});
