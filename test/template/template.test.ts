import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseLoadBalancerArn } from '../../functions/shared/arns.js';
import { parseBinding } from '../../functions/shared/binding.js';
import { loadEvent } from '../support/events.js';
import { budgetFor } from '../support/work-budget.js';
import {
  lintTemplates,
  loadTemplate,
  samTransform,
  TEMPLATE_PATH,
  type Template,
} from './cloudformation.js';
import {
  type Deployment,
  deploy,
  fakeRef,
  GetAtt,
  getAtt,
  JoinedGetAtt,
  type Value,
} from './evaluate.js';
import { type EventPattern, matchesPattern } from './event-pattern.js';
import {
  type AccessRequest,
  isAllowed,
  type PolicyStatement,
  type RequestPrincipal,
} from './iam-policy.js';
import { ALB, TG_A, TG_B } from './sample-arns.js';

/** What a guided deploy asks for, for the common case: a new internet-facing NLB in two zones. */
const REQUIRED = {
  LoadBalancerArn: ALB,
  VpcId: 'vpc-0123456789abcdef0',
  SubnetIds: 'subnet-0123456789abcdef0,subnet-0123456789abcdef1',
};
/** Adopting target groups instead: no VPC or subnets, which only a new NLB needs. */
const adopting = (arns: string) => ({ VpcId: '', SubnetIds: '', ExistingTargetGroupArns: arns });

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: Value;
}

const actionsOf = (statement: Statement): string[] =>
  typeof statement.Action === 'string' ? [statement.Action] : statement.Action;
/** Anything but a Describe call can change something, so it counts as a write here. */
const isWrite = (action: string): boolean => !/^[a-z0-9-]+:Describe[A-Za-z]*$/.test(action);

describe('Template: cfn-lint', () => {
  let workdir: string;
  let brokenFindings: string[];
  let broken: string;

  beforeAll(
    async () => {
      // Prepare: a copy with a runtime Lambda does not have.
      const original = readFileSync(TEMPLATE_PATH, 'utf8');
      broken = original.replace(/Runtime: nodejs\d+\.x/, 'Runtime: nodejs99.x');
      workdir = mkdtempSync(join(tmpdir(), 'cfn-lint-'));
      const brokenPath = join(workdir, 'template.yaml');
      writeFileSync(brokenPath, broken);

      // Act: template.yaml itself was linted once for every file, by the global setup.
      brokenFindings = (await lintTemplates([brokenPath])).get(brokenPath) ?? [];
    },
    budgetFor({ cfnLint: 1 }),
  );

  afterAll(() => {
    rmSync(workdir, { recursive: true, force: true });
  });

  it('passes template.yaml with no error, no warning and no informational finding', () => {
    expect(inject('templateLints')['template.yaml']).toEqual([]);
  });

  it('fails a copy whose runtime does not exist, so the check above can fail', () => {
    expect(broken).toContain('Runtime: nodejs99.x');
    expect(brokenFindings.join('\n')).toMatch(/^E\d+ Error line \d+: 'nodejs99\.x' is not one of/m);
  });
});

describe('Template: the SAM transform', () => {
  let transformed: Template;
  const stack = (parameters: Record<string, string> = {}): Deployment =>
    deploy(transformed, { ...REQUIRED, ...parameters });
  const ofType = (deployment: Deployment, type: string) =>
    Object.entries(deployment.resources).filter(([, resource]) => resource.Type === type);
  const ids = (deployment: Deployment, type: string) =>
    ofType(deployment, type)
      .map(([id]) => id)
      .sort();
  const the = (deployment: Deployment, id: string) => {
    const resource = deployment.resources[id];
    if (!resource) throw new Error(`${id} is not deployed`);
    return resource;
  };
  const ref = (id: string) => fakeRef(id, transformed.Resources[id] as never);
  const statements = (deployment: Deployment, role: string): Statement[] =>
    (
      (the(deployment, role).Properties.Policies ?? []) as unknown as {
        PolicyDocument: { Statement: Statement[] };
      }[]
    ).flatMap((policy) => policy.PolicyDocument.Statement);
  /** The statement each function's role has for its logs: its own log group's streams only. */
  const OWN_LOGS = (logGroup: string) => ({
    Sid: 'WriteToOwnLogGroupOnly',
    Effect: 'Allow',
    Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    Resource: getAtt(logGroup, 'Arn'),
  });
  /** The logical id an Fn::GetAtt names, as the evaluator leaves it. */
  const getAttOf = (value: unknown): string => (value as { logicalId: string }).logicalId;

  beforeAll(
    () => {
      transformed = samTransform(TEMPLATE_PATH, REQUIRED);
    },
    budgetFor({ samTransform: 1 }),
  );

  describe('the functions', () => {
    it('are Node.js 24 on arm64, with explicit log groups that expire', () => {
      const deployment = stack({ LogRetentionInDays: '14' });
      for (const [id, fn] of ofType(deployment, 'AWS::Lambda::Function')) {
        expect(fn.Properties, id).toMatchObject({
          Runtime: 'nodejs24.x',
          Architectures: ['arm64'],
          Handler: 'index.handler',
          LoggingConfig: { LogGroup: expect.stringMatching(/LogGroup-ref$/) },
        });
        const logGroup = String((fn.Properties.LoggingConfig as { LogGroup: string }).LogGroup);
        expect(the(deployment, logGroup.replace(/-ref$/, '')).Properties.RetentionInDays).toBe(
          '14',
        );
      }
      expect(ids(deployment, 'AWS::Lambda::Function')).toEqual([
        'NlbPrivateIpsFunction',
        'TargetGroupSyncFunction',
      ]);
    });

    it("encrypt their logs with the given KMS key, and with CloudWatch Logs' own without one", () => {
      const key = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
      // A bridge, and the pack (no ALB), whose macro has a log group of its own.
      const asPack: Record<string, string> = { LoadBalancerArn: '', VpcId: '', SubnetIds: '' };
      for (const parameters of [{}, asPack]) {
        const plain = stack(parameters);
        const keyed = stack({ ...parameters, LogKmsKeyArn: key });
        const groups = ids(plain, 'AWS::Logs::LogGroup');
        expect(groups.length).toBeGreaterThan(0);
        expect(ids(keyed, 'AWS::Logs::LogGroup')).toEqual(groups);
        for (const id of groups) {
          expect(the(plain, id).Properties).not.toHaveProperty('KmsKeyId');
          expect(the(keyed, id).Properties.KmsKeyId).toBe(key);
        }
      }
    });

    it('reserve no concurrency for the sync unless told to', () => {
      // Act
      const byDefault = the(stack(), 'TargetGroupSyncFunction').Properties;
      const reserved = the(
        stack({ ReservedConcurrency: '2' }),
        'TargetGroupSyncFunction',
      ).Properties;

      // Assess
      expect(byDefault).not.toHaveProperty('ReservedConcurrentExecutions');
      expect(reserved.ReservedConcurrentExecutions).toBe('2');
    });

    it("sets both functions' log level from LogLevel: INFO unless told otherwise", () => {
      // Act
      const levelOf = (deployment: Deployment, id: string) =>
        (the(deployment, id).Properties.Environment as { Variables: Record<string, unknown> })
          .Variables.POWERTOOLS_LOG_LEVEL;

      // Assess: Powertools reads POWERTOOLS_LOG_LEVEL; other values are refused at deploy
      for (const id of ['TargetGroupSyncFunction', 'NlbPrivateIpsFunction']) {
        expect(levelOf(stack(), id), id).toBe('INFO');
        expect(levelOf(stack({ LogLevel: 'DEBUG' }), id), id).toBe('DEBUG');
      }
      expect(loadTemplate().Parameters?.LogLevel?.AllowedValues).toEqual([
        'DEBUG',
        'INFO',
        'WARN',
        'ERROR',
      ]);
    });

    it('send failed and expired asynchronous runs to the queue, within the custom resource wait', () => {
      // Prepare
      const deployment = stack();
      const timeout = Number(the(deployment, 'TargetGroupSyncFunction').Properties.Timeout);
      const serviceTimeout = Number(the(deployment, 'TargetGroupSync').Properties.ServiceTimeout);

      // Act
      const config = the(deployment, 'TargetGroupSyncFunctionEventInvokeConfig');
      const grants = statements(deployment, 'TargetGroupSyncFunctionRole').filter((s) =>
        actionsOf(s).includes('sqs:SendMessage'),
      );

      // Assess
      expect(config).toMatchObject({
        Type: 'AWS::Lambda::EventInvokeConfig',
        Properties: {
          FunctionName: ref('TargetGroupSyncFunction'),
          Qualifier: '$LATEST',
          MaximumRetryAttempts: 1,
          MaximumEventAgeInSeconds: 240,
          DestinationConfig: { OnFailure: { Destination: getAtt('SyncDeadLetterQueue', 'Arn') } },
        },
      });
      // A run that starts as late as the queue allows still ends before CloudFormation stops
      // waiting for the custom resource.
      expect(240 + timeout).toBeLessThanOrEqual(serviceTimeout);
      expect(grants.map((s) => s.Resource)).toEqual([getAtt('SyncDeadLetterQueue', 'Arn')]);
    });

    it('publish metrics in a namespace of their own', () => {
      const namespace = (
        transformed.Globals?.Function?.Environment as
          | { Variables: Record<string, string> }
          | undefined
      )?.Variables.POWERTOOLS_METRICS_NAMESPACE;
      const deployment = stack();
      for (const [, fn] of ofType(deployment, 'AWS::Lambda::Function')) {
        const variables = (fn.Properties.Environment as { Variables: Record<string, string> })
          .Variables;
        expect(variables.POWERTOOLS_METRICS_NAMESPACE).toBe('AlbStaticIp');
      }
      expect(namespace ?? 'AlbStaticIp').not.toMatch(/^AWS\//i);
    });
  });

  describe('the NLB', () => {
    it('internet-facing by default: one new Elastic IP per subnet, a TCP listener on 443', () => {
      // Act
      const deployment = stack();

      // Assess
      expect(ids(deployment, 'AWS::EC2::EIP')).toEqual(['ElasticIp1', 'ElasticIp2']);
      expect(the(deployment, 'NetworkLoadBalancer').Properties).toMatchObject({
        Type: 'network',
        Scheme: 'internet-facing',
        SubnetMappings: [
          {
            SubnetId: 'subnet-0123456789abcdef0',
            AllocationId: getAtt('ElasticIp1', 'AllocationId'),
          },
          {
            SubnetId: 'subnet-0123456789abcdef1',
            AllocationId: getAtt('ElasticIp2', 'AllocationId'),
          },
        ],
      });
      expect(ids(deployment, 'AWS::ElasticLoadBalancingV2::TargetGroup')).toEqual(['TargetGroup1']);
      expect(the(deployment, 'TargetGroup1').Properties).toMatchObject({
        TargetType: 'ip',
        Protocol: 'TCP',
        Port: '443',
        VpcId: REQUIRED.VpcId,
        HealthCheckProtocol: 'TCP',
        TargetGroupAttributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }],
        // The tag that lets a pack's sync write to the group, as the macro's groups carry.
        Tags: [{ Key: 'alb-static-ip:managed', Value: 'true' }],
      });
      expect(the(deployment, 'Listener1').Properties).toEqual({
        LoadBalancerArn: ref('NetworkLoadBalancer'),
        Protocol: 'TCP',
        Port: '443',
        DefaultActions: [{ Type: 'forward', TargetGroupArn: ref('TargetGroup1') }],
      });
      expect(deployment.outputs.StaticIps).toBe('ElasticIp1-ref,ElasticIp2-ref');
    });

    it('leaves deletion protection off by default, and writes it either way, keeping cross-zone', () => {
      // Act
      const protectedNlb = stack({ NlbDeletionProtection: 'true' });
      const unprotected = stack();

      // Assess: written out either way, so that an update to false turns the attribute off.
      expect(the(protectedNlb, 'NetworkLoadBalancer').Properties.LoadBalancerAttributes).toEqual([
        { Key: 'load_balancing.cross_zone.enabled', Value: 'true' },
        { Key: 'deletion_protection.enabled', Value: 'true' },
        { Key: 'access_logs.s3.enabled', Value: 'false' },
      ]);
      expect(the(unprotected, 'NetworkLoadBalancer').Properties.LoadBalancerAttributes).toEqual([
        { Key: 'load_balancing.cross_zone.enabled', Value: 'true' },
        { Key: 'deletion_protection.enabled', Value: 'false' },
        { Key: 'access_logs.s3.enabled', Value: 'false' },
      ]);
      expect(transformed.Parameters?.NlbDeletionProtection).toMatchObject({
        Default: 'false',
        AllowedValues: ['true', 'false'],
      });
    });

    it("sends a TLS NLB's access logs to NlbAccessLogBucket, and writes them off without one", () => {
      // Prepare: an NLB writes access logs for TLS listeners only.
      // https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-access-logs.html
      const tls = {
        CertificateArn:
          'arn:aws:acm:us-east-1:123456789012:certificate/0f0e0d0c-0b0a-4908-8706-050403020100',
      };

      // Act
      const logged = stack({ ...tls, NlbAccessLogBucket: 'my-nlb-logs' });
      const unlogged = stack(tls);

      // Assess: enabled written out either way, so that clearing the bucket turns the logs off.
      expect(the(logged, 'NetworkLoadBalancer').Properties.LoadBalancerAttributes).toEqual([
        { Key: 'load_balancing.cross_zone.enabled', Value: 'true' },
        { Key: 'deletion_protection.enabled', Value: 'false' },
        { Key: 'access_logs.s3.enabled', Value: 'true' },
        { Key: 'access_logs.s3.bucket', Value: 'my-nlb-logs' },
      ]);
      expect(the(unlogged, 'NetworkLoadBalancer').Properties.LoadBalancerAttributes).toEqual([
        { Key: 'load_balancing.cross_zone.enabled', Value: 'true' },
        { Key: 'deletion_protection.enabled', Value: 'false' },
        { Key: 'access_logs.s3.enabled', Value: 'false' },
      ]);
      expect(transformed.Parameters?.NlbAccessLogBucket).toMatchObject({ Default: '' });
    });

    it('keeps the Elastic IPs it allocates, except when the operation that made them fails', () => {
      for (const id of ['ElasticIp1', 'ElasticIp2', 'ElasticIp3']) {
        expect(transformed.Resources[id], id).toMatchObject({
          DeletionPolicy: 'RetainExceptOnCreate',
          UpdateReplacePolicy: 'Retain',
        });
      }
    });

    it('keeps existing Elastic IPs when given their allocation ids', () => {
      const deployment = stack({
        ElasticIpAllocationIds: 'eipalloc-0a0a0a0a0a0a0a0a0,eipalloc-0b0b0b0b0b0b0b0b0',
      });

      expect(ids(deployment, 'AWS::EC2::EIP')).toEqual([]);
      expect(the(deployment, 'NetworkLoadBalancer').Properties.SubnetMappings).toEqual([
        { SubnetId: 'subnet-0123456789abcdef0', AllocationId: 'eipalloc-0a0a0a0a0a0a0a0a0' },
        { SubnetId: 'subnet-0123456789abcdef1', AllocationId: 'eipalloc-0b0b0b0b0b0b0b0b0' },
      ]);
      expect(deployment.outputs).not.toHaveProperty('StaticIps');
    });

    it('internal, with fixed private IPs and no Elastic IP', () => {
      const deployment = stack({ Scheme: 'internal', PrivateIpAddresses: '10.0.0.10,10.0.16.10' });

      expect(ids(deployment, 'AWS::EC2::EIP')).toEqual([]);
      expect(the(deployment, 'NetworkLoadBalancer').Properties).toMatchObject({
        Scheme: 'internal',
        SubnetMappings: [
          { SubnetId: 'subnet-0123456789abcdef0', PrivateIPv4Address: '10.0.0.10' },
          { SubnetId: 'subnet-0123456789abcdef1', PrivateIPv4Address: '10.0.16.10' },
        ],
      });
    });

    it('three zones and three ports, TLS with a certificate', () => {
      // Act
      const certificate =
        'arn:aws:acm:us-east-1:123456789012:certificate/0f0e0d0c-0b0a-4908-8706-050403020100';
      const deployment = stack({
        SubnetIds: `${REQUIRED.SubnetIds},subnet-0123456789abcdef2`,
        ListenerPorts: '443,8443,9443',
        CertificateArn: certificate,
      });

      // Assess
      expect(ids(deployment, 'AWS::EC2::EIP')).toEqual(['ElasticIp1', 'ElasticIp2', 'ElasticIp3']);
      expect(ids(deployment, 'AWS::ElasticLoadBalancingV2::Listener')).toEqual([
        'Listener1',
        'Listener2',
        'Listener3',
      ]);
      ['443', '8443', '9443'].forEach((port, index) => {
        expect(the(deployment, `Listener${index + 1}`).Properties).toMatchObject({
          Protocol: 'TLS',
          Port: port,
          Certificates: [{ CertificateArn: certificate }],
          SslPolicy: expect.stringMatching(/^ELBSecurityPolicy-TLS13/),
        });
        expect(the(deployment, `TargetGroup${index + 1}`).Properties).toMatchObject({
          Protocol: 'TLS',
          Port: port,
        });
      });
      expect(
        ids(deployment, 'AWS::CloudWatch::Alarm').filter((id) => id.startsWith('HealthyHosts')),
      ).toHaveLength(3);
    });

    it('adopting existing target groups creates no NLB, Elastic IP, listener or VPC link', () => {
      const deployment = stack(adopting(`${TG_A},${TG_B}`));

      for (const type of [
        'AWS::ElasticLoadBalancingV2::LoadBalancer',
        'AWS::ElasticLoadBalancingV2::TargetGroup',
        'AWS::ElasticLoadBalancingV2::Listener',
        'AWS::EC2::EIP',
        'AWS::ApiGateway::VpcLink',
      ]) {
        expect(ids(deployment, type), type).toEqual([]);
      }
      expect(deployment.resources).not.toHaveProperty('NlbPrivateIps');
      expect(the(deployment, 'TargetGroupSync').Properties.TargetGroupArns).toEqual([TG_A, TG_B]);
      expect(deployment.outputs.TargetGroupArns).toBe(`${TG_A},${TG_B}`);
    });
  });

  describe('keeping the target groups in sync', () => {
    const rules = (deployment: Deployment) => ofType(deployment, 'AWS::Events::Rule');
    const inputOf = (deployment: Deployment, rule: string) => {
      const [target] = the(deployment, rule).Properties.Targets as { Input: string }[];
      return parseBinding(JSON.parse(String(target?.Input)));
    };

    it('fills the groups at deploy time with the deploy-time custom resource', () => {
      const deployment = stack({ ListenerPorts: '443,80' });
      expect(the(deployment, 'TargetGroupSync')).toMatchObject({
        Type: 'AWS::CloudFormation::CustomResource',
        Properties: {
          ServiceToken: getAtt('TargetGroupSyncFunction', 'Arn'),
          LoadBalancerArn: ALB,
          TargetGroupArns: [ref('TargetGroup1'), ref('TargetGroup2')],
          DryRun: false,
        },
      });
    });

    it('fills the groups only after the listeners have attached them to the NLB', () => {
      // Prepare: the sync reads the NLB's zones through the load balancer a group is attached to.
      const refsIn = (node: unknown): string[] => {
        if (Array.isArray(node)) return node.flatMap(refsIn);
        if (node === null || typeof node !== 'object') return [];
        return Object.entries(node).flatMap(([key, value]) =>
          key === 'Ref' && typeof value === 'string' ? [value] : refsIn(value),
        );
      };
      const resource = transformed.Resources.TargetGroupSync;

      // Act
      const refs = refsIn(resource?.Properties);

      // Assess
      expect(refs).toEqual(expect.arrayContaining(['Listener1', 'Listener2', 'Listener3']));
      expect(resource?.DependsOn).toBeUndefined();
      expect(
        the(stack({ ListenerPorts: '443,80,8443' }), 'TargetGroupSync').Properties,
      ).toMatchObject({
        TargetGroupArns: [ref('TargetGroup1'), ref('TargetGroup2'), ref('TargetGroup3')],
      });
    });

    it('runs on the schedule and on ELB network-interface events, with the same binding', () => {
      // Act
      const deployment = stack({ ListenerPorts: '443,80', SyncSchedule: 'rate(5 minutes)' });

      // Assess
      expect(
        rules(deployment)
          .map(([id]) => id)
          .sort(),
      ).toEqual(['EniChangeRule', 'SyncScheduleRule']);
      expect(the(deployment, 'SyncScheduleRule').Properties).toMatchObject({
        ScheduleExpression: 'rate(5 minutes)',
        State: 'ENABLED',
      });
      const binding = {
        LoadBalancerArn: parseLoadBalancerArn(ALB),
        TargetGroupArns: [ref('TargetGroup1'), ref('TargetGroup2')],
        DryRun: false,
      };
      expect(inputOf(deployment, 'SyncScheduleRule')).toEqual(binding);
      expect(inputOf(deployment, 'EniChangeRule')).toEqual(binding);
    });

    it('gives adopted target groups to the rules too', () => {
      const deployment = stack(adopting(`${TG_A},${TG_B}`));
      expect(inputOf(deployment, 'SyncScheduleRule').TargetGroupArns).toEqual([TG_A, TG_B]);
    });

    describe('the ENI-change rule', () => {
      const patternOf = (deployment: Deployment) =>
        the(deployment, 'EniChangeRule').Properties.EventPattern as EventPattern;
      const fixture = (name: string) =>
        JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', `${name}.json`), 'utf8'));
      type CloudTrailEvent = {
        detail: {
          userIdentity: Record<string, unknown>;
          requestParameters: { description?: string };
        };
      };
      const created = () => loadEvent('eni-created-by-elb') as unknown as CloudTrailEvent;

      it("matches Elastic Load Balancing creating this ALB's interfaces, and deleting interfaces", () => {
        // Act
        const pattern = patternOf(stack());

        // Assess
        expect(matchesPattern(pattern, created())).toBe(true);
        expect(matchesPattern(pattern, fixture('eni-deleted-by-elb'))).toBe(true);
      });

      it('does not match a call that failed, another load balancer, or a person', () => {
        // Prepare
        const failed = fixture('eni-create-failed');
        const otherAlb = created();
        otherAlb.detail.requestParameters.description = 'ELB app/web-2/0f1e2d3c4b5a6978';
        const byPerson = created();
        byPerson.detail.userIdentity = {
          type: 'IAMUser',
          arn: 'arn:aws:iam::123456789012:user/ops',
        };

        // Act
        const pattern = patternOf(stack());

        // Assess
        expect(failed.detail.errorCode).toBeDefined();
        expect(matchesPattern(pattern, failed)).toBe(false);
        expect(matchesPattern(pattern, otherAlb)).toBe(false);
        expect(matchesPattern(pattern, byPerson)).toBe(false);
      });

      it("takes the ALB's interface description from its ARN, in any partition", () => {
        // Prepare
        const china =
          'arn:aws-cn:elasticloadbalancing:cn-north-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188';

        // Act
        const pattern = patternOf(stack({ LoadBalancerArn: china }));

        // Assess
        expect(JSON.stringify(pattern)).toContain('"ELB app/web/50dc6c495c0c9188"');
        expect(matchesPattern(pattern, created())).toBe(true);
      });
    });

    it('has no ENI rule when told not to react to ENI events', () => {
      const deployment = stack({ ReactToEniEvents: 'false' });
      expect(rules(deployment).map(([id]) => id)).toEqual(['SyncScheduleRule']);
      expect(deployment.resources).not.toHaveProperty('EniChangePermission');
    });

    it('retries rule deliveries and keeps what still fails in a dead-letter queue', () => {
      const deployment = stack();
      for (const [id, rule] of rules(deployment)) {
        expect(rule.Properties.Targets, id).toEqual([
          expect.objectContaining({
            Arn: getAtt('TargetGroupSyncFunction', 'Arn'),
            RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 300 },
            DeadLetterConfig: { Arn: getAtt('SyncDeadLetterQueue', 'Arn') },
          }),
        ]);
      }
      expect(the(deployment, 'SyncDeadLetterQueuePolicy').Properties.PolicyDocument).toMatchObject({
        Statement: [
          {
            Principal: { Service: 'events.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Condition: {
              ArnEquals: {
                'aws:SourceArn': [
                  getAtt('SyncScheduleRule', 'Arn'),
                  getAtt('EniChangeRule', 'Arn'),
                ],
              },
            },
          },
          { Sid: 'DenyRequestsWithoutTls', Effect: 'Deny' },
        ],
      });
    });

    it('lets each rule, and only EventBridge, invoke the function', () => {
      const permissions = ofType(stack(), 'AWS::Lambda::Permission').map(([, p]) => p.Properties);
      expect(permissions).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            Principal: 'events.amazonaws.com',
            SourceArn: getAtt('SyncScheduleRule', 'Arn'),
          }),
          expect.objectContaining({
            Principal: 'events.amazonaws.com',
            SourceArn: getAtt('EniChangeRule', 'Arn'),
          }),
        ]),
      );
      for (const permission of permissions) expect(permission.SourceArn).toBeDefined();
    });

    it('deletes the rules before the deploy-time teardown runs', () => {
      const deployment = stack();
      for (const [id, rule] of rules(deployment))
        expect(rule.DependsOn, id).toBe('TargetGroupSync');
    });
  });

  describe('the ALB security group and API Gateway', () => {
    it('feeds the NLB private IPs to the given ALB security group on the listener ports', () => {
      const deployment = stack({
        ListenerPorts: '443,80',
        AlbSecurityGroupId: 'sg-0123456789abcdef0',
      });
      expect(the(deployment, 'NlbPrivateIps')).toMatchObject({
        Type: 'AWS::CloudFormation::CustomResource',
        Properties: {
          ServiceToken: getAtt('NlbPrivateIpsFunction', 'Arn'),
          LoadBalancerArn: ref('NetworkLoadBalancer'),
          Ports: ['443', '80'],
          SecurityGroupId: 'sg-0123456789abcdef0',
        },
      });
      expect(deployment.outputs.NlbPrivateIps).toStrictEqual(
        new JoinedGetAtt(',', getAtt('NlbPrivateIps', 'PrivateIps')),
      );
    });

    it('creates the VPC link to the NLB unless told not to', () => {
      expect(the(stack(), 'ApiVpcLink').Properties.TargetArns).toEqual([
        ref('NetworkLoadBalancer'),
      ]);
      expect(stack({ CreateVpcLink: 'false' }).resources).not.toHaveProperty('ApiVpcLink');
      expect(stack({ CreateVpcLink: 'false' }).outputs).not.toHaveProperty('VpcLinkId');
    });
  });

  describe('alarms and dashboard', () => {
    it('alarms on sync errors, function errors and each listener with no healthy ALB target', () => {
      const deployment = stack({ ListenerPorts: '443,80' });
      const alarms = Object.fromEntries(ofType(deployment, 'AWS::CloudWatch::Alarm'));
      expect(Object.keys(alarms).sort()).toEqual([
        'HealthyHosts1Alarm',
        'HealthyHosts2Alarm',
        'IpsOutsideNlbZonesAlarm',
        'LookalikeEnisAlarm',
        'NlbPrivateIpsErrorsAlarm',
        'SyncErrorsAlarm',
        'TargetGroupSyncErrorsAlarm',
      ]);
      expect(alarms.SyncErrorsAlarm?.Properties).toMatchObject({
        Namespace: 'AlbStaticIp',
        MetricName: 'SyncErrors',
        Dimensions: [
          { Name: 'service', Value: 'target-group-sync' },
          { Name: 'LoadBalancer', Value: 'app/web/50dc6c495c0c9188' },
        ],
      });
      expect(alarms.HealthyHosts2Alarm?.Properties).toMatchObject({
        Namespace: 'AWS/NetworkELB',
        MetricName: 'HealthyHostCount',
        Dimensions: [
          { Name: 'TargetGroup', Value: getAtt('TargetGroup2', 'TargetGroupFullName') },
          { Name: 'LoadBalancer', Value: getAtt('NetworkLoadBalancer', 'LoadBalancerFullName') },
        ],
        ComparisonOperator: 'LessThanThreshold',
        Threshold: 1,
      });
    });

    it('alarms when ALB IPs are in zones the NLB does not serve, on the sync metric', () => {
      // Act
      const alarms = Object.fromEntries(ofType(stack(), 'AWS::CloudWatch::Alarm'));

      // Assess
      expect(alarms.IpsOutsideNlbZonesAlarm?.Properties).toMatchObject({
        Namespace: 'AlbStaticIp',
        MetricName: 'IpsOutsideNlbZones',
        Dimensions: alarms.SyncErrorsAlarm?.Properties.Dimensions,
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
      });
    });

    it('notifies the SNS topic only when one is given', () => {
      const topic = 'arn:aws:sns:us-east-1:123456789012:ops';
      for (const [, alarm] of ofType(stack({ AlarmTopicArn: topic }), 'AWS::CloudWatch::Alarm')) {
        expect(alarm.Properties).toMatchObject({ AlarmActions: [topic], OKActions: [topic] });
      }
      for (const [, alarm] of ofType(stack(), 'AWS::CloudWatch::Alarm')) {
        expect(alarm.Properties).not.toHaveProperty('AlarmActions');
      }
    });

    it('has a dashboard of IP count, changes and health that CloudWatch can read', () => {
      const body = JSON.parse(String(the(stack(), 'Dashboard').Properties.DashboardBody)) as {
        widgets: { properties: { title: string; metrics: unknown[] } }[];
      };
      expect(body.widgets.map((widget) => widget.properties.title)).toEqual([
        'ALB IPs discovered',
        'Targets changed',
        'Healthy ALB targets per listener',
      ]);
      expect(JSON.stringify(body)).toContain(
        `${getAtt('NetworkLoadBalancer', 'LoadBalancerFullName')}`,
      );
      expect(JSON.stringify(body.widgets[1]?.properties.metrics)).toContain('IpsOutsideNlbZones');
      const adopted = stack(adopting(TG_A));
      expect(() =>
        JSON.parse(String(the(adopted, 'Dashboard').Properties.DashboardBody)),
      ).not.toThrow();
    });
  });

  describe('least privilege', () => {
    it('lets the sync write only to its own target groups, its failure records to its queue, and its own logs', () => {
      for (const [parameters, groups] of [
        [{ ListenerPorts: '443,80' }, [ref('TargetGroup1'), ref('TargetGroup2')]],
        [adopting(`${TG_A},${TG_B}`), [TG_A, TG_B]],
      ] as const) {
        const writes = statements(stack(parameters), 'TargetGroupSyncFunctionRole').filter((s) =>
          actionsOf(s).some(isWrite),
        );
        expect(writes.flatMap(actionsOf).sort()).toEqual([
          'elasticloadbalancing:AddTags',
          'elasticloadbalancing:DeregisterTargets',
          'elasticloadbalancing:RegisterTargets',
          'elasticloadbalancing:RemoveTags',
          'logs:CreateLogStream',
          'logs:PutLogEvents',
          'sqs:SendMessage',
        ]);
        const resources = writes.map((s) => s.Resource);
        expect(resources).toHaveLength(3);
        expect(resources).toEqual(
          expect.arrayContaining([
            groups,
            getAtt('SyncDeadLetterQueue', 'Arn'),
            getAtt('TargetGroupSyncLogGroup', 'Arn'),
          ]),
        );
      }
    });

    it('lets nlb-private-ips change only the given security group, and nothing without one', () => {
      const withGroup = statements(
        stack({ AlbSecurityGroupId: 'sg-0123456789abcdef0' }),
        'NlbPrivateIpsFunctionRole',
      );
      expect(withGroup.filter((s) => actionsOf(s).some(isWrite))).toEqual([
        OWN_LOGS('NlbPrivateIpsLogGroup'),
        expect.objectContaining({
          Action: [
            'ec2:AuthorizeSecurityGroupIngress',
            'ec2:RevokeSecurityGroupIngress',
            'ec2:ModifySecurityGroupRules',
          ],
          Resource: 'arn:aws:ec2:us-east-1:123456789012:security-group/sg-0123456789abcdef0',
        }),
        // Authorized on the rule too; the statement above keeps it to the group's rules.
        expect.objectContaining({
          Action: ['ec2:ModifySecurityGroupRules'],
          Resource: 'arn:aws:ec2:us-east-1:123456789012:security-group-rule/*',
        }),
      ]);
      const without = statements(stack(), 'NlbPrivateIpsFunctionRole');
      expect(without.filter((s) => actionsOf(s).some(isWrite))).toEqual([
        OWN_LOGS('NlbPrivateIpsLogGroup'),
      ]);
      // Adopted target groups: no NLB of ours, so no security group to manage either. The rules
      // refuse this combination; the template still grants nothing if they are bypassed.
      const adopted = statements(
        deploy(
          transformed,
          { ...REQUIRED, ...adopting(TG_A), AlbSecurityGroupId: 'sg-0123456789abcdef0' },
          { skipRules: true },
        ),
        'NlbPrivateIpsFunctionRole',
      );
      expect(adopted.filter((s) => actionsOf(s).some(isWrite))).toEqual([
        OWN_LOGS('NlbPrivateIpsLogGroup'),
      ]);
    });

    it('gives every function a role of its own, with no AWS managed policy, that writes only its own logs', () => {
      for (const deployment of [stack(), deploy(transformed, {})]) {
        for (const [id, fn] of ofType(deployment, 'AWS::Lambda::Function')) {
          const role = getAttOf(fn.Properties.Role);
          const properties = the(deployment, role).Properties;
          expect(properties.ManagedPolicyArns, id).toBeUndefined();
          const logGroup = String((fn.Properties.LoggingConfig as { LogGroup: string }).LogGroup);
          const logs = statements(deployment, role).filter((s) =>
            actionsOf(s).some((action) => action.startsWith('logs:')),
          );
          expect(logs, id).toEqual([OWN_LOGS(logGroup.replace(/-ref$/, ''))]);
        }
      }
    });

    it('gives no role a write action on every resource, and only Allow statements', () => {
      const deployment = stack({ AlbSecurityGroupId: 'sg-0123456789abcdef0' });
      for (const [role] of ofType(deployment, 'AWS::IAM::Role')) {
        for (const statement of statements(deployment, role)) {
          expect(statement.Effect, statement.Sid).toBe('Allow');
          if (actionsOf(statement).some(isWrite))
            expect(statement.Resource, statement.Sid).not.toBe('*');
        }
      }
    });
  });

  describe('the pack (no LoadBalancerArn)', () => {
    /** The pack, deployed on paper with every default. */
    const pack = (parameters: Record<string, string> = {}): Deployment =>
      deploy(transformed, parameters);
    const ACCOUNT_GROUP = (name: string) =>
      `arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/${name}/0123456789abcdef`;
    const MANAGED = { 'aws:ResourceTag/alb-static-ip:managed': 'true' };
    const OWNER = 'alb-static-ip:owner:0123456789abcdef';

    it('installs the shared functions and the macro, and no bridge', () => {
      const deployment = pack();
      expect(ids(deployment, 'AWS::Lambda::Function')).toEqual([
        'BridgeMacroFunction',
        'NlbPrivateIpsFunction',
        'TargetGroupSyncFunction',
      ]);
      for (const type of [
        'AWS::ElasticLoadBalancingV2::LoadBalancer',
        'AWS::ElasticLoadBalancingV2::TargetGroup',
        'AWS::ElasticLoadBalancingV2::Listener',
        'AWS::EC2::EIP',
        'AWS::CloudFormation::CustomResource',
        'AWS::Events::Rule',
        'AWS::ApiGateway::VpcLink',
        'AWS::CloudWatch::Dashboard',
      ]) {
        expect(ids(deployment, type), type).toEqual([]);
      }
      expect(ids(deployment, 'AWS::CloudWatch::Alarm')).toEqual([
        'BridgeMacroErrorsAlarm',
        'NlbPrivateIpsErrorsAlarm',
        'TargetGroupSyncErrorsAlarm',
      ]);
      expect(ids(deployment, 'AWS::Logs::LogGroup')).toEqual([
        'BridgeMacroLogGroup',
        'NlbPrivateIpsLogGroup',
        'TargetGroupSyncLogGroup',
      ]);
    });

    it('installs the macro under MacroName, wired to the shared functions and queue', () => {
      const deployment = pack();
      expect(the(deployment, 'BridgeMacro')).toEqual({
        Type: 'AWS::CloudFormation::Macro',
        Properties: {
          Name: 'AlbStaticIp',
          Description: expect.stringContaining('AlbStaticIp::Bridge'),
          FunctionName: getAtt('BridgeMacroFunction', 'Arn'),
        },
      });
      expect(the(deployment, 'BridgeMacroFunction').Properties).toMatchObject({
        Handler: 'index.handler',
        Environment: {
          Variables: {
            POWERTOOLS_SERVICE_NAME: 'bridge-macro',
            SYNC_FUNCTION_ARN: getAtt('TargetGroupSyncFunction', 'Arn'),
            NLB_PRIVATE_IPS_FUNCTION_ARN: getAtt('NlbPrivateIpsFunction', 'Arn'),
            DEAD_LETTER_QUEUE_ARN: getAtt('SyncDeadLetterQueue', 'Arn'),
          },
        },
      });
      expect(pack({ MacroName: 'TeamStaticIps' }).resources.BridgeMacro?.Properties.Name).toBe(
        'TeamStaticIps',
      );
      expect(pack().outputs).toMatchObject({
        MacroName: 'BridgeMacro-ref',
        TargetGroupSyncServiceToken: getAtt('TargetGroupSyncFunction', 'Arn'),
        NlbPrivateIpsServiceToken: getAtt('NlbPrivateIpsFunction', 'Arn'),
        DeadLetterQueueArn: getAtt('SyncDeadLetterQueue', 'Arn'),
      });
      for (const output of ['TargetGroupArns', 'DashboardName', 'NlbArn', 'StaticIps']) {
        expect(pack().outputs, output).not.toHaveProperty(output);
      }
    });

    it('installs no macro with an empty MacroName, nor in any bridge stack, so two never collide', () => {
      for (const deployment of [pack({ MacroName: '' }), stack(), stack(adopting(TG_A))]) {
        expect(ids(deployment, 'AWS::CloudFormation::Macro')).toEqual([]);
        expect(deployment.resources).not.toHaveProperty('BridgeMacroFunction');
        expect(deployment.outputs).not.toHaveProperty('MacroName');
      }
    });

    it('installs the functions without the macro in a Region without macros, and says so', () => {
      // Prepare: Asia Pacific (Jakarta), which issue 23 found without CloudFormation macros.
      const jakarta = { pseudoParameters: { 'AWS::Region': 'ap-southeast-3' } };

      // Act
      const deployment = deploy(transformed, {}, jakarta);

      // Assess
      expect(ids(deployment, 'AWS::Lambda::Function')).toEqual([
        'NlbPrivateIpsFunction',
        'TargetGroupSyncFunction',
      ]);
      expect(ids(deployment, 'AWS::CloudFormation::Macro')).toEqual([]);
      expect(ids(deployment, 'AWS::Logs::LogGroup')).not.toContain('BridgeMacroLogGroup');
      expect(deployment.outputs).not.toHaveProperty('MacroName');
      expect(deployment.outputs).toHaveProperty('TargetGroupSyncServiceToken');
      expect(deployment.outputs.MacroNotInstalled).toMatch(
        /^AWS::CloudFormation::Macro is not available in ap-southeast-3/,
      );
      // Where the macro installs, or none was asked for, there is nothing to say.
      expect(pack().outputs).not.toHaveProperty('MacroNotInstalled');
      expect(deploy(transformed, { MacroName: '' }, jakarta).outputs).not.toHaveProperty(
        'MacroNotInstalled',
      );
    });

    it('gives the macro function no permission beyond its own logs', () => {
      expect(statements(pack(), 'BridgeMacroFunctionRole')).toEqual([
        OWN_LOGS('BridgeMacroLogGroup'),
      ]);
    });

    it('lets the sync write targets only in groups tagged alb-static-ip:managed', () => {
      const policy = statements(pack(), 'TargetGroupSyncFunctionRole') as PolicyStatement[];
      for (const action of [
        'elasticloadbalancing:RegisterTargets',
        'elasticloadbalancing:DeregisterTargets',
      ]) {
        const on = (resource: string, context: Record<string, string> = {}) =>
          isAllowed(policy, { action, resource, context });
        expect(on(ACCOUNT_GROUP('web'), MANAGED), action).toBe(true);
        expect(on(ACCOUNT_GROUP('web')), action).toBe(false);
        expect(on(ACCOUNT_GROUP('web'), { 'aws:ResourceTag/alb-static-ip:managed': 'false' })).toBe(
          false,
        );
        expect(on(ACCOUNT_GROUP('web').replace('us-east-1', 'eu-west-1'), MANAGED)).toBe(false);
        expect(on(ACCOUNT_GROUP('web').replace('123456789012', '210987654321'), MANAGED)).toBe(
          false,
        );
      }
    });

    it('lets the sync add and remove only its owner tags, only on managed groups, never the managed tag', () => {
      const policy = statements(pack(), 'TargetGroupSyncFunctionRole') as PolicyStatement[];
      for (const action of ['elasticloadbalancing:AddTags', 'elasticloadbalancing:RemoveTags']) {
        const tagging = (keys: string[] | undefined, resourceTags: Record<string, string>) =>
          isAllowed(policy, {
            action,
            resource: ACCOUNT_GROUP('web'),
            context: { ...resourceTags, ...(keys && { 'aws:TagKeys': keys }) },
          });
        expect(tagging([OWNER], MANAGED), action).toBe(true);
        // Not on a group someone else made: it could then give itself that group.
        expect(tagging([OWNER], {}), action).toBe(false);
        // Never the managed tag, alone or beside an owner tag, on any group.
        expect(tagging(['alb-static-ip:managed'], {}), action).toBe(false);
        expect(tagging(['alb-static-ip:managed'], MANAGED), action).toBe(false);
        expect(tagging([OWNER, 'alb-static-ip:managed'], MANAGED), action).toBe(false);
        expect(tagging([OWNER, 'Name'], MANAGED), action).toBe(false);
        // A request that names no tag key at all is no exception.
        expect(tagging(undefined, MANAGED), action).toBe(false);
      }
      // Nor any other write: the rest of the policy reads, and sends failures to its queue.
      const writes = policy.filter((statement) =>
        (typeof statement.Action === 'string' ? [statement.Action] : statement.Action).some(
          isWrite,
        ),
      );
      expect(writes.map((statement) => statement.Sid ?? '').sort()).toEqual([
        // Roles at /alb-static-ip/ only, for bridges whose ALB is in another account (README).
        'AssumeDiscoveryRolesOnly',
        'RecordOwnersOnManagedTargetGroupsOnly',
        'SendFailedRunsToTheDeadLetterQueue',
        'WriteTargetsOfManagedTargetGroupsOnly',
        'WriteToOwnLogGroupOnly',
      ]);
    });

    it('lets every EventBridge rule of the account and Region, and no other, invoke the sync with one permission', () => {
      const permissions = ofType(pack(), 'AWS::Lambda::Permission');
      expect(permissions).toEqual([
        [
          'SyncInvokedByRulesOfTheAccount',
          {
            Type: 'AWS::Lambda::Permission',
            Properties: {
              FunctionName: ref('TargetGroupSyncFunction'),
              Action: 'lambda:InvokeFunction',
              Principal: 'events.amazonaws.com',
              SourceAccount: '123456789012',
              SourceArn: 'arn:aws:events:us-east-1:123456789012:rule/*',
            },
          },
        ],
      ]);
      // A bridge stack keeps one permission per rule of its own.
      expect(ids(stack(), 'AWS::Lambda::Permission')).toEqual([
        'EniChangePermission',
        'SyncSchedulePermission',
      ]);
    });

    it("lets the account's rules, and only EventBridge, send to the dead-letter queue", () => {
      const document = the(pack(), 'SyncDeadLetterQueuePolicy').Properties
        .PolicyDocument as unknown as { Statement: PolicyStatement[] };
      const allows = document.Statement.filter((statement) => statement.Effect === 'Allow');
      expect(allows).toHaveLength(1);
      expect(allows[0]?.Principal).toEqual({ Service: 'events.amazonaws.com' });
      const sends = (sourceArn: string) =>
        isAllowed(
          document.Statement.map((statement) => ({
            ...statement,
            Resource: 'arn:aws:sqs:us-east-1:123456789012:queue',
          })),
          {
            action: 'sqs:SendMessage',
            resource: 'arn:aws:sqs:us-east-1:123456789012:queue',
            context: { 'aws:SourceArn': sourceArn, 'aws:SecureTransport': 'true' },
          },
        );
      expect(sends('arn:aws:events:us-east-1:123456789012:rule/web-WebStaticIpsSyncSchedule')).toBe(
        true,
      );
      expect(sends('arn:aws:events:us-east-1:210987654321:rule/theirs')).toBe(false);
      expect(sends('arn:aws:events:eu-west-1:123456789012:rule/elsewhere')).toBe(false);
    });
  });

  describe('the dead-letter queue policy, in each set-up that has the queue', () => {
    const QUEUE = 'arn:aws:sqs:us-east-1:123456789012:alb-static-ip-SyncDeadLetterQueue-AbC123';
    const rule = (name: string) => `arn:aws:events:us-east-1:123456789012:rule/${name}`;
    const SCHEDULE_RULE = rule('alb-static-ip-SyncScheduleRule-AbC123');
    const ENI_RULE = rule('alb-static-ip-EniChangeRule-AbC123');
    /** Made-up ARNs for the attributes the queue's policy and the sync's grant name. */
    const ARNS: Record<string, string> = {
      [String(getAtt('SyncDeadLetterQueue', 'Arn'))]: QUEUE,
      [String(getAtt('SyncScheduleRule', 'Arn'))]: SCHEDULE_RULE,
      [String(getAtt('EniChangeRule', 'Arn'))]: ENI_RULE,
    };
    /** A policy with its GetAtts replaced by ARNS, which the IAM evaluator can read. */
    const withArns = (value: unknown): unknown => {
      if (value instanceof GetAtt) {
        const arn = ARNS[String(value)];
        if (arn === undefined) throw new Error(`no made-up ARN for ${value}`);
        return arn;
      }
      if (Array.isArray(value)) return value.map(withArns);
      if (value === null || typeof value !== 'object') return value;
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, withArns(item)]));
    };
    const queuePolicy = (deployment: Deployment) =>
      (
        withArns(the(deployment, 'SyncDeadLetterQueuePolicy').Properties.PolicyDocument) as {
          Statement: PolicyStatement[];
        }
      ).Statement;
    /** The sync role's own grant: Lambda sends the records of failed runs with that role. */
    const syncGrants = (deployment: Deployment) =>
      withArns(
        statements(deployment, 'TargetGroupSyncFunctionRole').filter((statement) =>
          actionsOf(statement).includes('sqs:SendMessage'),
        ),
      ) as PolicyStatement[];

    const EVENTBRIDGE: RequestPrincipal = { type: 'Service', id: 'events.amazonaws.com' };
    const SYNC_ROLE: RequestPrincipal = {
      type: 'AWS',
      id: 'arn:aws:iam::123456789012:role/alb-static-ip-TargetGroupSyncFunctionRole-AbC123',
    };
    /** The set-ups with the queue, and the rules whose undeliverable events it takes. */
    const SET_UPS = [
      { name: 'a bridge stack', deployment: () => stack(), rules: [SCHEDULE_RULE, ENI_RULE] },
      {
        name: 'the pack',
        deployment: () => deploy(transformed, {}),
        // A bridge's rule, in a user's stack of the same account and Region.
        rules: [rule('web-WebStaticIpsSyncSchedule-AbC123')],
      },
    ];
    const request = (
      action: string,
      principal: RequestPrincipal,
      secure: boolean,
      sourceArn?: string,
    ): AccessRequest => ({
      action,
      resource: QUEUE,
      principal,
      context: {
        'aws:SecureTransport': String(secure),
        ...(sourceArn !== undefined && { 'aws:SourceArn': sourceArn }),
      },
    });

    it.each(SET_UPS)(
      '$name: refuses every request without TLS, whoever sends it and whatever allows it',
      ({ deployment, rules }) => {
        // Prepare: beside the queue's policy, a grant of everything to everyone, so that only a
        // Deny of the queue's policy can refuse a request.
        const policy: PolicyStatement[] = [
          ...queuePolicy(deployment()),
          { Effect: 'Allow', Action: '*', Resource: '*' },
        ];
        const principals: RequestPrincipal[] = [
          EVENTBRIDGE,
          SYNC_ROLE,
          { type: 'AWS', id: 'arn:aws:iam::123456789012:root' },
          { type: 'AWS', id: 'arn:aws:iam::210987654321:role/theirs' },
          { type: 'Service', id: 'sns.amazonaws.com' },
        ];
        const actions = [
          'sqs:SendMessage',
          'sqs:ReceiveMessage',
          'sqs:DeleteMessage',
          'sqs:PurgeQueue',
          'sqs:SetQueueAttributes',
        ];

        // Act: each principal and action, from one of the rules the queue takes messages from.
        const decisions = principals.flatMap((principal) =>
          actions.map((action) => ({
            principal: principal.id,
            action,
            plain: isAllowed(policy, request(action, principal, false, rules[0])),
            tls: isAllowed(policy, request(action, principal, true, rules[0])),
          })),
        );

        // Assess: refused without TLS, and only then.
        expect(decisions.filter((decision) => decision.plain)).toEqual([]);
        expect(decisions.filter((decision) => !decision.tls)).toEqual([]);
      },
    );

    it.each(SET_UPS)(
      "$name: still takes its rules' and the sync's sends over TLS, and not without",
      ({ deployment, rules }) => {
        // Prepare
        const deployed = deployment();
        const policy = queuePolicy(deployed);
        // Same account: the role's own grant or the queue's policy may allow, and a Deny wins.
        const withRole = [...policy, ...syncGrants(deployed)];

        // Act
        const fromRules = rules.map((sourceArn) => ({
          tls: isAllowed(policy, request('sqs:SendMessage', EVENTBRIDGE, true, sourceArn)),
          plain: isAllowed(policy, request('sqs:SendMessage', EVENTBRIDGE, false, sourceArn)),
        }));
        const fromSync = {
          tls: isAllowed(withRole, request('sqs:SendMessage', SYNC_ROLE, true)),
          plain: isAllowed(withRole, request('sqs:SendMessage', SYNC_ROLE, false)),
        };

        // Assess
        expect(fromRules).toEqual(rules.map(() => ({ tls: true, plain: false })));
        expect(fromSync).toEqual({ tls: true, plain: false });
      },
    );
  });

  describe('outputs', () => {
    it('exports what another stack needs', () => {
      const outputs = (transformed.Outputs ?? {}) as Record<string, { Export?: unknown }>;
      for (const name of [
        'StaticIps',
        'NlbPrivateIps',
        'NlbArn',
        'NlbDnsName',
        'TargetGroupArns',
        'VpcLinkId',
        'TargetGroupSyncServiceToken',
        'NlbPrivateIpsServiceToken',
      ]) {
        expect(outputs[name]?.Export, name).toEqual({
          Name: { 'Fn::Sub': `\${AWS::StackName}-${name}` },
        });
      }
      expect(stack().outputs).toMatchObject({
        NlbArn: ref('NetworkLoadBalancer'),
        NlbDnsName: getAtt('NetworkLoadBalancer', 'DNSName'),
        VpcLinkId: 'ApiVpcLink-ref',
        TargetGroupSyncServiceToken: getAtt('TargetGroupSyncFunction', 'Arn'),
        NlbPrivateIpsServiceToken: getAtt('NlbPrivateIpsFunction', 'Arn'),
      });
    });
  });

  it('uses only custom resource types the Serverless Application Repository accepts', () => {
    const types = Object.values(transformed.Resources).map((resource) => resource.Type);
    expect(types.filter((type) => type.startsWith('Custom::'))).toEqual([]);
    expect(types).toContain('AWS::CloudFormation::CustomResource');
  });
});

describe('Template: parameters', () => {
  const template = loadTemplate();
  const parameters = template.Parameters ?? {};
  const pattern = (name: string) => new RegExp(String(parameters[name]?.AllowedPattern));

  it('accepts, at deploy time, the ARNs the function accepts', () => {
    for (const sample of [loadEvent('scheduled-sync'), loadEvent('eni-change-sync')]) {
      expect(sample.LoadBalancerArn).toMatch(pattern('LoadBalancerArn'));
      for (const arn of sample.TargetGroupArns as string[]) {
        expect(arn).toMatch(pattern('ExistingTargetGroupArns'));
      }
    }
  });

  it.each([
    ['LoadBalancerArn', ALB.replace('/app/', '/net/')],
    ['LoadBalancerArn', TG_A],
    ['ExistingTargetGroupArns', ALB],
    ['ExistingTargetGroupArns', `${TG_A}"`],
    ['ListenerPorts', 'http'],
    ['ListenerPorts', '65536'],
    ['SubnetIds', 'subnet-xyz'],
    ['PrivateIpAddresses', '10.0.0.256'],
    ['ReservedConcurrency', '0'],
    ['ReservedConcurrency', '-1'],
    ['ReservedConcurrency', 'one'],
    ['ReservedConcurrency', '1.5'],
  ])('refuses, at deploy time, %s %s', (name, value) => {
    expect(value).not.toMatch(pattern(name));
  });

  it('takes an empty ReservedConcurrency, for no reservation, or a positive whole number', () => {
    for (const value of ['', '1', '10', '250'])
      expect(value).toMatch(pattern('ReservedConcurrency'));
    expect(parameters.ReservedConcurrency?.Default).toBe('');
  });

  it('describes every parameter and shows each in a group of the console and guided prompts', () => {
    const groups = (
      template.Metadata as {
        'AWS::CloudFormation::Interface': { ParameterGroups: { Parameters: string[] }[] };
      }
    )['AWS::CloudFormation::Interface'].ParameterGroups.flatMap((group) => group.Parameters);
    expect(groups.sort()).toEqual(Object.keys(parameters).sort());
    for (const [name, parameter] of Object.entries(parameters)) {
      expect(String(parameter.Description ?? ''), name).not.toBe('');
    }
  });
});
