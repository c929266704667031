import {
  type CloudFormationClient,
  DescribeStacksCommand,
  ListStackResourcesCommand,
  type StackResourceSummary,
} from '@aws-sdk/client-cloudformation';
import { type EventBridgeClient, ListTargetsByRuleCommand } from '@aws-sdk/client-eventbridge';
import { type Binding, parseBinding } from '../functions/shared/binding.js';
import { isAwsError, messageOf } from '../functions/shared/errors.js';

/**
 * A deployed stack's bridges, as the sync sees them. Each bridge has a schedule rule whose input is
 * the sync's binding (the ALB and the target groups), resolved by CloudFormation: a stack of
 * template.yaml has one (SyncScheduleRule), a stack whose bridges the AlbStaticIp macro made has
 * one per bridge (<Bridge>SyncSchedule). So reading the rules' inputs finds every bridge the same
 * way, whatever made it, with no template to evaluate.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ListStackResources.html
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_ListTargetsByRule.html
 */

/** One bridge of a stack: its name, what the sync keeps in sync, and its static IPs if known. */
export interface StackBridge {
  /** The bridge's logical id (the macro's) or the stack's name (template.yaml's). */
  readonly name: string;
  readonly binding: Binding;
  /** The Elastic IPs the stack allocated for it, from its StaticIps output, if any. */
  readonly staticIps: string[];
  /** The NLB's private IPs, from its NlbPrivateIps output, if any. */
  readonly nlbPrivateIps: string[];
}

/** Why the stack cannot be read, in words for the person who asked; exit code 1. */
export class StackError extends Error {
  override readonly name = 'StackError';
}

/** The rule suffixes template.yaml and the macro give a bridge's schedule rule. */
const SCHEDULE_RULE = /^(.*?)(SyncScheduleRule|SyncSchedule)$/;

export interface StackClients {
  readonly cloudFormation: CloudFormationClient;
  readonly events: EventBridgeClient;
}

export async function readStackBridges(
  clients: StackClients,
  stackName: string,
  signal: AbortSignal,
): Promise<StackBridge[]> {
  const outputs = await readOutputs(clients.cloudFormation, stackName, signal);
  const rules = (await listResources(clients.cloudFormation, stackName, signal)).filter(
    (resource) =>
      resource.ResourceType === 'AWS::Events::Rule' &&
      SCHEDULE_RULE.test(resource.LogicalResourceId ?? '') &&
      resource.PhysicalResourceId,
  );
  if (rules.length === 0) {
    throw new StackError(
      `Stack ${stackName} has no sync schedule rule: it is not a stack of alb-static-ip with a bridge (the pack has none; a stack with AlbStaticIp::Bridge resources has one per bridge)`,
    );
  }
  const bridges: StackBridge[] = [];
  for (const rule of rules) {
    const logicalId = rule.LogicalResourceId as string;
    const prefix = SCHEDULE_RULE.exec(logicalId)?.[1] ?? '';
    const input = await ruleInput(clients.events, rule.PhysicalResourceId as string, signal);
    let binding: Binding;
    try {
      binding = parseBinding(JSON.parse(input));
    } catch (error) {
      throw new StackError(
        `Stack ${stackName}: the rule ${logicalId} does not send the sync a binding it can read: ${messageOf(error)}`,
      );
    }
    bridges.push({
      name: prefix === '' ? stackName : prefix,
      binding,
      staticIps: listOutput(outputs, `${prefix}StaticIps`),
      nlbPrivateIps: listOutput(outputs, `${prefix}NlbPrivateIps`),
    });
  }
  return bridges.sort((a, b) => a.name.localeCompare(b.name));
}

async function readOutputs(
  cloudFormation: CloudFormationClient,
  stackName: string,
  signal: AbortSignal,
): Promise<Map<string, string>> {
  try {
    const response = await cloudFormation.send(
      new DescribeStacksCommand({ StackName: stackName }),
      {
        abortSignal: signal,
      },
    );
    const stack = response.Stacks?.[0];
    return new Map(
      (stack?.Outputs ?? []).flatMap(({ OutputKey, OutputValue }) =>
        OutputKey && OutputValue !== undefined ? [[OutputKey, OutputValue] as const] : [],
      ),
    );
  } catch (error) {
    // CloudFormation answers a missing stack with a ValidationError naming it.
    if (isAwsError(error, 'ValidationError') && /does not exist/.test(String(error))) {
      throw new StackError(`Stack ${stackName} does not exist in this account and Region`);
    }
    throw error;
  }
}

async function listResources(
  cloudFormation: CloudFormationClient,
  stackName: string,
  signal: AbortSignal,
): Promise<StackResourceSummary[]> {
  const resources: StackResourceSummary[] = [];
  let token: string | undefined;
  do {
    const page = await cloudFormation.send(
      new ListStackResourcesCommand({ StackName: stackName, NextToken: token }),
      { abortSignal: signal },
    );
    resources.push(...(page.StackResourceSummaries ?? []));
    token = page.NextToken;
  } while (token);
  return resources;
}

/** The input the rule sends the sync (its first target with one). */
async function ruleInput(events: EventBridgeClient, rule: string, signal: AbortSignal) {
  const response = await events.send(new ListTargetsByRuleCommand({ Rule: rule }), {
    abortSignal: signal,
  });
  const input = (response.Targets ?? []).find((target) => target.Input)?.Input;
  if (input === undefined) {
    throw new StackError(`The rule ${rule} has no target with an input: it does not run the sync`);
  }
  return input;
}

const listOutput = (outputs: ReadonlyMap<string, string>, key: string): string[] =>
  (outputs.get(key) ?? '').split(',').filter((item) => item !== '');
