import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The sample events under events/, as the functions receive them. Each call returns a fresh deep
 * copy, with the overrides applied, so no test can change what another sees.
 */
const EVENTS = {
  /** What a schedule rule with Input delivers: the binding. */
  'scheduled-sync': 'scheduled-sync.json',
  /** What the ENI-change rule delivers: the same binding, here with a stringified DryRun. */
  'eni-change-sync': 'eni-change-sync.json',
  /** What the ENI-change rule matches: ELB creating an ALB network interface, via CloudTrail. */
  'eni-created-by-elb': 'eni-created-by-elb.json',
  /** Custom-resource requests, as CloudFormation sends them, for each function. */
  'target-group-sync-create': 'target-group-sync-create.json',
  'target-group-sync-update': 'target-group-sync-update.json',
  'target-group-sync-delete': 'target-group-sync-delete.json',
  'nlb-private-ips-create': 'nlb-private-ips-create.json',
  'nlb-private-ips-update': 'nlb-private-ips-update.json',
  'nlb-private-ips-delete': 'nlb-private-ips-delete.json',
} as const;

export type EventName = keyof typeof EVENTS;

const root = join(import.meta.dirname, '..', '..', 'events');

export function loadEvent(
  name: EventName,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const event = JSON.parse(readFileSync(join(root, EVENTS[name]), 'utf8')) as Record<
    string,
    unknown
  >;
  return { ...structuredClone(event), ...structuredClone(overrides) };
}
