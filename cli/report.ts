import type { RegisteredTarget } from '../functions/target-group-sync/plan.js';
import type { SyncSummary } from '../functions/target-group-sync/sync.js';

/**
 * What `alb-static-ip status` says about one bridge, a pure function of what it read: the sync's
 * own dry run (what the next run would register and deregister, and the zones) and each group's
 * targets with their health. And the exit code of a whole report, so that a cron job or a CI step
 * can act on it.
 */

/** The exit codes, most serious first: a report takes the most serious of its bridges'. */
export const EXIT = {
  ok: 0,
  /** Something could not be read or checked: the stack, a group, the ALB. */
  error: 1,
  /** The next sync would register or deregister targets: the groups differ from the ALB. */
  outOfSync: 2,
  /** In sync, but a target is not healthy, or an ALB IP is in a zone the NLB does not serve. */
  unhealthy: 3,
  /** The command line was not understood. */
  usage: 64,
} as const;

/**
 * Health states that mean a target takes no traffic it should: failing checks, unused (a zone the
 * NLB does not serve, or no listener), unavailable. `initial` (checks not passed yet) and
 * `draining` (a stale IP on its way out) are passing states.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetHealth.html
 */
const UNHEALTHY_STATES: ReadonlySet<string> = new Set([
  'unhealthy',
  'unhealthy.draining',
  'unused',
  'unavailable',
]);

export interface GroupReport {
  readonly targetGroupArn: string;
  readonly targets: readonly { target: string; state: string; reason?: string }[];
  readonly toRegister: readonly string[];
  readonly toDeregister: readonly string[];
  readonly outsideNlbZones: readonly string[];
  readonly error?: string;
}

export interface BridgeReport {
  readonly bridge: string;
  readonly loadBalancerArn: string;
  readonly staticIps: readonly string[];
  readonly nlbPrivateIps: readonly string[];
  readonly albIps: readonly string[];
  readonly groups: readonly GroupReport[];
  /** `in sync`, `out of sync`, `unhealthy` or `error`: the exit code's reason, for people. */
  readonly verdict: 'in sync' | 'out of sync' | 'unhealthy' | 'error';
  readonly exitCode: number;
}

/** The report of one bridge from its dry run and the health of each group's targets. */
export function bridgeReport(
  bridge: { name: string; staticIps: readonly string[]; nlbPrivateIps: readonly string[] },
  summary: SyncSummary,
  health: ReadonlyMap<string, readonly RegisteredTarget[] | Error>,
): BridgeReport {
  const groups = summary.targetGroups.map((group): GroupReport => {
    const targets = health.get(group.targetGroupArn);
    const error = group.error ?? (targets instanceof Error ? targets.message : undefined);
    return {
      targetGroupArn: group.targetGroupArn,
      targets:
        targets === undefined || targets instanceof Error
          ? []
          : targets.map(({ id, port, state, reason }) => ({
              target: `${id}:${port}`,
              state: state ?? 'unknown',
              ...(reason ? { reason } : {}),
            })),
      toRegister: group.registered,
      toDeregister: group.deregistered,
      outsideNlbZones: group.outsideNlbZones ?? [],
      ...(error === undefined ? {} : { error }),
    };
  });
  const verdict = verdictOf(groups);
  return {
    bridge: bridge.name,
    loadBalancerArn: summary.loadBalancerArn,
    staticIps: bridge.staticIps,
    nlbPrivateIps: bridge.nlbPrivateIps,
    albIps: summary.albIps,
    groups,
    verdict,
    exitCode: EXIT_OF[verdict],
  };
}

const EXIT_OF = {
  'in sync': EXIT.ok,
  'out of sync': EXIT.outOfSync,
  unhealthy: EXIT.unhealthy,
  error: EXIT.error,
} as const;

function verdictOf(groups: readonly GroupReport[]): BridgeReport['verdict'] {
  if (groups.some((group) => group.error !== undefined)) return 'error';
  if (groups.some((group) => group.toRegister.length > 0 || group.toDeregister.length > 0)) {
    return 'out of sync';
  }
  const unhealthy = groups.some(
    (group) =>
      group.outsideNlbZones.length > 0 ||
      group.targets.length === 0 ||
      group.targets.some(({ state }) => UNHEALTHY_STATES.has(state)),
  );
  return unhealthy ? 'unhealthy' : 'in sync';
}

/** The exit code of several bridges: the most serious (error, then out of sync, then unhealthy). */
export function exitCodeOf(reports: readonly Pick<BridgeReport, 'exitCode'>[]): number {
  for (const code of [EXIT.error, EXIT.outOfSync, EXIT.unhealthy]) {
    if (reports.some((report) => report.exitCode === code)) return code;
  }
  return EXIT.ok;
}
