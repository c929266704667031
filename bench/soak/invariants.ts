import type { ReceiverAttempt } from './response-url-receiver.js';

/**
 * The soak's invariants, as pure functions of what was read from the emulator directly (never
 * through the fault proxy) and what the functions reported. Each returns the violations it found,
 * described with the values that broke it; the runner adds the cycle.
 */

export const VIOLATION_KINDS = [
  /** A DeregisterTargets would have left the group empty while the ALB had IPs. */
  'emptied-by-deregister',
  /** After a run, a synced group was empty while the ALB had IPs. */
  'empty-after-run',
  /** A RegisterTargets named an IP that was never one of the ALB's. */
  'foreign-ip-registered',
  /** After a run without faults, a group did not hold exactly the ALB's IPs. */
  'not-converged-fault-free',
  /** A run reported success, yet its groups did not hold exactly the ALB's IPs. */
  'success-not-converged',
  /** A run failed on InvalidTarget: a retried DeregisterTargets of targets already gone. */
  'spurious-failure',
  /** A custom-resource Delete answered SUCCESS and left ALB IPs in groups it was the last owner of. */
  'teardown-left-ips',
  /** nlb-private-ips answered SUCCESS with IPs, or left ingress, other than the NLB's. */
  'nlb-answer-wrong',
  /** A custom-resource event got no accepted (2xx) answer, or more than one. */
  'answers-not-one',
  /** A custom-resource answer was accepted after the event's deadline. */
  'answer-after-deadline',
  /** A request reached the ResponseURL after the handler had returned. */
  'answer-after-return',
  /** Two requests to one event's ResponseURL carried different answers. */
  'answers-disagree',
  /** A handler returned after its Lambda context's deadline. */
  'run-overran-deadline',
  /** A handler threw where it must answer (custom resource), or resolved with nothing. */
  'handler-threw',
] as const;

export type ViolationKind = (typeof VIOLATION_KINDS)[number];

export interface Finding {
  readonly kind: ViolationKind;
  readonly detail: string;
}

/** A target as DescribeTargetHealth shows it, read from the emulator. */
export interface GroupTarget {
  readonly id: string;
  readonly state?: string;
}

/** States of targets on their way out, or not registered at all: they serve no traffic. */
const NOT_SERVING = new Set(['draining', 'unused']);

/** The ids (IPs) of the targets of a RegisterTargets or DeregisterTargets Query request. */
export function targetIdsOf(params: URLSearchParams): string[] {
  const ids: string[] = [];
  for (const [key, value] of params) {
    if (/^Targets\.member\.\d+\.Id$/.test(key)) ids.push(value);
  }
  return ids;
}

/**
 * A DeregisterTargets about to be sent: a violation if it would leave no serving target while the
 * ALB has IPs.
 */
export function checkDeregister(
  targetGroup: string,
  current: readonly GroupTarget[],
  deregistering: readonly string[],
  albIps: readonly string[],
): Finding[] {
  if (albIps.length === 0) return [];
  const leaving = new Set(deregistering);
  const remaining = current.filter(
    (target) => !NOT_SERVING.has(target.state ?? '') && !leaving.has(target.id),
  );
  if (remaining.length > 0) return [];
  return [
    {
      kind: 'emptied-by-deregister',
      detail: `DeregisterTargets of ${deregistering.join(', ')} in ${targetGroup}: got 0 targets left; expected at least 1 while the ALB has ${albIps.length} IP(s)`,
    },
  ];
}

/** A RegisterTargets about to be sent: every IP must have been the ALB's at some point. */
export function checkRegister(
  targetGroup: string,
  registering: readonly string[],
  albIpHistory: ReadonlySet<string>,
): Finding[] {
  const foreign = registering.filter((ip) => !albIpHistory.has(ip));
  if (foreign.length === 0) return [];
  return [
    {
      kind: 'foreign-ip-registered',
      detail: `RegisterTargets in ${targetGroup}: got ${foreign.join(', ')}; expected only IPs the ALB has had`,
    },
  ];
}

/** How a group differs from the ALB's IPs: what it lacks and what it has besides. */
export function difference(
  groupIps: readonly string[],
  albIps: readonly string[],
): { missing: string[]; extra: string[] } {
  const group = new Set(groupIps);
  const alb = new Set(albIps);
  return {
    missing: [...alb].filter((ip) => !group.has(ip)).sort(),
    extra: [...group].filter((ip) => !alb.has(ip)).sort(),
  };
}

export const converged = (groupIps: readonly string[], albIps: readonly string[]): boolean => {
  const { missing, extra } = difference(groupIps, albIps);
  return missing.length === 0 && extra.length === 0;
};

const describeDifference = (group: string, groupIps: readonly string[], albIps: string[]) => {
  const { missing, extra } = difference(groupIps, albIps);
  return `${group}: got [${[...groupIps].sort().join(', ')}]; expected the ALB's [${[...albIps].sort().join(', ')}] (missing ${missing.length}, extra ${extra.length})`;
};

/** What a run reported: success, or failure with the reason it gave. */
export type Reported = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * A run that wrote the groups, judged by what it reported and what the groups hold now:
 * - success requires every group to hold exactly the ALB's IPs;
 * - after a fault-free run, every group must hold exactly the ALB's IPs, whatever it reported;
 * - no group that held targets before the run may be empty after it while the ALB has IPs;
 * - InvalidTarget is never a reason to fail: the targets a run deregisters were registered when it
 *   read them, and nothing else deregisters them between runs, so the only way to meet it is a
 *   retried DeregisterTargets whose first attempt AWS applied. (A run that then could not read the
 *   group again, to see that, may fail: it says so.)
 */
export function judgeSyncRun(
  reported: Reported,
  groups: ReadonlyMap<string, readonly string[]>,
  albIps: readonly string[],
  run: {
    readonly faultFree: boolean;
    /** The groups that held targets before the run: only those can have been emptied by it. */
    readonly filledBefore: ReadonlySet<string>;
  },
): Finding[] {
  const { faultFree, filledBefore } = run;
  const findings: Finding[] = [];
  const ips = [...albIps];
  for (const [group, groupIps] of groups) {
    if (groupIps.length === 0 && ips.length > 0 && filledBefore.has(group)) {
      findings.push({
        kind: 'empty-after-run',
        detail: `${group}: got no target; expected the ALB's ${ips.length} IP(s)`,
      });
    }
    if (converged(groupIps, ips)) continue;
    if (faultFree) {
      findings.push({
        kind: 'not-converged-fault-free',
        detail: describeDifference(group, groupIps, ips),
      });
    } else if (reported.ok) {
      findings.push({
        kind: 'success-not-converged',
        detail: describeDifference(group, groupIps, ips),
      });
    }
  }
  // A run that could not read the group again to check has not been shown wrong: it may fail.
  if (
    !reported.ok &&
    /\bInvalidTarget(?:Exception)?\b/.test(reported.reason) &&
    !/could not be read again/.test(reported.reason)
  ) {
    findings.push({
      kind: 'spurious-failure',
      detail: `the run failed with: ${reported.reason.replaceAll(/arn:aws:elasticloadbalancing:[^ ]*?targetgroup\/([^/]+)\/\w+/g, '$1')}; expected a deregister of targets already gone to count as done`,
    });
  }
  return findings;
}

/** A Delete answered SUCCESS as the groups' last owner: none of the ALB's IPs may be left. */
export function judgeTeardown(
  groups: ReadonlyMap<string, readonly string[]>,
  albIps: readonly string[],
): Finding[] {
  const alb = new Set(albIps);
  return [...groups].flatMap(([group, groupIps]) => {
    const left = groupIps.filter((ip) => alb.has(ip));
    return left.length === 0
      ? []
      : [
          {
            kind: 'teardown-left-ips' as const,
            detail: `${group}: got ALB IPs ${left.join(', ')} after a SUCCESS Delete; expected none`,
          },
        ];
  });
}

/**
 * One custom-resource event's requests to its ResponseURL. Exactly one must have been accepted
 * (answered 2xx), before the deadline; none may arrive after the handler returned; and every request
 * must carry the same answer. A request that hung was read to its end but never acknowledged: the
 * sender cannot know whether it was stored, so it is not counted as the accepted answer, and it
 * must say the same as the one that was, so that whichever CloudFormation reads, it reads the same.
 */
export function judgeAnswers(
  event: string,
  attempts: readonly ReceiverAttempt[],
  timing: { readonly returnedAt: number; readonly deadlineAt: number },
): Finding[] {
  const findings: Finding[] = [];
  const accepted = attempts.filter(({ answer }) => answer === 200);
  if (accepted.length !== 1) {
    findings.push({
      kind: 'answers-not-one',
      detail: `${event}: got ${accepted.length} accepted answer(s) of ${attempts.length} request(s) (${attempts.map(({ answer }) => answer).join(', ') || 'none'}); expected exactly 1`,
    });
  }
  for (const { at } of accepted) {
    if (at > timing.deadlineAt) {
      findings.push({
        kind: 'answer-after-deadline',
        detail: `${event}: accepted ${at - timing.deadlineAt} ms after the deadline; expected before it`,
      });
    }
  }
  const late = attempts.filter(({ at }) => at > timing.returnedAt);
  if (late.length > 0) {
    findings.push({
      kind: 'answer-after-return',
      detail: `${event}: got ${late.length} request(s) after the handler returned; expected none`,
    });
  }
  if (new Set(attempts.map(({ body }) => body)).size > 1) {
    findings.push({
      kind: 'answers-disagree',
      detail: `${event}: got ${new Set(attempts.map(({ body }) => body)).size} different bodies; expected one`,
    });
  }
  return findings;
}

/** The error code a failure's reason names (`...failed: Throttling: Rate exceeded` → Throttling). */
export function failureCode(reason: string): string {
  // A deregistration that met InvalidTarget, then failed to read the group: the read's failure.
  const reread = /could not be read again [^(]*\((.*)\)/.exec(reason)?.[1];
  if (reread !== undefined) return failureCode(reread);
  if (/did not finish before|stopped before the Lambda/.test(reason)) return 'deadline';
  const named = /failed: (?:[\w$]+Error: )?([A-Za-z][\w.]*)/.exec(reason)?.[1];
  if (named === 'TimeoutError' || /socket hang up|ECONNRESET/.test(reason)) return 'connection';
  // The SDK names a modelled error after its shape (InvalidTargetException for code InvalidTarget).
  return named?.replace(/Exception$/, '') ?? 'other';
}
