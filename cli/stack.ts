import {
  type CloudFormationClient,
  DescribeStacksCommand,
  ListStackResourcesCommand,
  type StackResourceSummary,
} from '@aws-sdk/client-cloudformation';
import { type EventBridgeClient, ListTargetsByRuleCommand } from '@aws-sdk/client-eventbridge';
import {
  ALB_ARN_EXAMPLE,
  APPLICATION_LOAD_BALANCER_ARN,
  type LoadBalancerArn,
  parseLoadBalancerArn,
  TARGET_GROUP_ARN,
  TARGET_GROUP_ARN_EXAMPLE,
} from '../functions/shared/arns.js';
import { type Binding, parseBinding } from '../functions/shared/binding.js';
import { isAwsError, messageOf } from '../functions/shared/errors.js';

/**
 * A deployed stack's bridges. A bridge in TargetMode ip has a schedule rule whose input is the
 * sync's binding (the ALB and the target groups), resolved by CloudFormation: a stack of
 * template.yaml has one (SyncScheduleRule), a stack whose bridges the AlbStaticIp macro made has
 * one per bridge (<Bridge>SyncSchedule). So reading the rules' inputs finds every such bridge the
 * same way, whatever made it, with no template to evaluate. A bridge in TargetMode alb has no rule
 * (nothing runs): its outputs name it, `TargetMode` (`<Bridge>TargetMode` for the macro's) with the
 * value alb, beside `AlbArn` and `TargetGroupArns`.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ListStackResources.html
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStacks.html
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_ListTargetsByRule.html
 */

/** One bridge of a stack, in either mode. */
export type StackBridge = IpStackBridge | AlbStackBridge;

interface BridgeOutputs {
  /** The bridge's logical id (the macro's) or the stack's name (template.yaml's). */
  readonly name: string;
  /** The Elastic IPs the stack allocated for it, from its StaticIps output, if any. */
  readonly staticIps: string[];
  /** The NLB's private IPs, from its NlbPrivateIps output, if any. */
  readonly nlbPrivateIps: string[];
}

/** A bridge in TargetMode ip: what the sync keeps in sync. */
export interface IpStackBridge extends BridgeOutputs {
  readonly targetMode: 'ip';
  readonly binding: Binding;
}

/** A bridge in TargetMode alb: the ALB that its target groups (of type alb) hold. */
export interface AlbStackBridge extends BridgeOutputs {
  readonly targetMode: 'alb';
  readonly loadBalancer: LoadBalancerArn;
  readonly targetGroupArns: string[];
}

/** Why the stack cannot be read, in words for the person who asked; exit code 1. */
export class StackError extends Error {
  override readonly name = 'StackError';
}

/** The rule suffixes template.yaml and the macro give a bridge's schedule rule. */
const SCHEDULE_RULE = /^(.*?)(SyncScheduleRule|SyncSchedule)$/;

/** The output template.yaml and the macro give a bridge's TargetMode. */
const TARGET_MODE_OUTPUT = /^(.*)TargetMode$/;

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
  const albPrefixes = [...outputs].flatMap(([key, value]) => {
    const prefix = TARGET_MODE_OUTPUT.exec(key)?.[1];
    return prefix !== undefined && value === 'alb' ? [prefix] : [];
  });
  if (rules.length === 0 && albPrefixes.length === 0) {
    throw new StackError(
      `Stack ${stackName} has no bridge: no sync schedule rule (TargetMode ip) and no TargetMode output of alb. It is not a stack of alb-static-ip with a bridge (the pack has none; a stack with AlbStaticIp::Bridge resources has one per bridge)`,
    );
  }
  const bridges: StackBridge[] = albPrefixes.map((prefix) => albBridge(stackName, prefix, outputs));
  for (const rule of rules) {
    const logicalId = rule.LogicalResourceId as string;
    const prefix = SCHEDULE_RULE.exec(logicalId)?.[1] ?? '';
    if (albPrefixes.includes(prefix)) {
      throw new StackError(
        `Stack ${stackName}: the output ${prefix}TargetMode says alb, yet the rule ${logicalId} runs the sync; expected one of them (is an update of the stack under way?)`,
      );
    }
    const input = await ruleInput(clients.events, rule.PhysicalResourceId as string, signal);
    let binding: Binding;
    try {
      binding = parseBinding(JSON.parse(input));
    } catch (error) {
      throw new StackError(
        `Stack ${stackName}: the rule ${logicalId} does not send the sync a binding it can read: ${messageOf(error)}`,
      );
    }
    bridges.push({ targetMode: 'ip', binding, ...bridgeOutputs(stackName, prefix, outputs) });
  }
  return bridges.sort((a, b) => a.name.localeCompare(b.name));
}

function bridgeOutputs(
  stackName: string,
  prefix: string,
  outputs: ReadonlyMap<string, string>,
): BridgeOutputs {
  return {
    name: prefix === '' ? stackName : prefix,
    staticIps: listOutput(outputs, `${prefix}StaticIps`),
    nlbPrivateIps: listOutput(outputs, `${prefix}NlbPrivateIps`),
  };
}

/** A TargetMode alb bridge from its outputs, each checked: an output names the field it fills. */
function albBridge(
  stackName: string,
  prefix: string,
  outputs: ReadonlyMap<string, string>,
): AlbStackBridge {
  const albKey = `${prefix}AlbArn`;
  const albValue = outputs.get(albKey) ?? '';
  const loadBalancer = parseLoadBalancerArn(albValue, APPLICATION_LOAD_BALANCER_ARN);
  if (loadBalancer === undefined) {
    throw new StackError(
      `Stack ${stackName}: the output ${albKey}: got ${albValue === '' ? 'none' : JSON.stringify(albValue)}; expected the ALB's ARN, ${ALB_ARN_EXAMPLE}`,
    );
  }
  const groupsKey = `${prefix}TargetGroupArns`;
  const targetGroupArns = listOutput(outputs, groupsKey);
  const wrong = targetGroupArns.find((arn) => !TARGET_GROUP_ARN.test(arn));
  if (wrong !== undefined || targetGroupArns.length === 0) {
    throw new StackError(
      `Stack ${stackName}: the output ${groupsKey}: got ${wrong === undefined ? 'none' : JSON.stringify(wrong)}; expected target group ARNs, comma-separated, each ${TARGET_GROUP_ARN_EXAMPLE}`,
    );
  }
  return {
    targetMode: 'alb',
    loadBalancer,
    targetGroupArns,
    ...bridgeOutputs(stackName, prefix, outputs),
  };
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
