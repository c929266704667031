/** Small helpers for the benchmark: order statistics, formatting and a failure type. */

/** A correctness check of the benchmark failed: the numbers measured would mean nothing. */
export class BenchFailure extends Error {
  override readonly name = 'BenchFailure';
}

export function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new BenchFailure(message);
}

/** Nearest-rank percentile (p in 0..100) of a non-empty list. */
export function percentile(values: readonly number[], p: number): number {
  check(values.length > 0, 'percentile of an empty list');
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] ?? Number.NaN;
}

export function median(values: readonly number[]): number {
  check(values.length > 0, 'median of an empty list');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? Number.NaN;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? Number.NaN) + upper) / 2;
}

/** `{ A: 2, B: 1 }` for ['A', 'B', 'A'], keys in first-seen order. */
export function countBy(items: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[item] = (counts[item] ?? 0) + 1;
  return counts;
}

export function formatCounts(counts: Record<string, number>): string {
  const entries = Object.entries(counts);
  return entries.length === 0 ? '(none)' : entries.map(([key, n]) => `${key}=${n}`).join(', ');
}

export const ms = (value: number): string => value.toFixed(1);

export const kib = (bytes: number): string => (bytes / 1024).toFixed(1);

/** A Markdown table; every cell is already a string. */
export function markdownTable(header: readonly string[], rows: readonly string[][]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Elapsed wall time of an async call, in milliseconds. */
export async function timed<T>(run: () => Promise<T>): Promise<{ value: T; elapsed: number }> {
  const start = performance.now();
  const value = await run();
  return { value, elapsed: performance.now() - start };
}

/**
 * Runs `work` with everything written to stdout counted and kept off the terminal: what the
 * function's logger and its EMF metrics print, which CloudWatch Logs stores and bills.
 */
export async function countingStdout<T>(
  work: () => Promise<T>,
): Promise<{ value: T; bytes: number }> {
  const write = process.stdout.write;
  let bytes = 0;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
    return true;
  }) as typeof process.stdout.write;
  try {
    return { value: await work(), bytes };
  } finally {
    process.stdout.write = write;
  }
}
