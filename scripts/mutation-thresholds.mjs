// `npm run mutation` ends here: Stryker's total score is one number, but the bar is per module.
// This reads the JSON report Stryker wrote and fails when any module scores below its threshold,
// or when the report and the table disagree on which modules were mutated.
//
// Score, as Stryker computes it: (killed + timed out) / (killed + timed out + survived + not
// covered). Mutants that did not compile or that a `// Stryker disable` comment excludes do not count.
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const REPORT_PATH = join(ROOT, 'reports', 'mutation', 'mutation.json');

/**
 * The modules Stryker mutates (stryker.config.mjs reads this list) and the lowest score each may
 * have. The custom-resource runtime (with how it sends its answer), the plans and the input schemas
 * (with the shared input parsing, the ARN parse and the environment check) break below 90 %; so
 * does the rest, where a broken line is as costly: the security-group and target-group reads and
 * writes, the owner tags, the deadline and the bounds on text from input; and the AlbStaticIp
 * macro, whose expansion every bridge in an account gets, and the verdicts of the alb-static-ip
 * command, on which cron jobs and CI steps act.
 */
export const MUTATION_THRESHOLDS = {
  'functions/shared/custom-resource.ts': 90,
  'functions/shared/custom-resource-response.ts': 90,
  'functions/shared/binding.ts': 90,
  'functions/nlb-private-ips/properties.ts': 90,
  'functions/target-group-sync/plan.ts': 90,
  'functions/nlb-private-ips/ingress-rules.ts': 90,
  'functions/target-group-sync/sync.ts': 90,
  'functions/nlb-private-ips/security-group-rules.ts': 90,
  'functions/target-group-sync/target-group-owners.ts': 90,
  'functions/target-group-sync/zone-coverage.ts': 90,
  'functions/target-group-sync/outside-vpc-ranges.ts': 90,
  'functions/shared/bounded-text.ts': 90,
  'functions/shared/deadline.ts': 90,
  'functions/shared/input.ts': 90,
  'functions/shared/arns.ts': 90,
  'functions/shared/observability.ts': 90,
  'functions/target-group-sync/target-groups.ts': 90,
  'functions/bridge-macro/expand.ts': 90,
  'functions/bridge-macro/properties.ts': 90,
  'functions/bridge-macro/health-check-port.ts': 90,
  'functions/bridge-macro/macro.ts': 90,
  'functions/bridge-macro/environment.ts': 90,
  'functions/shared/stack-trace.ts': 90,
  'functions/shared/discovery-credentials.ts': 90,
  'functions/shared/discovery-accounts.ts': 90,
  'functions/shared/load-balancer-enis.ts': 90,
  'cli/report.ts': 90,
};

const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);

/** One row a module: its score (null when no mutant counts) and whether it meets its threshold. */
export function checkScores(report, thresholds, root = ROOT) {
  const files = new Map(
    Object.entries(report.files ?? {}).map(([path, file]) => [
      relative(root, resolve(root, path)),
      file,
    ]),
  );
  const rows = Object.entries(thresholds).map(([module, threshold]) => {
    const file = files.get(module);
    if (file === undefined) return { module, threshold, score: null, ok: false, missing: true };
    let detected = 0;
    let undetected = 0;
    for (const mutant of file.mutants ?? []) {
      if (DETECTED.has(mutant.status)) detected += 1;
      else if (UNDETECTED.has(mutant.status)) undetected += 1;
    }
    const valid = detected + undetected;
    const score = valid === 0 ? null : (100 * detected) / valid;
    return { module, threshold, score, detected, valid, ok: score === null || score >= threshold };
  });
  const unlisted = [...files.keys()].filter((module) => !(module in thresholds));
  return { rows, unlisted, ok: rows.every((row) => row.ok) && unlisted.length === 0 };
}

export function formatScores({ rows, unlisted, ok }) {
  const lines = rows.map((row) => {
    if (row.missing) return `FAIL ${row.module}: not in the report; expected Stryker to mutate it`;
    const score = row.score === null ? 'no mutants' : `${row.score.toFixed(2)} %`;
    const counts = row.score === null ? '' : ` (${row.detected} of ${row.valid} detected)`;
    return `${row.ok ? 'ok  ' : 'FAIL'} ${row.module}: ${score}${counts}, threshold ${row.threshold} %`;
  });
  for (const module of unlisted) {
    lines.push(`FAIL ${module}: mutated, but has no threshold in scripts/mutation-thresholds.mjs`);
  }
  lines.push(ok ? 'mutation: every module meets its threshold' : 'mutation: FAILED');
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const path = process.argv[2] ?? REPORT_PATH;
  let report;
  try {
    report = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    console.error(`mutation: cannot read ${path} (${error.message}); run npm run mutation`);
    process.exit(2);
  }
  const result = checkScores(report, MUTATION_THRESHOLDS);
  const text = formatScores(result);
  if (result.ok) console.log(text);
  else console.error(text);
  process.exit(result.ok ? 0 : 1);
}
