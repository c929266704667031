/**
 * EventBridge event-pattern matching, for the forms the template's rules use, as the EventBridge
 * User Guide and its matching library (aws/event-ruler) define them:
 * - a field's pattern is a list: the event's value must equal one of its entries; when the event's
 *   value is a list too, one of its members must (the lists intersect);
 * - `{ "exists": true | false }` in that list: whether the field is present as a leaf (a value, or
 *   a list of values). An absent field, or one holding an object, does not exist as a leaf;
 * - a nested object: the same match one level down, every field of it (AND);
 * - `"$or": [pattern, pattern, ...]`: at least one of the alternatives matches at that level.
 * Any other operator (prefix, anything-but, numeric, ...) throws, so a test never passes on a
 * pattern this matcher only half understands.
 *
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-arrays.html
 * https://github.com/aws/event-ruler#exists-matching
 */

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type EventPattern = { [field: string]: unknown };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The leaf values of an event field: none when absent or an object, its members when a list. */
function leaves(value: unknown): Json[] {
  if (value === undefined || isObject(value)) return [];
  if (Array.isArray(value)) return value.flatMap((member) => leaves(member));
  return [value as Json];
}

function matchesField(allowed: unknown[], value: unknown, path: string): boolean {
  const values = leaves(value);
  return allowed.some((entry) => {
    if (isObject(entry)) {
      const keys = Object.keys(entry);
      if (keys.length === 1 && keys[0] === 'exists' && typeof entry.exists === 'boolean') {
        return entry.exists === values.length > 0;
      }
      throw new Error(`${path}: unsupported pattern operator ${JSON.stringify(entry)}`);
    }
    if (Array.isArray(entry)) throw new Error(`${path}: a list inside a field's list`);
    return values.includes(entry as Json);
  });
}

/** Whether the event matches the pattern, at the given level of both. */
export function matchesPattern(pattern: EventPattern, event: unknown, path = ''): boolean {
  if (Array.isArray(event)) throw new Error(`${path}: a list of objects in the event`);
  const fields = isObject(event) ? event : {};
  return Object.entries(pattern).every(([key, expected]) => {
    const at = path === '' ? key : `${path}.${key}`;
    if (key === '$or') {
      if (!Array.isArray(expected) || expected.length < 2 || !expected.every(isObject)) {
        throw new Error(`${at}: $or takes a list of at least two patterns`);
      }
      return expected.some((alternative) => matchesPattern(alternative, event, path));
    }
    if (Array.isArray(expected)) return matchesField(expected, fields[key], at);
    if (isObject(expected)) return matchesPattern(expected, fields[key], at);
    throw new Error(`${at}: a pattern's field must be a list or an object`);
  });
}
