// `npm run mutation` ends its Stryker run here: the incremental file (stryker.config.mjs,
// incrementalFile) is rewritten in one canonical form, so that a run that changed nothing writes
// the same bytes and a run that changed one module changes only that module's lines.
//
// Stryker numbers tests and mutants in the order they happened to run, records the machine's path
// and the run's options, and writes all of it on one line: every run would rewrite all 4 MB. Stryker
// reads back only `files` and `testFiles`, and within them matches tests by file and name and
// mutants by file, place, mutator and replacement, never by number (IncrementalDiffer in
// @stryker-mutator/core). So the numbers are given anew in sorted order, the rest is dropped, and
// the file is written one mutant or test a line.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const byText = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
const position = ({ line, column }) => [line, column];

function compareMutants(a, b) {
  const keys = (m) => [
    ...position(m.location.start),
    ...position(m.location.end),
    m.mutatorName,
    m.replacement ?? '',
  ];
  const [left, right] = [keys(a), keys(b)];
  for (let i = 0; i < left.length; i += 1) {
    const order =
      typeof left[i] === 'number' ? left[i] - right[i] : byText(String(left[i]), String(right[i]));
    if (order !== 0) return order;
  }
  return 0;
}

/** A copy with every object's keys in sorted order: a reused result and a new one list them apart. */
function sortedKeys(value) {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort(byText)
      .map((key) => [key, sortedKeys(value[key])]),
  );
}

/** The report in canonical form: only what Stryker reads back, numbered in sorted order. */
export function canonicalReport(report) {
  const testFiles = report.testFiles ?? {};
  const newTestId = new Map();
  const canonicalTestFiles = {};
  for (const fileName of Object.keys(testFiles).sort(byText)) {
    const { source, tests } = testFiles[fileName];
    const sorted = [...tests].sort((a, b) => byText(a.name, b.name));
    canonicalTestFiles[fileName] = {
      ...(source === undefined ? {} : { source }),
      tests: sorted.map((test) => {
        const id = String(newTestId.size);
        newTestId.set(test.id, id);
        return sortedKeys({ ...test, id });
      }),
    };
  }
  const renumber = (ids) =>
    ids
      .map((id) => newTestId.get(id))
      .filter((id) => id !== undefined)
      .sort((a, b) => Number(a) - Number(b));

  let mutantCount = 0;
  const files = {};
  for (const fileName of Object.keys(report.files ?? {}).sort(byText)) {
    const { mutants, ...rest } = report.files[fileName];
    files[fileName] = {
      ...rest,
      mutants: [...mutants].sort(compareMutants).map((mutant) => {
        const canonical = { ...mutant, id: String(mutantCount) };
        mutantCount += 1;
        // Stryker writes an empty killedBy for a reused result and none for a new one alike.
        for (const list of ['coveredBy', 'killedBy']) {
          if (mutant[list] === undefined || mutant[list].length === 0) delete canonical[list];
          else canonical[list] = renumber(mutant[list]);
        }
        return sortedKeys(canonical);
      }),
    };
  }
  return { schemaVersion: report.schemaVersion, files, testFiles: canonicalTestFiles };
}

/** JSON with one mutant or one test a line, and each file's source on a line of its own. */
export function formatReport(report) {
  const entries = (object, render) =>
    Object.entries(object)
      .map(([name, value]) => `${JSON.stringify(name)}: ${render(value)}`)
      .join(',\n');
  const list = (items) => `[\n${items.map((item) => JSON.stringify(item)).join(',\n')}\n]`;
  const file =
    (items) =>
    ({ mutants, tests, ...rest }) => {
      const parts = Object.entries(rest).map(
        ([key, value]) => `${JSON.stringify(key)}: ${JSON.stringify(value)}`,
      );
      parts.push(`${JSON.stringify(items)}: ${list(mutants ?? tests)}`);
      return `{\n${parts.join(',\n')}\n}`;
    };
  return [
    '{',
    `"schemaVersion": ${JSON.stringify(report.schemaVersion)},`,
    `"files": {\n${entries(report.files, file('mutants'))}\n},`,
    `"testFiles": {\n${entries(report.testFiles, file('tests'))}\n}`,
    '}',
    '',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { default: config } = await import(join(ROOT, 'stryker.config.mjs'));
  const path = join(ROOT, process.argv[2] ?? config.incrementalFile);
  let report;
  try {
    report = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    console.error(
      `stable-incremental: cannot read ${path} (${error.message}); run npm run mutation`,
    );
    process.exit(2);
  }
  writeFileSync(path, formatReport(canonicalReport(report)));
}
