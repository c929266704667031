import * as z from 'zod/mini';
import {
  ALB_ARN_EXAMPLE,
  APPLICATION_LOAD_BALANCER_ARN,
  type LoadBalancerArn,
  parseLoadBalancerArn,
  parseTargetGroupArn,
  TARGET_GROUP_ARN,
  TARGET_GROUP_ARN_EXAMPLE,
} from './arns.js';
import { booleanLike, parsedArn, parseInput, strictObjectOptions } from './input.js';

/**
 * The binding of an Application Load Balancer to the NLB target groups that front it: the one input
 * of target-group-sync, whether it arrives as a schedule rule's Input, an ENI-event rule's Input or
 * a custom resource's properties. CloudFormation turns booleans into strings, so `"true"` and
 * `"false"` are accepted for DryRun. The load balancer's ARN is parsed here, once: the binding
 * carries its pieces (region, name, the ENI description, ...) to every consumer.
 */

/** The most target groups one binding may name: an NLB has at most 50 listeners, one port each. */
export const MAX_TARGET_GROUPS = 50;

const albArn = parsedArn(
  APPLICATION_LOAD_BALANCER_ARN,
  `expected an Application Load Balancer ARN, ${ALB_ARN_EXAMPLE}`,
  (text) => parseLoadBalancerArn(text, APPLICATION_LOAD_BALANCER_ARN),
);

/**
 * The role target-group-sync assumes to read an ALB in another account (README, "An ALB in another
 * account"). Empty is absent: a CloudFormation parameter left empty arrives as "". Role names and
 * paths take `[\w+=,.@-]`; an external id 2 to 1,224 characters of `[\w+=,.@:/-]`.
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
 */
export const ROLE_ARN =
  /^arn:aws(?:-[a-z]+)*:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
const ROLE_ARN_EXPECTED =
  'expected an IAM role ARN, arn:aws:iam::ACCOUNT:role/NAME, or an empty string for none';

const discoveryRoleArn = z.optional(
  z
    .string({ error: ROLE_ARN_EXPECTED })
    .check(z.refine((text) => text === '' || ROLE_ARN.test(text), { error: ROLE_ARN_EXPECTED })),
);
const EXTERNAL_ID_EXPECTED =
  'expected 2 to 1224 characters of letters, digits and _+=,.@:/-, or an empty string for none';
const discoveryExternalId = z.optional(
  z
    .string({ error: EXTERNAL_ID_EXPECTED })
    .check(
      z.refine((text) => text === '' || EXTERNAL_ID.test(text), { error: EXTERNAL_ID_EXPECTED }),
    ),
);

const targetGroupArn = z
  .string({ error: `expected a target group ARN, ${TARGET_GROUP_ARN_EXAMPLE}` })
  .check(z.regex(TARGET_GROUP_ARN));

export const BindingSchema = z
  .strictObject(
    {
      LoadBalancerArn: albArn,
      TargetGroupArns: z.pipe(
        z.array(targetGroupArn, { error: 'expected a list of target group ARNs' }),
        // Piped so the length checks run only on a list: zod would measure a string's length too.
        z.array(z.string()).check(
          z.minLength(1, { error: 'expected at least one target group ARN' }),
          z.maxLength(MAX_TARGET_GROUPS, {
            error: `expected at most ${MAX_TARGET_GROUPS} target group ARNs`,
          }),
        ),
      ),
      DryRun: z._default(booleanLike, false),
      DiscoveryRoleArn: discoveryRoleArn,
      DiscoveryExternalId: discoveryExternalId,
    },
    strictObjectOptions,
  )
  .check(
    z.superRefine((binding, context) => {
      // Runs even when the load balancer's ARN failed its pattern above: it is then still the text
      // it came as, and only the repeats are checked. A target group in another partition or
      // Region than the load balancer could never be written: say so before any AWS call.
      const seen = new Set<string>();
      const loadBalancer = binding.LoadBalancerArn as LoadBalancerArn | string;
      checkDiscoveryRole(binding, loadBalancer, context);
      binding.TargetGroupArns.forEach((arn, index) => {
        if (seen.has(arn)) {
          context.addIssue({
            code: 'custom',
            path: ['TargetGroupArns', index],
            input: arn,
            message: 'expected each target group ARN once; this one is repeated',
          });
        }
        seen.add(arn);
        const group = parseTargetGroupArn(arn);
        if (!group || typeof loadBalancer === 'string') return;
        if (group.partition !== loadBalancer.partition) {
          context.addIssue({
            code: 'custom',
            path: ['TargetGroupArns', index],
            input: arn,
            message: `expected a target group in the load balancer's partition (${loadBalancer.partition})`,
          });
        } else if (group.region !== loadBalancer.region) {
          context.addIssue({
            code: 'custom',
            path: ['TargetGroupArns', index],
            input: arn,
            message: `expected a target group in the load balancer's region (${loadBalancer.region})`,
          });
        }
      });
    }),
  );

export type Binding = z.output<typeof BindingSchema>;

export const BINDING_FIELDS = [
  'LoadBalancerArn',
  'TargetGroupArns',
  'DryRun',
  'DiscoveryRoleArn',
  'DiscoveryExternalId',
];

export function parseBinding(input: unknown): Binding {
  return parseInput(BindingSchema, input, BINDING_FIELDS);
}

/** The role to read the ALB with, and its external id; undefined: the function's own account. */
export interface DiscoveryRole {
  readonly roleArn: string;
  readonly externalId?: string;
}

export function discoveryRoleOf(
  binding: Pick<Binding, 'DiscoveryRoleArn' | 'DiscoveryExternalId'>,
): DiscoveryRole | undefined {
  if (!binding.DiscoveryRoleArn) return undefined;
  return {
    roleArn: binding.DiscoveryRoleArn,
    ...(binding.DiscoveryExternalId ? { externalId: binding.DiscoveryExternalId } : {}),
  };
}

/**
 * The role must be in the ALB's account: it is there to read the ALB. Without a role, the ALB must
 * be in the target groups' account, the one the function's own credentials read: AWS would answer
 * LoadBalancerNotFound for another account's ALB, which says nothing about the cause.
 */
function checkDiscoveryRole(
  binding: {
    TargetGroupArns: readonly string[];
    DiscoveryRoleArn?: string | undefined;
    DiscoveryExternalId?: string | undefined;
  },
  loadBalancer: LoadBalancerArn | string,
  context: Pick<z.core.$RefinementCtx<unknown>, 'addIssue'>,
): void {
  const roleArn = binding.DiscoveryRoleArn ?? '';
  if (!roleArn && binding.DiscoveryExternalId) {
    context.addIssue({
      code: 'custom',
      path: ['DiscoveryExternalId'],
      input: binding.DiscoveryExternalId,
      message: 'expected no external id without a DiscoveryRoleArn, the role it is for',
    });
  }
  if (typeof loadBalancer === 'string') return;
  const roleAccount = ROLE_ARN.exec(roleArn)?.[1];
  if (roleAccount !== undefined && roleAccount !== loadBalancer.account) {
    context.addIssue({
      code: 'custom',
      path: ['DiscoveryRoleArn'],
      input: roleArn,
      message: `expected a role in the load balancer's account (${loadBalancer.account}), which the role is there to read`,
    });
  }
  if (roleArn) return;
  const otherAccount = binding.TargetGroupArns.map(parseTargetGroupArn).find(
    (group) => group !== undefined && group.account !== loadBalancer.account,
  );
  if (otherAccount) {
    context.addIssue({
      code: 'custom',
      path: ['LoadBalancerArn'],
      input: loadBalancer.arn,
      message: `expected a load balancer in the target groups' account (${otherAccount.account}), or a DiscoveryRoleArn in the load balancer's account (${loadBalancer.account}) to read it with`,
    });
  }
}
