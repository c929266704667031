/**
 * The cold-start section of `npm run bench` alone, on the bundles of dist/ (run `npm run build`
 * first): `npx tsx bench/cold-main.ts`. Markdown to stdout, progress to stderr; a wrong result of
 * any run exits 1.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchColdStart, snapshotBundles } from './bundle-bench.js';
import { BenchFailure } from './stats.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const progress = (line: string) => console.error(`[bench] ${line}`);

async function main(): Promise<void> {
  const started = performance.now();
  const snapshot = snapshotBundles(join(root, 'dist'));
  try {
    const lines = await benchColdStart(snapshot, progress);
    console.log(lines.join('\n'));
    console.log(
      `\nnode ${process.version}; cold-start bench wall time ${((performance.now() - started) / 1000).toFixed(1)} s.`,
    );
  } finally {
    snapshot.remove();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(
      error instanceof BenchFailure
        ? `\nBENCH FAILED: ${error.message}`
        : `\nBENCH ERROR: ${error}`,
    );
    process.exit(1);
  },
);
