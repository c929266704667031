import { CreateStackCommand, DescribeStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { DescribeSecurityGroupsCommand, type IpPermission } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { BRIDGE_TYPE, expandTemplate } from '../../functions/bridge-macro/expand.js';
import { cloudFormationSuite } from '../support/cloudformation-suite.js';
import { PACK_FUNCTIONS } from '../support/macro-examples.js';

// The NLB's security group and the ALB group's ingress by reference (AlbIngressMode
// security-group), as the AlbStaticIp macro expands them, created by moto 5.2.1's CloudFormation:
// its AWS::EC2::SecurityGroup and AWS::EC2::SecurityGroupIngress models create them through EC2.
// The NLB that would carry the group is left out: moto cannot make one from SubnetMappings
// (test/integration/macro-examples.test.ts says why), nor the custom resources. So this checks
// what EC2 ends up holding: the NLB group's inbound rules, and the ALB group's rules from that
// group. moto's AWS::EC2::SecurityGroup model ignores SecurityGroupEgress and keeps EC2's default
// allow-all egress, where CloudFormation replaces that default with the rules given
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ec2-securitygroup.html);
// the egress rules are checked on paper (test/unit/bridge-macro.test.ts,
// test/template/nlb-security-group.test.ts).

const suite = cloudFormationSuite({ sdkDefaults: false });

/** The bridge's security groups and ingress rules, and nothing else, as a stack on suite.moto. */
async function createGroups(properties: Record<string, unknown>) {
  const expansion = expandTemplate(
    { Resources: { Web: { Type: BRIDGE_TYPE, Properties: properties } } },
    {},
    PACK_FUNCTIONS,
  );
  if (!expansion.ok) throw new Error(expansion.problems.join('; '));
  const all = expansion.fragment.Resources as Record<string, { Type: string }>;
  const kept = Object.fromEntries(
    Object.entries(all).filter(([, resource]) =>
      ['AWS::EC2::SecurityGroup', 'AWS::EC2::SecurityGroupIngress'].includes(resource.Type),
    ),
  );
  await suite.cloudFormation.send(
    new CreateStackCommand({
      StackName: 'web-groups',
      TemplateBody: JSON.stringify({ AWSTemplateFormatVersion: '2010-09-09', Resources: kept }),
    }),
  );
  const { StackResources = [] } = await suite.cloudFormation.send(
    new DescribeStackResourcesCommand({ StackName: 'web-groups' }),
  );
  return { kept, resources: StackResources };
}

const groupOf = async (groupId: string) => {
  const { SecurityGroups = [] } = await suite.world.ec2.send(
    new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }),
  );
  return SecurityGroups[0];
};
const onPort = (permissions: IpPermission[] | undefined, port: number) =>
  (permissions ?? []).filter((rule) => rule.FromPort === port && rule.IpProtocol === 'tcp');

describe('Integration: the NLB security group and ingress by reference, on moto', () => {
  it('admits the NLB group on each port of the ALB group, and clients on the NLB group', async () => {
    // Prepare
    await suite.moto.reset();
    const { vpcId, subnetIds } = await suite.world.network();
    const albGroup = await suite.world.securityGroup('web-alb', vpcId);

    // Act
    const { kept, resources } = await createGroups({
      LoadBalancerArn:
        'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188',
      VpcId: vpcId,
      SubnetIds: subnetIds,
      Ports: [443, 80],
      AlbSecurityGroupId: albGroup,
      AlbIngressMode: 'security-group',
      NlbSecurityGroup: true,
      NlbClientCidr: '198.51.100.0/24',
    });

    // Assess: the bridge makes exactly the group and a rule per port, and moto made them.
    expect(Object.keys(kept).sort()).toEqual([
      'WebAlbIngressPort1',
      'WebAlbIngressPort2',
      'WebNlbSecurityGroup',
    ]);
    const nlbGroupId = resources.find(
      (resource) => resource.LogicalResourceId === 'WebNlbSecurityGroup',
    )?.PhysicalResourceId;
    expect(nlbGroupId).toMatch(/^sg-/);
    const alb = await groupOf(albGroup);
    for (const port of [443, 80]) {
      const rules = onPort(alb?.IpPermissions, port);
      expect(rules.flatMap((rule) => rule.UserIdGroupPairs ?? [])).toEqual([
        expect.objectContaining({ GroupId: nlbGroupId }),
      ]);
      expect(rules.flatMap((rule) => rule.IpRanges ?? [])).toEqual([]);
    }
    const nlb = await groupOf(nlbGroupId ?? '');
    expect(nlb?.VpcId).toBe(vpcId);
    for (const port of [443, 80]) {
      expect(onPort(nlb?.IpPermissions, port).flatMap((rule) => rule.IpRanges ?? [])).toEqual([
        expect.objectContaining({ CidrIp: '198.51.100.0/24' }),
      ]);
    }
  });
});
