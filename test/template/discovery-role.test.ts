import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseBinding } from '../../functions/shared/binding.js';
import { budgetFor } from '../support/work-budget.js';
import {
  loadTemplate,
  ROOT,
  samTransform,
  TEMPLATE_PATH,
  type Template,
} from './cloudformation.js';
import { type Deployment, deploy } from './evaluate.js';
import { type EventPattern, matchesPattern } from './event-pattern.js';
import { isAllowed, type PolicyStatement } from './iam-policy.js';
import { ALB } from './sample-arns.js';

// An ALB in another account (README, "An ALB in another account"): template.yaml's
// DiscoveryRoleArn and DiscoveryExternalId, evaluated on paper with and without them, and
// examples/discovery-role.yaml, the role's template for the ALB's account (linted with the other
// examples by examples.test.ts).
const ALB_ACCOUNT = '210987654321';
const OTHER_ALB = ALB.replace('123456789012', ALB_ACCOUNT);
const ROLE = `arn:aws:iam::${ALB_ACCOUNT}:role/alb-static-ip/discovery`;
const EXTERNAL_ID = '6f1c1b8e-3f0e-4a57-9a53-3c2b1f0e9d41';
const NEW_NLB = {
  LoadBalancerArn: ALB,
  VpcId: 'vpc-0123456789abcdef0',
  SubnetIds: 'subnet-0123456789abcdef0,subnet-0123456789abcdef1',
};
const CROSS_ACCOUNT = {
  ...NEW_NLB,
  LoadBalancerArn: OTHER_ALB,
  DiscoveryRoleArn: ROLE,
  DiscoveryExternalId: EXTERNAL_ID,
};

type Resource = Deployment['resources'][string];
const syncStatements = (deployment: Deployment): PolicyStatement[] =>
  (
    (deployment.resources.TargetGroupSyncFunctionRole?.Properties.Policies ?? []) as unknown as {
      PolicyDocument: { Statement: PolicyStatement[] };
    }[]
  ).flatMap((policy) => policy.PolicyDocument.Statement);
/** Whether the sync's policy allows AssumeRole of `role`; IAM sets aws:ResourceAccount to its account. */
const mayAssume = (deployment: Deployment, role: string) =>
  isAllowed(syncStatements(deployment), {
    action: 'sts:AssumeRole',
    resource: role,
    context: { 'aws:ResourceAccount': role.split(':')[4] ?? '' },
  });
const discoveryAccountsOf = (deployment: Deployment) =>
  (
    deployment.resources.TargetGroupSyncFunction?.Properties.Environment as
      | { Variables: Record<string, string> }
      | undefined
  )?.Variables.DISCOVERY_ACCOUNT_IDS;
const inputOf = (rule: Resource | undefined) =>
  JSON.parse(
    String((rule?.Properties.Targets as { Input: string }[] | undefined)?.[0]?.Input),
  ) as Record<string, unknown>;

describe('Template: an ALB in another account', () => {
  let transformed: Template;
  beforeAll(
    () => {
      transformed = samTransform(TEMPLATE_PATH, NEW_NLB);
    },
    budgetFor({ samTransform: 1 }),
  );

  it('lets the sync assume exactly the given role, and no role without one', () => {
    const crossAccount = deploy(transformed, CROSS_ACCOUNT);
    expect(mayAssume(crossAccount, ROLE)).toBe(true);
    expect(mayAssume(crossAccount, `${ROLE}-2`)).toBe(false);
    expect(mayAssume(crossAccount, ROLE.replace(ALB_ACCOUNT, '111111111111'))).toBe(false);
    const sameAccount = deploy(transformed, NEW_NLB);
    expect(mayAssume(sameAccount, ROLE)).toBe(false);
    expect(
      syncStatements(sameAccount).flatMap((statement) => [statement.Action].flat()),
    ).not.toContain('sts:AssumeRole');
  });

  it("lets the pack's sync assume only roles at /alb-static-ip/ of the accounts it was given", () => {
    const pack = deploy(transformed, { DiscoveryAccountIds: `${ALB_ACCOUNT},111122223333` });
    expect(mayAssume(pack, ROLE)).toBe(true);
    expect(mayAssume(pack, ROLE.replace(ALB_ACCOUNT, '111122223333'))).toBe(true);
    expect(mayAssume(pack, ROLE.replace(ALB_ACCOUNT, '123456789012'))).toBe(true);
    expect(mayAssume(pack, ROLE.replace(ALB_ACCOUNT, '999999999999'))).toBe(false);
    expect(mayAssume(pack, `arn:aws:iam::${ALB_ACCOUNT}:role/admin`)).toBe(false);
    expect(mayAssume(pack, `arn:aws:iam::${ALB_ACCOUNT}:role/other/alb-static-ip/x`)).toBe(false);
    expect(discoveryAccountsOf(pack)).toBe(`123456789012,${ALB_ACCOUNT},111122223333`);
  });

  it("keeps the pack's sync in its own account when it is given no other", () => {
    const pack = deploy(transformed, {});
    expect(mayAssume(pack, ROLE)).toBe(false);
    expect(mayAssume(pack, ROLE.replace(ALB_ACCOUNT, '123456789012'))).toBe(true);
    // The function reads the empty entry as none (discovery-accounts.ts).
    expect(discoveryAccountsOf(pack)).toBe('123456789012,');
  });

  it("admits a bridge's own role's account in the sync's environment, and no other", () => {
    expect(discoveryAccountsOf(deploy(transformed, CROSS_ACCOUNT))).toBe(
      `123456789012,${ALB_ACCOUNT}`,
    );
    expect(discoveryAccountsOf(deploy(transformed, NEW_NLB))).toBe('123456789012,');
  });

  it('gives every trigger the role and the external id, as the sync reads them', () => {
    const deployment = deploy(transformed, CROSS_ACCOUNT);
    // The custom resource's properties, less the two CloudFormation reads itself.
    const { ServiceToken, ServiceTimeout, ...resource } =
      deployment.resources.TargetGroupSync?.Properties ?? {};
    expect(ServiceToken).toBeDefined();
    expect(ServiceTimeout).toBeDefined();
    for (const binding of [
      inputOf(deployment.resources.SyncScheduleRule),
      inputOf(deployment.resources.EniChangeRule),
      resource,
    ]) {
      expect(parseBinding(binding)).toMatchObject({
        DiscoveryRoleArn: ROLE,
        DiscoveryExternalId: EXTERNAL_ID,
      });
    }
  });

  it('keeps the inputs of an ALB in this account as they were, with no role field', () => {
    const deployment = deploy(transformed, NEW_NLB);
    expect(Object.keys(inputOf(deployment.resources.SyncScheduleRule))).toEqual([
      'LoadBalancerArn',
      'TargetGroupArns',
      'DryRun',
    ]);
    expect(Object.keys(inputOf(deployment.resources.EniChangeRule))).toEqual([
      'LoadBalancerArn',
      'TargetGroupArns',
      'DryRun',
    ]);
    expect(deployment.resources.TargetGroupSync?.Properties).not.toHaveProperty('DiscoveryRoleArn');
    expect(deployment.resources.EniEventsFromAlbAccount).toBeUndefined();
  });

  it("takes the ALB account's EC2 CloudTrail events on its default bus, only with ENI events on", () => {
    const deployment = deploy(transformed, CROSS_ACCOUNT);
    expect(deployment.resources.EniEventsFromAlbAccount?.Properties).toMatchObject({
      Statement: {
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${ALB_ACCOUNT}:root` },
        Action: 'events:PutEvents',
        Resource: 'arn:aws:events:us-east-1:123456789012:event-bus/default',
        Condition: {
          StringEquals: {
            'events:source': 'aws.ec2',
            'events:detail-type': 'AWS API Call via CloudTrail',
          },
        },
      },
    });
    const scheduleOnly = deploy(transformed, { ...CROSS_ACCOUNT, ReactToEniEvents: 'false' });
    expect(scheduleOnly.resources.EniEventsFromAlbAccount).toBeUndefined();
  });

  it("names the bus policy's statement within EventBridge's limits for any stack name, one per stack", () => {
    // Prepare: two stacks of the longest name CloudFormation takes (128 characters), in one
    // account, sharing its default bus. A statement id is 1 to 64 of [a-zA-Z0-9-_] (EventBridge
    // PutPermission, AWS::Events::EventBusPolicy).
    const name = `a${'-b'.repeat(63)}c`;
    const stack = (uuid: string) => ({
      'AWS::StackName': name,
      'AWS::StackId': `arn:aws:cloudformation:us-east-1:123456789012:stack/${name}/${uuid}`,
    });
    const statementId = (uuid: string) =>
      deploy(transformed, CROSS_ACCOUNT, { pseudoParameters: stack(uuid) }).resources
        .EniEventsFromAlbAccount?.Properties.StatementId;

    // Act
    const first = statementId('51af3dc0-da77-11e4-872e-1234567db123');
    const second = statementId('0f8fad5b-d9cb-469f-a165-70867728950e');

    // Assess
    expect(name).toHaveLength(128);
    for (const id of [first, second]) {
      expect(id).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
    }
    expect(first).not.toBe(second);
  });
});

describe('examples/discovery-role.yaml', () => {
  const example = loadTemplate(join(ROOT, 'examples', 'discovery-role.yaml'));
  const PARAMETERS = {
    NlbAccountId: '123456789012',
    SyncRoleArn: 'arn:aws:iam::123456789012:role/alb-static-ip-TargetGroupSyncFunctionRole-*',
    ExternalId: EXTERNAL_ID,
  };
  const role = (parameters: Record<string, string> = {}) =>
    deploy(example, { ...PARAMETERS, ...parameters }).resources.DiscoveryRole
      ?.Properties as unknown as {
      Path: string;
      AssumeRolePolicyDocument: { Statement: PolicyStatement[] };
      Policies: { PolicyDocument: { Statement: PolicyStatement[] } }[];
    };

  it('grants the two reads of the ALB account and nothing else, at the path the sync may assume', () => {
    const { Path, Policies } = role();
    expect(Path).toBe('/alb-static-ip/');
    const granted = Policies.flatMap((policy) => policy.PolicyDocument.Statement);
    expect(granted.flatMap((statement) => [statement.Action].flat()).sort()).toEqual([
      'ec2:DescribeNetworkInterfaces',
      'elasticloadbalancing:DescribeLoadBalancers',
    ]);
  });

  it('trusts only the sync role of the NLB account, and only with the external id', () => {
    // A trust policy's statements name no resource: the role itself is the resource.
    const trustOf = (statements: PolicyStatement[]) =>
      statements.map((statement) => ({ ...statement, Resource: '*' }));
    const trust = trustOf(role().AssumeRolePolicyDocument.Statement);
    const assume = (principalArn: string, externalId?: string) =>
      isAllowed(trust, {
        action: 'sts:AssumeRole',
        resource: '*',
        context: {
          'aws:PrincipalArn': principalArn,
          ...(externalId !== undefined && { 'sts:ExternalId': externalId }),
        },
      });
    const sync = 'arn:aws:iam::123456789012:role/alb-static-ip-TargetGroupSyncFunctionRole-AbC123';
    expect(assume(sync, EXTERNAL_ID)).toBe(true);
    expect(assume(sync)).toBe(false);
    expect(assume(sync, 'guessed')).toBe(false);
    expect(assume('arn:aws:iam::123456789012:role/someone-else', EXTERNAL_ID)).toBe(false);
    expect(trust[0]).toMatchObject({ Principal: { AWS: 'arn:aws:iam::123456789012:root' } });
    const withOperator = role({ OperatorRoleArn: 'arn:aws:iam::123456789012:role/operator' });
    expect(
      isAllowed(trustOf(withOperator.AssumeRolePolicyDocument.Statement), {
        action: 'sts:AssumeRole',
        resource: '*',
        context: {
          'aws:PrincipalArn': 'arn:aws:iam::123456789012:role/operator',
          'sts:ExternalId': EXTERNAL_ID,
        },
      }),
    ).toBe(true);
  });

  it("forwards ELB's ENI changes to the NLB account's default bus, which the stack's rule then matches", () => {
    const deployment = deploy(example, PARAMETERS);
    const rule = deployment.resources.ForwardEniEventsRule?.Properties as {
      EventPattern: EventPattern;
      Targets: { Arn: string; RoleArn: unknown }[];
    };
    const bus = 'arn:aws:events:us-east-1:123456789012:event-bus/default';
    expect(rule.Targets[0]?.Arn).toBe(bus);
    expect(rule.Targets[0]?.RoleArn).toBeDefined();
    const forwarder = deployment.resources.ForwardingRole?.Properties as unknown as {
      Policies: { PolicyDocument: { Statement: PolicyStatement[] } }[];
    };
    const statements = forwarder.Policies.flatMap((policy) => policy.PolicyDocument.Statement);
    expect(isAllowed(statements, { action: 'events:PutEvents', resource: bus, context: {} })).toBe(
      true,
    );
    const created = {
      source: 'aws.ec2',
      'detail-type': 'AWS API Call via CloudTrail',
      account: ALB_ACCOUNT,
      detail: {
        eventSource: 'ec2.amazonaws.com',
        eventName: 'CreateNetworkInterface',
        userIdentity: {
          sessionContext: { sessionIssuer: { userName: 'AWSServiceRoleForElasticLoadBalancing' } },
        },
        requestParameters: { description: 'ELB app/web/50dc6c495c0c9188' },
      },
    };
    expect(matchesPattern(rule.EventPattern, created)).toBe(true);
    const stack = deploy(samTransform(TEMPLATE_PATH, NEW_NLB), CROSS_ACCOUNT);
    const stackRule = stack.resources.EniChangeRule?.Properties as { EventPattern: EventPattern };
    expect(matchesPattern(stackRule.EventPattern, created)).toBe(true);
    expect(
      deploy(example, { ...PARAMETERS, ForwardEniEvents: 'false' }).resources,
    ).not.toHaveProperty('ForwardEniEventsRule');
  });
});
