import * as z from 'zod/mini';
import {
  ALB_ARN_EXAMPLE,
  APPLICATION_LOAD_BALANCER_ARN,
  arnPartition,
  arnRegion,
  TARGET_GROUP_ARN,
  TARGET_GROUP_ARN_EXAMPLE,
} from './arns.js';
import { boundList, boundText } from './bounded-text.js';
import { InvalidInputError } from './errors.js';

/**
 * The binding of an Application Load Balancer to the NLB target groups that front it: the one input
 * of target-group-sync, whether it arrives as a schedule rule's Input, an ENI-event rule's Input or
 * a custom resource's properties. CloudFormation turns booleans into strings, so `"true"` and
 * `"false"` are accepted for DryRun.
 */

/** The most target groups one binding may name: an NLB has at most 50 listeners, one port each. */
export const MAX_TARGET_GROUPS = 50;

const booleanLike = z.union(
  [
    z.boolean(),
    z.pipe(
      z.enum(['true', 'false']),
      z.transform((text) => text === 'true'),
    ),
  ],
  { error: 'expected true or false (or the strings "true" and "false")' },
);

// A schema's error is also its checks' error: one text for a non-string and for a bad pattern.
const albArn = z
  .string({ error: `expected an Application Load Balancer ARN, ${ALB_ARN_EXAMPLE}` })
  .check(z.regex(APPLICATION_LOAD_BALANCER_ARN));

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
    { error: (issue) => (issue.code === 'unrecognized_keys' ? undefined : 'expected an object') },
  )
  .check(
    z.superRefine((binding, context) => {
      // Runs even when a field failed above: compare only well-formed ARNs. A target group in
      // another partition or Region than the load balancer could never be written: say so before
      // any AWS call.
      const seen = new Set<string>();
      const wellFormed = APPLICATION_LOAD_BALANCER_ARN.test(binding.LoadBalancerArn);
      const partition = wellFormed ? arnPartition(binding.LoadBalancerArn) : undefined;
      const region = wellFormed ? arnRegion(binding.LoadBalancerArn) : undefined;
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
        if (partition && TARGET_GROUP_ARN.test(arn) && arnPartition(arn) !== partition) {
          context.addIssue({
            code: 'custom',
            path: ['TargetGroupArns', index],
            input: arn,
            message: `expected a target group in the load balancer's partition (${partition})`,
          });
        } else if (region && TARGET_GROUP_ARN.test(arn) && arnRegion(arn) !== region) {
          context.addIssue({
            code: 'custom',
            path: ['TargetGroupArns', index],
            input: arn,
            message: `expected a target group in the load balancer's region (${region})`,
          });
        }
      });
    }),
  );

export type Binding = z.output<typeof BindingSchema>;

/** Validates an input against a schema once; every problem names the field and the bad value. */
export function parseInput<Schema extends z.ZodMiniType>(
  schema: Schema,
  input: unknown,
  fields: readonly string[],
): z.output<Schema> {
  const result = schema.safeParse(input, { reportInput: true });
  if (result.success) return result.data;
  throw new InvalidInputError(result.error.issues.map((issue) => describeIssue(issue, fields)));
}

export function parseBinding(input: unknown): Binding {
  return parseInput(BindingSchema, input, ['LoadBalancerArn', 'TargetGroupArns', 'DryRun']);
}

/** A field name from the input, as a message shows it: at most this many characters. */
const FIELD_CHARS = 64;
/** How many unknown fields one problem names. */
const UNKNOWN_FIELDS_SHOWN = 5;

function describeIssue(issue: z.core.$ZodIssue, fields: readonly string[]): string {
  const field = formatPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    const keys = boundList(
      issue.keys.map((key) => JSON.stringify(boundText(key, FIELD_CHARS))),
      UNKNOWN_FIELDS_SHOWN,
      ', ',
    );
    return `${field ? `${field}: ` : ''}unknown field ${keys}; expected only ${fields.join(', ')}`;
  }
  const got = describeValue((issue as { input?: unknown }).input);
  return `${field || 'input'}: got ${got}; ${issue.message}`;
}

function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((key, index) =>
      typeof key === 'number'
        ? `[${key}]`
        : `${index === 0 ? '' : '.'}${boundText(String(key), FIELD_CHARS)}`,
    )
    .join('');
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  if (text === undefined) return String(value);
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}
