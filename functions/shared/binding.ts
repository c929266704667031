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

export function parseBinding(input: unknown): Binding {
  return parseInput(BindingSchema, input, ['LoadBalancerArn', 'TargetGroupArns', 'DryRun']);
}
