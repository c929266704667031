import { vi } from 'vitest';

/**
 * Every JSON line a function prints from now on (Powertools writes to stdout, and errors to
 * stderr), for a test that reads its logs. The spies are undone after each test (restoreMocks).
 */
export function captureOutput(): () => Record<string, unknown>[] {
  const lines: string[] = [];
  const record = (chunk: string | Uint8Array) => {
    lines.push(...chunk.toString().split('\n').filter(Boolean));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(record);
  vi.spyOn(process.stderr, 'write').mockImplementation(record);
  return () =>
    lines.flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
}
