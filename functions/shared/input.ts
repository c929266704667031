import * as z from 'zod/mini';
import { boundList, boundText } from './bounded-text.js';
import { InvalidInputError } from './errors.js';

/**
 * What every function's input schema shares: validation once, with every problem naming the field
 * and the bad value, and the building blocks the schemas have in common. Each function keeps its
 * own schema (binding.ts for target-group-sync, nlb-private-ips/properties.ts).
 */

/** Validates an input against a schema once; every problem names the field and the bad value. */
export function parseInput<Schema extends z.ZodMiniType>(
  schema: Schema,
  input: unknown,
  fields: readonly string[],
): z.output<Schema> {
  const result = validate(schema, input, fields);
  if (result.ok) return result.value;
  throw new InvalidInputError(result.problems);
}

/**
 * The value, or each problem as a sentence that names the field and the bad value. `fields` are the
 * fields a strict object expects, which a problem about an unknown field lists.
 */
export function validate<Schema extends z.ZodMiniType>(
  schema: Schema,
  input: unknown,
  fields: readonly string[],
): { ok: true; value: z.output<Schema> } | { ok: false; problems: string[] } {
  const result = schema.safeParse(input, { reportInput: true });
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, problems: result.error.issues.map((issue) => describeIssue(issue, fields)) };
}

/**
 * A string that must match an ARN pattern, with one message for a non-string and for a mismatch
 * (a schema's error is also its checks' error), turned into its parsed form by `parse`.
 */
export function parsedArn<Parsed>(
  pattern: RegExp,
  message: string,
  parse: (text: string) => Parsed | undefined,
) {
  return z.pipe(
    z.string({ error: message }).check(z.regex(pattern)),
    // Reached only when the pattern matched, and `parse` reads the same pattern: never undefined.
    z.transform((text: string) => parse(text) as Parsed),
  );
}

/** A boolean, or the string CloudFormation makes of one: `"true"` and `"false"` are accepted. */
export const booleanLike = z.union(
  [
    z.boolean(),
    z.pipe(
      z.enum(['true', 'false']),
      z.transform((text) => text === 'true'),
    ),
  ],
  { error: 'expected true or false (or the strings "true" and "false")' },
);

/**
 * The options of every input object: unknown fields are refused, each named (the default message
 * lists them); anything but an object is "expected an object".
 */
export const strictObjectOptions = {
  error: (issue: { code?: string }) =>
    issue.code === 'unrecognized_keys' ? undefined : 'expected an object',
};

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
