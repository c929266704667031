import { boundList } from '../shared/bounded-text.js';
import { compareIps } from '../shared/ip-order.js';
import type { LoadBalancerEni } from '../shared/load-balancer-enis.js';
import { ipsOutsideVpcRanges, OUTSIDE_VPC_RANGES } from './outside-vpc-ranges.js';

/**
 * The plans, pure functions of what the run read. `planTargetChanges` reconciles a group with the
 * ALB's interfaces (the sync); `planTeardown` takes the ALB's IPs out of a group (the custom
 * resource's Delete). Both decide what to register and deregister; `writeSteps` orders those writes
 * so that new IPs are registered before stale ones are deregistered, and a sync's steps can never
 * leave the group empty.
 */

/** A target as RegisterTargets and DeregisterTargets take it. */
export interface Target {
  readonly id: string;
  readonly port: number;
  /** `all` for an IP outside the target group's VPC (a peered or transit-gateway ALB). */
  readonly availabilityZone?: string;
}

/** A target that DescribeTargetHealth reported, with its health state and the reason for it. */
export interface RegisteredTarget extends Target {
  readonly state?: string;
  /** Why the target is not healthy (`Target.FailedHealthChecks`, ...); absent when it is. */
  readonly reason?: string;
}

export interface TargetGroupFacts {
  readonly targetGroupArn: string;
  readonly port: number;
  readonly vpcId: string;
}

export type TargetPlan =
  | {
      readonly kind: 'changes';
      readonly register: readonly Target[];
      readonly deregister: readonly Target[];
      readonly unchanged: readonly Target[];
    }
  | {
      /**
       * Nothing may be written: discovery found no IP while the group has targets (writing would
       * empty the group), or found IPs outside the group's VPC that RegisterTargets would refuse.
       */
      readonly kind: 'refused';
      readonly reason: string;
      readonly unchanged: readonly Target[];
    };

/** A plan that writes: every teardown, and every sync that discovery did not refuse. */
export type TargetChanges = Extract<TargetPlan, { readonly kind: 'changes' }>;

export interface WriteStep {
  readonly action: 'register' | 'deregister';
  readonly targets: readonly Target[];
}

/**
 * A target in `draining` is already on its way out: it does not count as registered, so a stale one
 * is not deregistered twice and an IP that came back is registered again.
 */
const LEAVING_STATES: ReadonlySet<string | undefined> = new Set(['draining']);

/** Whether a target counts as registered: any state but one on its way out. */
export const isRegistered = (target: Pick<RegisteredTarget, 'state'>): boolean =>
  !LEAVING_STATES.has(target.state);

export const targetKey = (target: Pick<Target, 'id' | 'port'>): string =>
  `${target.id}:${target.port}`;

const byAddress = (a: Target, b: Target): number => compareIps(a.id, b.id) || a.port - b.port;

/** How many IPs a refusal for IPs outside the ranges names; the rest are counted. */
const OUTSIDE_RANGES_SHOWN = 5;

export function planTargetChanges(
  discovered: readonly Pick<LoadBalancerEni, 'privateIp' | 'vpcId'>[],
  registered: readonly RegisteredTarget[],
  targetGroup: TargetGroupFacts,
): TargetPlan {
  const current = currentTargets(registered);

  const desired = new Map<string, Target>();
  for (const { privateIp, vpcId } of discovered) {
    const target: Target =
      vpcId === targetGroup.vpcId
        ? { id: privateIp, port: targetGroup.port }
        : { id: privateIp, port: targetGroup.port, availabilityZone: 'all' };
    desired.set(targetKey(target), target);
  }

  const unchanged = [...current.values()].filter((t) => desired.has(targetKey(t))).sort(byAddress);

  if (desired.size === 0 && current.size > 0) {
    return {
      kind: 'refused',
      reason: `discovery found no IP address for the load balancer while target group ${targetGroup.targetGroupArn} has ${current.size} target(s); nothing was written, because deregistering them would empty the group`,
      unchanged: [...current.values()].sort(byAddress),
    };
  }

  // None of the group's targets is written, not even the IPs ELB would take: a group that held
  // only some of the ALB's IPs would look synced while the run fails.
  const unregistrable = ipsOutsideVpcRanges(discovered, targetGroup.vpcId);
  if (unregistrable.length > 0) {
    const ips = unregistrable.map(({ privateIp, vpcId }) => `${privateIp} (${vpcId})`);
    return {
      kind: 'refused',
      reason: `target group ${targetGroup.targetGroupArn} is in ${targetGroup.vpcId}, and Elastic Load Balancing registers an IP target from outside a target group's VPC only in ${OUTSIDE_VPC_RANGES.slice(0, -1).join(', ')} or ${OUTSIDE_VPC_RANGES.at(-1)}; got ALB IPs outside it in none of those: ${boundList(ips, OUTSIDE_RANGES_SHOWN, ', ')}; nothing was written, since RegisterTargets would refuse them. Put the NLB and its target groups in the ALB's VPC, where any address of the VPC can be a target`,
      unchanged: [...current.values()].sort(byAddress),
    };
  }

  return {
    kind: 'changes',
    register: [...desired.values()].filter((t) => !current.has(targetKey(t))).sort(byAddress),
    deregister: [...current.values()].filter((t) => !desired.has(targetKey(t))).sort(byAddress),
    unchanged,
  };
}

/**
 * Deregisters the load balancer's own IPs from a group, on every port, and nothing else: a group
 * that another binding also fills keeps that binding's targets. Targets already draining are on
 * their way out and are left alone. Never refused: emptying the group is what a teardown is for.
 */
export function planTeardown(
  albIps: readonly string[],
  registered: readonly RegisteredTarget[],
): TargetChanges {
  const ours = new Set(albIps);
  const current = [...currentTargets(registered).values()].sort(byAddress);
  return {
    kind: 'changes',
    register: [],
    deregister: current.filter((target) => ours.has(target.id)),
    unchanged: current.filter((target) => !ours.has(target.id)),
  };
}

/**
 * The plan's writes in the order they must happen: every register chunk, then every deregister
 * chunk. Once the registers are done the group holds every discovered IP, so the deregisters that
 * follow never take it below the number of IPs discovered.
 */
export function writeSteps(plan: TargetPlan, chunkSize: number): WriteStep[] {
  if (!Number.isInteger(chunkSize) || chunkSize < 1) {
    throw new RangeError(`chunkSize: got ${chunkSize}; expected a whole number of at least 1`);
  }
  if (plan.kind === 'refused') return [];
  return [
    ...chunk(plan.register, chunkSize).map((targets) => ({ action: 'register' as const, targets })),
    ...chunk(plan.deregister, chunkSize).map((targets) => ({
      action: 'deregister' as const,
      targets,
    })),
  ];
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) {
    chunks.push(items.slice(start, start + size));
  }
  return chunks;
}

/** The group's targets that count as registered, by key, without their health state. */
function currentTargets(registered: readonly RegisteredTarget[]): Map<string, Target> {
  const current = new Map<string, Target>();
  for (const target of registered) {
    if (!isRegistered(target)) continue;
    current.set(targetKey(target), withoutState(target));
  }
  return current;
}

function withoutState({ id, port, availabilityZone }: RegisteredTarget): Target {
  return availabilityZone === undefined ? { id, port } : { id, port, availabilityZone };
}
