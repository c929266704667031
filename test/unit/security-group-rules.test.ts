import {
  AuthorizeSecurityGroupIngressCommand,
  DescribeSecurityGroupRulesCommand,
  type DescribeSecurityGroupRulesCommandInput,
  type DescribeSecurityGroupRulesCommandOutput,
  EC2Client,
  ModifySecurityGroupRulesCommand,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type {
  DescriptionChange,
  ExistingRule,
  IngressRule,
} from '../../functions/nlb-private-ips/ingress-rules.js';
import {
  authorizeIngress,
  readIngressRules,
  redescribeIngress,
  revokeIngress,
} from '../../functions/nlb-private-ips/security-group-rules.js';
import { AwsCallError } from '../../functions/shared/errors.js';
import { awsError } from '../support/aws-errors.js';
import { failureOf } from '../support/failure-of.js';
import { abortError, abortedSignal, LIVE, optionsSent } from '../support/signals.js';

const GROUP = 'sg-0a1b2c3d4e5f67890';
const OURS = 'Made by alb-static-ip nlb-private-ips/NlbPrivateIps/4b3a29180f7e6d5c in stack web';

const ec2Mock = mockClient(EC2Client);

const tcp = (cidr: string, port: number): IngressRule => ({
  IpProtocol: 'tcp',
  CidrIp: cidr,
  FromPort: port,
  ToPort: port,
  Description: OURS,
});

/** The IpPermission the EC2 API takes for one of our rules, written out in full. */
const permission = (cidr: string, port: number) => ({
  IpProtocol: 'tcp',
  FromPort: port,
  ToPort: port,
  IpRanges: [{ CidrIp: cidr, Description: OURS }],
});

const sentAuthorizations = () =>
  ec2Mock.commandCalls(AuthorizeSecurityGroupIngressCommand).map((call) => call.args[0].input);

beforeEach(() => {
  ec2Mock.reset();
});

describe('Function: readIngressRules', () => {
  it('reads every page of the group, asking for 1000 rules a page', async () => {
    // Prepare: the paginator reuses one input object, so each request is copied as it is sent
    const pages: Partial<DescribeSecurityGroupRulesCommandOutput>[] = [
      {
        SecurityGroupRules: [
          {
            SecurityGroupRuleId: 'sgr-1',
            CidrIpv4: '10.0.0.1/32',
            IpProtocol: 'tcp',
            FromPort: 443,
            ToPort: 443,
            Description: OURS,
            IsEgress: false,
          },
        ],
        NextToken: 'page-2',
      },
      // A page can come back without rules and still point to the next one.
      { NextToken: 'page-3' },
      {
        SecurityGroupRules: [
          {
            SecurityGroupRuleId: 'sgr-3',
            CidrIpv4: '10.0.0.3/32',
            IpProtocol: 'udp',
            FromPort: 53,
            ToPort: 53,
            Description: 'added by hand',
          },
        ],
      },
    ];
    const requests: DescribeSecurityGroupRulesCommandInput[] = [];
    ec2Mock.on(DescribeSecurityGroupRulesCommand).callsFake((input) => {
      requests.push(structuredClone(input));
      return pages[requests.length - 1];
    });

    // Act
    const rules = await readIngressRules(new EC2Client({}), GROUP, LIVE);

    // Assess
    expect(rules).toStrictEqual([
      {
        ruleId: 'sgr-1',
        cidr: '10.0.0.1/32',
        fromPort: 443,
        toPort: 443,
        protocol: 'tcp',
        description: OURS,
      },
      {
        ruleId: 'sgr-3',
        cidr: '10.0.0.3/32',
        fromPort: 53,
        toPort: 53,
        protocol: 'udp',
        description: 'added by hand',
      },
    ]);
    expect(requests).toEqual([
      { Filters: [{ Name: 'group-id', Values: [GROUP] }], MaxResults: 1000 },
      { Filters: [{ Name: 'group-id', Values: [GROUP] }], MaxResults: 1000, NextToken: 'page-2' },
      { Filters: [{ Name: 'group-id', Values: [GROUP] }], MaxResults: 1000, NextToken: 'page-3' },
    ]);
  });

  it('skips egress rules, IPv6-only rules, rules for a prefix list and rules without an id', async () => {
    // Prepare
    ec2Mock.on(DescribeSecurityGroupRulesCommand).resolves({
      SecurityGroupRules: [
        { SecurityGroupRuleId: 'sgr-egress', IsEgress: true, CidrIpv4: '0.0.0.0/0' },
        { SecurityGroupRuleId: 'sgr-ipv6', IsEgress: false, CidrIpv6: '::/0', IpProtocol: 'tcp' },
        { SecurityGroupRuleId: 'sgr-prefix-list', IsEgress: false, PrefixListId: 'pl-1' },
        { IsEgress: false, CidrIpv4: '10.0.0.9/32', IpProtocol: 'tcp', FromPort: 443 },
        {
          SecurityGroupRuleId: 'sgr-kept',
          IsEgress: false,
          CidrIpv4: '10.0.0.1/32',
          IpProtocol: 'tcp',
          FromPort: 80,
          ToPort: 80,
        },
      ],
    });

    // Act
    const rules = await readIngressRules(new EC2Client({}), GROUP, LIVE);

    // Assess
    expect(rules.map((rule) => rule.ruleId)).toEqual(['sgr-kept']);
  });

  it('reads a rule without ports, protocol or description as -1, "" and no description', async () => {
    // Prepare: the shape of an "all traffic" rule added without a description
    ec2Mock.on(DescribeSecurityGroupRulesCommand).resolves({
      SecurityGroupRules: [{ SecurityGroupRuleId: 'sgr-bare', CidrIpv4: '10.0.0.0/16' }],
    });

    // Act
    const rules = await readIngressRules(new EC2Client({}), GROUP, LIVE);

    // Assess: no `description` key at all, so it can never equal our description
    expect(rules).toStrictEqual([
      { ruleId: 'sgr-bare', cidr: '10.0.0.0/16', fromPort: -1, toPort: -1, protocol: '' },
    ]);
  });

  it('wraps a failed read with the call, the group and the cause', async () => {
    // Prepare
    const cause = awsError('UnauthorizedOperation', 'You are not authorized');
    ec2Mock.on(DescribeSecurityGroupRulesCommand).rejects(cause);

    // Act
    const error = await failureOf(readIngressRules(new EC2Client({}), GROUP, LIVE));

    // Assess
    expect(error).toBeInstanceOf(AwsCallError);
    expect(error.message).toBe(
      `DescribeSecurityGroupRules for ${GROUP} failed: UnauthorizedOperation: You are not authorized`,
    );
    expect(error.cause).toBe(cause);
  });

  describe('with an abort signal', () => {
    it('sends nothing and throws the reason when the signal is already aborted', async () => {
      // Prepare
      ec2Mock.on(DescribeSecurityGroupRulesCommand).resolves({ SecurityGroupRules: [] });
      const signal = abortedSignal();

      // Act
      const error = await failureOf(readIngressRules(new EC2Client({}), GROUP, signal));

      // Assess
      expect(error).toBe(signal.reason);
      expect(ec2Mock.calls()).toHaveLength(0);
    });

    it('hands the signal to every page it asks for', async () => {
      // Prepare
      const controller = new AbortController();
      ec2Mock
        .on(DescribeSecurityGroupRulesCommand)
        .resolvesOnce({ SecurityGroupRules: [], NextToken: 'page-2' })
        .resolves({ SecurityGroupRules: [] });

      // Act
      await readIngressRules(new EC2Client({}), GROUP, controller.signal);

      // Assess
      expect(optionsSent(ec2Mock.calls(), controller.signal)).toStrictEqual([
        { abortSignal: 'the signal' },
        { abortSignal: 'the signal' },
      ]);
    });

    it('stops before the next page when the signal is aborted while a page is read', async () => {
      // Prepare
      const controller = new AbortController();
      ec2Mock.on(DescribeSecurityGroupRulesCommand).callsFake(async () => {
        controller.abort(new Error('stopped'));
        return {
          SecurityGroupRules: [{ SecurityGroupRuleId: 'sgr-1', CidrIpv4: '10.0.0.1/32' }],
          NextToken: 'page-2',
        };
      });

      // Act
      const error = await failureOf(readIngressRules(new EC2Client({}), GROUP, controller.signal));

      // Assess
      expect(error).toBe(controller.signal.reason);
      expect(ec2Mock).toHaveReceivedCommandTimes(DescribeSecurityGroupRulesCommand, 1);
    });

    it('throws the reason, not an AwsCallError, when the signal is aborted during a call', async () => {
      // Prepare
      const controller = new AbortController();
      ec2Mock.on(DescribeSecurityGroupRulesCommand).callsFake(async () => {
        controller.abort(new Error('stopped'));
        throw abortError();
      });

      // Act
      const error = await failureOf(readIngressRules(new EC2Client({}), GROUP, controller.signal));

      // Assess
      expect(error).toBe(controller.signal.reason);
    });
  });
});

describe('Function: authorizeIngress', () => {
  it('sends nothing for an empty list', async () => {
    // Act
    await authorizeIngress(new EC2Client({}), GROUP, [], LIVE);

    // Assess
    expect(ec2Mock.calls()).toHaveLength(0);
  });

  it('authorizes every rule in one call, in the IpPermissions shape', async () => {
    // Prepare
    ec2Mock.on(AuthorizeSecurityGroupIngressCommand).resolves({ Return: true });

    // Act
    await authorizeIngress(
      new EC2Client({}),
      GROUP,
      [tcp('10.0.0.1/32', 443), tcp('10.0.16.2/32', 80)],
      LIVE,
    );

    // Assess
    expect(ec2Mock).toHaveReceivedCommandTimes(AuthorizeSecurityGroupIngressCommand, 1);
    expect(sentAuthorizations()).toStrictEqual([
      {
        GroupId: GROUP,
        IpPermissions: [permission('10.0.0.1/32', 443), permission('10.0.16.2/32', 80)],
      },
    ]);
  });

  it('retries one rule at a time when the batch holds a duplicate, skipping duplicates', async () => {
    // Prepare: AWS refuses the whole batch for one rule that exists, then that rule alone
    ec2Mock
      .on(AuthorizeSecurityGroupIngressCommand)
      .rejectsOnce(awsError('InvalidPermission.Duplicate', 'the rule already exists'))
      .rejectsOnce(awsError('InvalidPermission.Duplicate', 'the rule already exists'))
      .resolves({ Return: true });

    // Act
    await authorizeIngress(
      new EC2Client({}),
      GROUP,
      [tcp('10.0.0.1/32', 443), tcp('10.0.0.2/32', 443)],
      LIVE,
    );

    // Assess
    expect(sentAuthorizations()).toStrictEqual([
      {
        GroupId: GROUP,
        IpPermissions: [permission('10.0.0.1/32', 443), permission('10.0.0.2/32', 443)],
      },
      { GroupId: GROUP, IpPermissions: [permission('10.0.0.1/32', 443)] },
      { GroupId: GROUP, IpPermissions: [permission('10.0.0.2/32', 443)] },
    ]);
  });

  it('names the rule when one sent alone fails for another reason', async () => {
    // Prepare
    const cause = awsError('RulesPerSecurityGroupLimitExceeded', 'too many rules');
    ec2Mock
      .on(AuthorizeSecurityGroupIngressCommand)
      .rejectsOnce(awsError('InvalidPermission.Duplicate'))
      .rejectsOnce(awsError('InvalidPermission.Duplicate'))
      .rejectsOnce(cause)
      .resolves({ Return: true });

    // Act
    const error = await failureOf(
      authorizeIngress(
        new EC2Client({}),
        GROUP,
        [tcp('10.0.0.1/32', 443), tcp('10.0.0.2/32', 8443), tcp('10.0.0.3/32', 443)],
        LIVE,
      ),
    );

    // Assess: the rule after the failed one is not sent
    expect(error).toBeInstanceOf(AwsCallError);
    expect(error.message).toBe(
      `AuthorizeSecurityGroupIngress of 10.0.0.2/32 port 8443 on ${GROUP} failed: RulesPerSecurityGroupLimitExceeded: too many rules`,
    );
    expect(error.cause).toBe(cause);
    expect(ec2Mock).toHaveReceivedCommandTimes(AuthorizeSecurityGroupIngressCommand, 3);
  });

  it('fails at once, naming the group and the count, when the batch fails for another reason', async () => {
    // Prepare
    const cause = awsError('UnauthorizedOperation', 'You are not authorized');
    ec2Mock.on(AuthorizeSecurityGroupIngressCommand).rejects(cause);

    // Act
    const error = await failureOf(
      authorizeIngress(
        new EC2Client({}),
        GROUP,
        [tcp('10.0.0.1/32', 443), tcp('10.0.0.2/32', 443)],
        LIVE,
      ),
    );

    // Assess
    expect(error).toBeInstanceOf(AwsCallError);
    expect(error.message).toBe(
      `AuthorizeSecurityGroupIngress of 2 rule(s) on ${GROUP} failed: UnauthorizedOperation: You are not authorized`,
    );
    expect(error.cause).toBe(cause);
    expect(ec2Mock).toHaveReceivedCommandTimes(AuthorizeSecurityGroupIngressCommand, 1);
  });

  describe('with an abort signal', () => {
    const rules = [tcp('10.0.0.1/32', 443), tcp('10.0.0.2/32', 443), tcp('10.0.0.3/32', 443)];

    it('sends nothing and throws the reason when the signal is already aborted', async () => {
      // Prepare
      ec2Mock.on(AuthorizeSecurityGroupIngressCommand).resolves({ Return: true });
      const signal = abortedSignal();

      // Act
      const error = await failureOf(authorizeIngress(new EC2Client({}), GROUP, rules, signal));

      // Assess
      expect(error).toBe(signal.reason);
      expect(ec2Mock.calls()).toHaveLength(0);
    });

    it('passes the signal with the batch and with every rule sent alone', async () => {
      // Prepare
      ec2Mock
        .on(AuthorizeSecurityGroupIngressCommand)
        .rejectsOnce(awsError('InvalidPermission.Duplicate'))
        .resolves({ Return: true });
      const signal = new AbortController().signal;

      // Act
      await authorizeIngress(new EC2Client({}), GROUP, rules, signal);

      // Assess
      expect(optionsSent(ec2Mock.calls(), signal)).toStrictEqual([
        { abortSignal: 'the signal' },
        { abortSignal: 'the signal' },
        { abortSignal: 'the signal' },
        { abortSignal: 'the signal' },
      ]);
    });

    it('throws the reason, not an AwsCallError, when the signal is aborted during the batch', async () => {
      // Prepare
      const controller = new AbortController();
      ec2Mock.on(AuthorizeSecurityGroupIngressCommand).callsFake(async () => {
        controller.abort(new Error('stopped'));
        throw abortError();
      });

      // Act
      const error = await failureOf(
        authorizeIngress(new EC2Client({}), GROUP, rules, controller.signal),
      );

      // Assess
      expect(error).toBe(controller.signal.reason);
      expect(ec2Mock.calls()).toHaveLength(1);
    });

    it('throws the reason, not an AwsCallError, when the signal is aborted during a rule sent alone', async () => {
      // Prepare
      const controller = new AbortController();
      ec2Mock
        .on(AuthorizeSecurityGroupIngressCommand)
        .rejectsOnce(awsError('InvalidPermission.Duplicate'))
        .callsFake(async () => {
          controller.abort(new Error('stopped'));
          throw abortError();
        });

      // Act
      const error = await failureOf(
        authorizeIngress(new EC2Client({}), GROUP, rules, controller.signal),
      );

      // Assess
      expect(error).toBe(controller.signal.reason);
      expect(ec2Mock.calls()).toHaveLength(2);
    });

    it('sends no further rule once the signal is aborted between rules', async () => {
      // Prepare: the first rule sent alone succeeds, and the deadline passes meanwhile
      const controller = new AbortController();
      ec2Mock
        .on(AuthorizeSecurityGroupIngressCommand)
        .rejectsOnce(awsError('InvalidPermission.Duplicate'))
        .callsFake(async () => {
          controller.abort(new Error('stopped'));
          return { Return: true };
        });

      // Act
      const error = await failureOf(
        authorizeIngress(new EC2Client({}), GROUP, rules, controller.signal),
      );

      // Assess
      expect(error).toBe(controller.signal.reason);
      expect(sentAuthorizations()).toStrictEqual([
        {
          GroupId: GROUP,
          IpPermissions: [
            permission('10.0.0.1/32', 443),
            permission('10.0.0.2/32', 443),
            permission('10.0.0.3/32', 443),
          ],
        },
        { GroupId: GROUP, IpPermissions: [permission('10.0.0.1/32', 443)] },
      ]);
    });
  });
});

describe('Function: revokeIngress', () => {
  it('sends nothing for an empty list', async () => {
    // Act
    await revokeIngress(new EC2Client({}), GROUP, [], LIVE);

    // Assess
    expect(ec2Mock.calls()).toHaveLength(0);
  });

  it('revokes by rule id, in one call', async () => {
    // Prepare
    ec2Mock.on(RevokeSecurityGroupIngressCommand).resolves({ Return: true });

    // Act
    await revokeIngress(new EC2Client({}), GROUP, ['sgr-1', 'sgr-2'], LIVE);

    // Assess
    expect(ec2Mock).toHaveReceivedCommandTimes(RevokeSecurityGroupIngressCommand, 1);
    expect(
      ec2Mock.commandCalls(RevokeSecurityGroupIngressCommand).map((call) => call.args[0].input),
    ).toStrictEqual([{ GroupId: GROUP, SecurityGroupRuleIds: ['sgr-1', 'sgr-2'] }]);
  });

  it.each(['InvalidPermission.NotFound', 'InvalidSecurityGroupRuleId.NotFound'])(
    'treats %s as done: the rule is already gone',
    async (name) => {
      // Prepare
      ec2Mock.on(RevokeSecurityGroupIngressCommand).rejects(awsError(name));

      // Act
      const revoked = revokeIngress(new EC2Client({}), GROUP, ['sgr-1'], LIVE);

      // Assess
      await expect(revoked).resolves.toBeUndefined();
    },
  );

  it('revokes the rest of a batch one by one when one of its rules is already gone', async () => {
    // Prepare: EC2 refuses the whole call for one unknown id, and then revokes none of the others
    ec2Mock
      .on(RevokeSecurityGroupIngressCommand, { SecurityGroupRuleIds: ['sgr-gone', 'sgr-stale'] })
      .rejects(awsError('InvalidSecurityGroupRuleId.NotFound'))
      .on(RevokeSecurityGroupIngressCommand, { SecurityGroupRuleIds: ['sgr-gone'] })
      .rejects(awsError('InvalidPermission.NotFound'))
      .on(RevokeSecurityGroupIngressCommand, { SecurityGroupRuleIds: ['sgr-stale'] })
      .resolves({ Return: true });

    // Act
    await revokeIngress(new EC2Client({}), GROUP, ['sgr-gone', 'sgr-stale'], LIVE);

    // Assess
    expect(
      ec2Mock.commandCalls(RevokeSecurityGroupIngressCommand).map((call) => call.args[0].input),
    ).toStrictEqual([
      { GroupId: GROUP, SecurityGroupRuleIds: ['sgr-gone', 'sgr-stale'] },
      { GroupId: GROUP, SecurityGroupRuleIds: ['sgr-gone'] },
      { GroupId: GROUP, SecurityGroupRuleIds: ['sgr-stale'] },
    ]);
  });

  it('names the rule when revoking it alone fails for another reason', async () => {
    // Prepare
    const cause = awsError('UnauthorizedOperation', 'You are not authorized');
    ec2Mock
      .on(RevokeSecurityGroupIngressCommand, { SecurityGroupRuleIds: ['sgr-gone', 'sgr-stale'] })
      .rejects(awsError('InvalidSecurityGroupRuleId.NotFound'))
      .on(RevokeSecurityGroupIngressCommand, { SecurityGroupRuleIds: ['sgr-gone'] })
      .rejects(awsError('InvalidSecurityGroupRuleId.NotFound'))
      .on(RevokeSecurityGroupIngressCommand, { SecurityGroupRuleIds: ['sgr-stale'] })
      .rejects(cause);

    // Act
    const error = await failureOf(
      revokeIngress(new EC2Client({}), GROUP, ['sgr-gone', 'sgr-stale'], LIVE),
    );

    // Assess
    expect(error).toBeInstanceOf(AwsCallError);
    expect(error.message).toBe(
      `RevokeSecurityGroupIngress of sgr-stale on ${GROUP} failed: UnauthorizedOperation: You are not authorized`,
    );
    expect(error.cause).toBe(cause);
  });

  it('does not send a lone rule again when it is already gone', async () => {
    ec2Mock.on(RevokeSecurityGroupIngressCommand).rejects(awsError('InvalidPermission.NotFound'));

    await revokeIngress(new EC2Client({}), GROUP, ['sgr-gone'], LIVE);

    expect(ec2Mock).toHaveReceivedCommandTimes(RevokeSecurityGroupIngressCommand, 1);
  });

  it('wraps any other failure with the call, the count and the group', async () => {
    // Prepare
    const cause = awsError('UnauthorizedOperation', 'You are not authorized');
    ec2Mock.on(RevokeSecurityGroupIngressCommand).rejects(cause);

    // Act
    const error = await failureOf(
      revokeIngress(new EC2Client({}), GROUP, ['sgr-1', 'sgr-2'], LIVE),
    );

    // Assess
    expect(error).toBeInstanceOf(AwsCallError);
    expect(error.message).toBe(
      `RevokeSecurityGroupIngress of 2 rule(s) on ${GROUP} failed: UnauthorizedOperation: You are not authorized`,
    );
    expect(error.cause).toBe(cause);
  });

  describe('with an abort signal', () => {
    const ids = ['sgr-1', 'sgr-2', 'sgr-3'];

    it('sends nothing and throws the reason when the signal is already aborted', async () => {
      // Prepare
      ec2Mock.on(RevokeSecurityGroupIngressCommand).resolves({ Return: true });
      const signal = abortedSignal();

      // Act
      const error = await failureOf(revokeIngress(new EC2Client({}), GROUP, ids, signal));

      // Assess
      expect(error).toBe(signal.reason);
      expect(ec2Mock.calls()).toHaveLength(0);
    });

    it('passes the signal with the batch and with every rule sent alone', async () => {
      // Prepare
      ec2Mock
        .on(RevokeSecurityGroupIngressCommand)
        .rejectsOnce(awsError('InvalidPermission.NotFound'))
        .resolves({ Return: true });
      const signal = new AbortController().signal;

      // Act
      await revokeIngress(new EC2Client({}), GROUP, ids, signal);

      // Assess
      expect(optionsSent(ec2Mock.calls(), signal)).toStrictEqual([
        { abortSignal: 'the signal' },
        { abortSignal: 'the signal' },
        { abortSignal: 'the signal' },
        { abortSignal: 'the signal' },
      ]);
    });

    it('throws the reason, not an AwsCallError, when the signal is aborted during the batch', async () => {
      // Prepare
      const controller = new AbortController();
      ec2Mock.on(RevokeSecurityGroupIngressCommand).callsFake(async () => {
        controller.abort(new Error('stopped'));
        throw abortError();
      });

      // Act
      const error = await failureOf(
        revokeIngress(new EC2Client({}), GROUP, ids, controller.signal),
      );

      // Assess
      expect(error).toBe(controller.signal.reason);
      expect(ec2Mock.calls()).toHaveLength(1);
    });

    it('throws the reason, not an AwsCallError, when the signal is aborted during a rule sent alone', async () => {
      // Prepare
      const controller = new AbortController();
      ec2Mock
        .on(RevokeSecurityGroupIngressCommand)
        .rejectsOnce(awsError('InvalidSecurityGroupRuleId.NotFound'))
        .callsFake(async () => {
          controller.abort(new Error('stopped'));
          throw abortError();
        });

      // Act
      const error = await failureOf(
        revokeIngress(new EC2Client({}), GROUP, ids, controller.signal),
      );

      // Assess
      expect(error).toBe(controller.signal.reason);
      expect(ec2Mock.calls()).toHaveLength(2);
    });

    it('sends no further rule once the signal is aborted between rules', async () => {
      // Prepare
      const controller = new AbortController();
      ec2Mock
        .on(RevokeSecurityGroupIngressCommand)
        .rejectsOnce(awsError('InvalidSecurityGroupRuleId.NotFound'))
        .callsFake(async () => {
          controller.abort(new Error('stopped'));
          return { Return: true };
        });

      // Act
      const error = await failureOf(
        revokeIngress(new EC2Client({}), GROUP, ids, controller.signal),
      );

      // Assess
      expect(error).toBe(controller.signal.reason);
      expect(
        ec2Mock.commandCalls(RevokeSecurityGroupIngressCommand).map((call) => call.args[0].input),
      ).toStrictEqual([
        { GroupId: GROUP, SecurityGroupRuleIds: ids },
        { GroupId: GROUP, SecurityGroupRuleIds: ['sgr-1'] },
      ]);
    });
  });
});

describe('Function: redescribeIngress', () => {
  const rule = (ruleId: string, cidr: string, port: number, protocol = 'tcp'): ExistingRule => ({
    ruleId,
    cidr,
    fromPort: port,
    toPort: port,
    protocol,
    description: 'the description before',
  });

  it('sends nothing for an empty list', async () => {
    // Act
    await redescribeIngress(new EC2Client({}), GROUP, [], LIVE);

    // Assess
    expect(ec2Mock.calls()).toHaveLength(0);
  });

  it('modifies every rule in one call, keeping all but the description, in order', async () => {
    // Prepare
    ec2Mock.on(ModifySecurityGroupRulesCommand).resolves({ Return: true });
    const changes: DescriptionChange[] = [
      { rule: rule('sgr-2', '10.0.16.2/32', 8443), description: OURS },
      {
        rule: { ...rule('sgr-1', '10.0.0.1/32', 80, 'udp'), toPort: 81 },
        description: 'shared by two',
      },
    ];
    const signal = new AbortController().signal;

    // Act
    await redescribeIngress(new EC2Client({}), GROUP, changes, signal);

    // Assess
    const calls = ec2Mock.commandCalls(ModifySecurityGroupRulesCommand);
    expect(calls.map((call) => call.args[0].input)).toStrictEqual([
      {
        GroupId: GROUP,
        SecurityGroupRules: [
          {
            SecurityGroupRuleId: 'sgr-2',
            SecurityGroupRule: {
              IpProtocol: 'tcp',
              FromPort: 8443,
              ToPort: 8443,
              CidrIpv4: '10.0.16.2/32',
              Description: OURS,
            },
          },
          {
            SecurityGroupRuleId: 'sgr-1',
            SecurityGroupRule: {
              IpProtocol: 'udp',
              FromPort: 80,
              ToPort: 81,
              CidrIpv4: '10.0.0.1/32',
              Description: 'shared by two',
            },
          },
        ],
      },
    ]);
    expect(optionsSent(calls, signal)).toStrictEqual([{ abortSignal: 'the signal' }]);
    expect(ec2Mock.calls()).toHaveLength(1);
  });

  it('wraps a failure with the call, the count, the group and the cause', async () => {
    // Prepare
    const cause = awsError('InvalidSecurityGroupRuleId.NotFound', 'The rule sgr-2 does not exist');
    ec2Mock.on(ModifySecurityGroupRulesCommand).rejects(cause);

    // Act
    const error = await failureOf(
      redescribeIngress(
        new EC2Client({}),
        GROUP,
        [
          { rule: rule('sgr-1', '10.0.0.1/32', 443), description: OURS },
          { rule: rule('sgr-2', '10.0.0.2/32', 443), description: OURS },
        ],
        LIVE,
      ),
    );

    // Assess
    expect(error).toBeInstanceOf(AwsCallError);
    expect(error.message).toBe(
      `ModifySecurityGroupRules of 2 rule description(s) on ${GROUP} failed: InvalidSecurityGroupRuleId.NotFound: The rule sgr-2 does not exist`,
    );
    expect(error.cause).toBe(cause);
  });

  it('sends nothing and throws the reason when the signal is already aborted', async () => {
    // Prepare
    ec2Mock.on(ModifySecurityGroupRulesCommand).resolves({ Return: true });
    const signal = abortedSignal();

    // Act
    const error = await failureOf(
      redescribeIngress(
        new EC2Client({}),
        GROUP,
        [{ rule: rule('sgr-1', '10.0.0.1/32', 443), description: OURS }],
        signal,
      ),
    );

    // Assess
    expect(error).toBe(signal.reason);
    expect(ec2Mock.calls()).toHaveLength(0);
  });

  it('throws the reason, not an AwsCallError, when the signal is aborted during the call', async () => {
    // Prepare
    const controller = new AbortController();
    ec2Mock.on(ModifySecurityGroupRulesCommand).callsFake(async () => {
      controller.abort(new Error('stopped'));
      throw abortError();
    });

    // Act
    const error = await failureOf(
      redescribeIngress(
        new EC2Client({}),
        GROUP,
        [{ rule: rule('sgr-1', '10.0.0.1/32', 443), description: OURS }],
        controller.signal,
      ),
    );

    // Assess
    expect(error).toBe(controller.signal.reason);
  });
});
