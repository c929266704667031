import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBinding } from '../../functions/shared/binding.js';
import { loadEvent } from '../support/events.js';
import {
  cfnLint,
  type LintResult,
  loadTemplate,
  type Resource,
  resolveIntrinsics,
  resourceOf,
  resourcesOfType,
  samTransform,
  TEMPLATE_PATH,
  type Template,
} from './cloudformation.js';

const SYNC_FUNCTION = 'TargetGroupSyncFunction';
const ALB =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188';
const TG_HTTPS =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-443/73e2d6bc24d8a067';
const TG_HTTP =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-80/0f1e2d3c4b5a6978';

/** Every parameter given, none at its default. */
const PARAMETERS = {
  LoadBalancerArn: ALB,
  TargetGroupArns: `${TG_HTTPS},${TG_HTTP}`,
  SyncSchedule: 'rate(5 minutes)',
  LogRetentionInDays: '14',
};
/** Only the parameters without a default. */
const REQUIRED_PARAMETERS = { LoadBalancerArn: ALB, TargetGroupArns: TG_HTTPS };

interface Statement {
  Sid?: string;
  Effect: string;
  Action?: string | string[];
  NotAction?: unknown;
  Resource?: unknown;
  NotResource?: unknown;
}

interface InlinePolicy {
  PolicyName: string;
  PolicyDocument: { Statement: Statement[] };
}

const props = (resource: Resource): Record<string, unknown> => resource.Properties ?? {};
const actionsOf = (statement: Statement): string[] =>
  typeof statement.Action === 'string' ? [statement.Action] : (statement.Action ?? []);
/** Anything but a Describe call can change something, so it counts as a write here. */
const isWrite = (action: string): boolean => !/^[a-z0-9-]+:Describe[A-Za-z]*$/.test(action);

describe('Template: cfn-lint', () => {
  let workdir: string;
  let lint: LintResult;
  let brokenLint: LintResult;
  let broken: string;

  beforeAll(async () => {
    // Prepare: a copy with a runtime Lambda does not have.
    const original = readFileSync(TEMPLATE_PATH, 'utf8');
    broken = original.replace(/Runtime: nodejs\d+\.x/, 'Runtime: nodejs99.x');
    workdir = mkdtempSync(join(tmpdir(), 'cfn-lint-'));
    const brokenPath = join(workdir, 'template.yaml');
    writeFileSync(brokenPath, broken);

    // Act: both at once, cfn-lint takes seconds.
    [lint, brokenLint] = await Promise.all([cfnLint(TEMPLATE_PATH), cfnLint(brokenPath)]);
  });

  afterAll(() => {
    rmSync(workdir, { recursive: true, force: true });
  });

  it('passes template.yaml with no error and no warning', () => {
    expect(lint).toEqual({ status: 0, output: '' });
  });

  it('fails a copy whose runtime does not exist, so the check above can fail', () => {
    expect(broken).toContain('Runtime: nodejs99.x');
    expect(brokenLint.status).not.toBe(0);
    expect(brokenLint.output).toContain('nodejs99.x');
  });
});

describe('Template: the SAM transform', () => {
  let transformed: Template;
  let syncFunction: Resource;
  const resolve = (value: unknown, parameters: Record<string, string> = PARAMETERS) =>
    resolveIntrinsics(value, transformed, parameters);

  /** The schedule rules that invoke the sync function. */
  const scheduleRules = (): [string, Resource][] =>
    resourcesOfType(transformed, 'AWS::Events::Rule').filter(([, rule]) =>
      (props(rule).Targets as { Arn: unknown }[]).some(
        (target) =>
          JSON.stringify(target.Arn) === JSON.stringify({ 'Fn::GetAtt': [SYNC_FUNCTION, 'Arn'] }),
      ),
    );
  const onlyScheduleRule = (): [string, Resource] => {
    const rules = scheduleRules();
    expect(rules).toHaveLength(1);
    return rules[0] as [string, Resource];
  };
  const syncRole = (): Resource => {
    const role = props(syncFunction).Role as { 'Fn::GetAtt': [string, string] };
    expect(role['Fn::GetAtt'][1]).toBe('Arn');
    return resourceOf(transformed, role['Fn::GetAtt'][0], 'AWS::IAM::Role');
  };
  const statements = (): Statement[] =>
    (props(syncRole()).Policies as InlinePolicy[]).flatMap(
      (policy) => policy.PolicyDocument.Statement,
    );

  beforeAll(() => {
    transformed = samTransform(TEMPLATE_PATH, PARAMETERS);
    syncFunction = resourceOf(transformed, SYNC_FUNCTION, 'AWS::Lambda::Function');
  });

  it('makes the sync function: Node.js 22 on arm64, index.handler, one run at a time', () => {
    expect(props(syncFunction)).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      ReservedConcurrentExecutions: 1,
    });
  });

  it('logs to the explicit log group, which expires its logs', () => {
    // Act
    const logging = props(syncFunction).LoggingConfig as { LogGroup: { Ref: string } };
    const logGroup = resourceOf(transformed, logging.LogGroup.Ref, 'AWS::Logs::LogGroup');

    // Assess
    expect(props(logGroup).RetentionInDays).toBeDefined();
    expect(resolve(props(logGroup).RetentionInDays)).toBe('14');
    expect(resolve(props(logGroup).RetentionInDays, REQUIRED_PARAMETERS)).toBe('30');
  });

  it('sets a metrics namespace of its own, not one of the AWS/ namespaces', () => {
    const environment = props(syncFunction).Environment as { Variables: Record<string, unknown> };
    const namespace = environment.Variables.POWERTOOLS_METRICS_NAMESPACE;
    expect(namespace).toEqual(expect.any(String));
    expect(namespace).not.toBe('');
    expect(namespace).not.toMatch(/^AWS\//i);
  });

  it('schedules the sync function on the SyncSchedule, enabled', () => {
    // Act
    const [, rule] = onlyScheduleRule();

    // Assess
    expect(resolve(props(rule).ScheduleExpression)).toBe('rate(5 minutes)');
    expect(resolve(props(rule).ScheduleExpression, REQUIRED_PARAMETERS)).toBe('rate(1 minute)');
    expect(props(rule).State ?? 'ENABLED').toBe('ENABLED');
  });

  it('lets the schedule rule, and only EventBridge, invoke the sync function', () => {
    // Prepare
    const [ruleId] = onlyScheduleRule();

    // Act
    const permissions = resourcesOfType(transformed, 'AWS::Lambda::Permission').map(([, p]) =>
      props(p),
    );

    // Assess
    expect(permissions).toContainEqual({
      Action: 'lambda:InvokeFunction',
      FunctionName: { Ref: SYNC_FUNCTION },
      Principal: 'events.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': [ruleId, 'Arn'] },
    });
  });

  it.each([
    ['two target groups', PARAMETERS, [TG_HTTPS, TG_HTTP]],
    ['one target group', REQUIRED_PARAMETERS, [TG_HTTPS]],
  ])('gives the rule an Input that is the binding, for %s', (_, parameters, targetGroups) => {
    // Prepare
    const [, rule] = onlyScheduleRule();
    const [target] = props(rule).Targets as { Input?: unknown }[];

    // Act
    const input = resolve(target?.Input, parameters);
    const binding = parseBinding(JSON.parse(String(input)));

    // Assess
    expect(binding).toEqual({ LoadBalancerArn: ALB, TargetGroupArns: targetGroups, DryRun: false });
  });

  it('allows writes only to the target groups of the TargetGroupArns parameter', () => {
    // Act
    const writes = statements().filter((statement) => actionsOf(statement).some(isWrite));

    // Assess
    expect(writes.flatMap(actionsOf).filter(isWrite).sort()).toEqual([
      'elasticloadbalancing:DeregisterTargets',
      'elasticloadbalancing:RegisterTargets',
    ]);
    for (const statement of writes) {
      expect(statement.Resource, statement.Sid).not.toBe('*');
      expect(statement.Resource, statement.Sid).toEqual({ Ref: 'TargetGroupArns' });
      expect(resolve(statement.Resource)).toEqual([TG_HTTPS, TG_HTTP]);
    }
  });

  it('grants only plain Allow statements and the basic execution role', () => {
    for (const statement of statements()) {
      expect(statement.Effect, statement.Sid).toBe('Allow');
      expect(statement, statement.Sid).not.toHaveProperty('NotAction');
      expect(statement, statement.Sid).not.toHaveProperty('NotResource');
      expect(actionsOf(statement), statement.Sid).not.toHaveLength(0);
    }
    expect(props(syncRole()).ManagedPolicyArns).toEqual([
      expect.stringMatching(/^arn:aws:iam::aws:policy\/service-role\/AWSLambdaBasicExecutionRole$/),
    ]);
  });
});

describe('Template: parameters', () => {
  const parameters = loadTemplate().Parameters ?? {};
  const pattern = (name: string) => new RegExp(String(parameters[name]?.AllowedPattern));
  const samples = [loadEvent('scheduled-sync'), loadEvent('eni-change-sync')];

  it('accepts, at deploy time, the ARNs the function accepts', () => {
    for (const sample of samples) {
      expect(sample.LoadBalancerArn).toMatch(pattern('LoadBalancerArn'));
      for (const arn of sample.TargetGroupArns as string[]) {
        expect(arn).toMatch(pattern('TargetGroupArns'));
      }
    }
  });

  it.each([
    ['LoadBalancerArn', ALB.replace('/app/', '/net/')],
    ['LoadBalancerArn', TG_HTTPS],
    ['TargetGroupArns', ALB],
    ['TargetGroupArns', `${TG_HTTPS}"`],
    ['TargetGroupArns', 'web-443'],
  ])('refuses, at deploy time, %s %s', (name, value) => {
    expect(value).not.toMatch(pattern(name));
  });
});

describe('Template: the nlb-private-ips function', () => {
  let transformed: Template;

  /** Every statement of every role's inline policies, with the Fn::If branches it sits under. */
  const allStatements = (): { role: string; statement: Statement; condition?: string }[] =>
    resourcesOfType(transformed, 'AWS::IAM::Role').flatMap(([role, resource]) =>
      ((props(resource).Policies as unknown[]) ?? []).flatMap((policy) => {
        const conditional = (policy as { 'Fn::If'?: [string, InlinePolicy, unknown] })['Fn::If'];
        const [condition, inline] = conditional ?? [undefined, policy as InlinePolicy];
        return inline.PolicyDocument.Statement.map((statement) => ({
          role,
          statement,
          ...(condition ? { condition } : {}),
        }));
      }),
    );

  beforeAll(() => {
    transformed = samTransform(TEMPLATE_PATH, {
      ...PARAMETERS,
      AlbSecurityGroupId: 'sg-0123456789abcdef0',
    });
  });

  it('is a Node.js 22 arm64 function with its own log group', () => {
    const fn = resourceOf(transformed, 'NlbPrivateIpsFunction', 'AWS::Lambda::Function');
    expect(props(fn)).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      LoggingConfig: { LogGroup: { Ref: 'NlbPrivateIpsLogGroup' } },
    });
  });

  it('may change ingress only on the ALB security group, and only when one is given', () => {
    // Act
    const writes = allStatements().filter(({ statement }) =>
      actionsOf(statement).some((action) => action.startsWith('ec2:') && isWrite(action)),
    );

    // Assess
    expect(writes).toHaveLength(1);
    const [write] = writes;
    expect(write?.condition).toBe('HasAlbSecurityGroup');
    expect(actionsOf(write?.statement as Statement).sort()).toEqual([
      'ec2:AuthorizeSecurityGroupIngress',
      'ec2:RevokeSecurityGroupIngress',
    ]);
    expect(
      resolveIntrinsics(write?.statement.Resource, transformed, {
        ...PARAMETERS,
        AlbSecurityGroupId: 'sg-0123456789abcdef0',
      }),
    ).toBe('arn:aws:ec2:us-east-1:123456789012:security-group/sg-0123456789abcdef0');
    expect(transformed.Conditions).toMatchObject({
      HasAlbSecurityGroup: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'AlbSecurityGroupId' }, ''] }] },
    });
  });

  it('gives no role a write action on every resource', () => {
    const offenders = allStatements().filter(
      ({ statement }) => statement.Resource === '*' && actionsOf(statement).some(isWrite),
    );
    expect(offenders).toEqual([]);
  });
});
