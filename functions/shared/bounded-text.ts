/**
 * Text built from input is bounded before it goes into an error or a log line: a 100 KB field name
 * must not make a 100 KB message, and users pay for every byte CloudWatch Logs stores.
 */

/** At most `max` characters (`max` of 3 or more): the text itself, or its start and `...`. */
export function boundText(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 3))}...`;
}

/**
 * The first `shown` items, and how many more there were: `a; b; c; and 997 more`. A list of
 * problems stays readable and bounded however many there are.
 */
export function boundList(items: readonly string[], shown: number, separator = '; '): string {
  const head = items.slice(0, shown).join(separator);
  const rest = items.length - shown;
  return rest > 0 ? `${head}${separator}and ${rest} more` : head;
}
