import { beforeAll, describe, expect, it } from 'vitest';
import { budgetFor } from '../support/work-budget.js';
import { loadTemplate, samTransform, TEMPLATE_PATH, type Template } from './cloudformation.js';
import { type Deployment, deploy, fakeRef, getAtt, type Value } from './evaluate.js';
import { ALB, TG_A } from './sample-arns.js';

// The NLB's own security group (CreateNlbSecurityGroup, NlbClientCidr) and the ways the ALB's
// group admits the NLB (AlbIngressMode), deployed on paper for each mode after the SAM transform:
// which resources exist, and what they point at. cfn-lint checks template.yaml as a whole in the
// global setup (template.test.ts); the Rules' refusals are in rules.test.ts.
const GROUP = 'sg-0123456789abcdef0';
const NEW_NLB = {
  LoadBalancerArn: ALB,
  VpcId: 'vpc-0123456789abcdef0',
  SubnetIds: 'subnet-0123456789abcdef0,subnet-0123456789abcdef1',
  ListenerPorts: '443,80',
};
const WITH_GROUP = { ...NEW_NLB, CreateNlbSecurityGroup: 'true' };
const BY_REFERENCE = { ...WITH_GROUP, AlbSecurityGroupId: GROUP, AlbIngressMode: 'security-group' };

const NLB_GROUP_ID = getAtt('NlbSecurityGroup', 'GroupId');
const ALB_INGRESS = ['AlbIngressFromNlb1', 'AlbIngressFromNlb2', 'AlbIngressFromNlb3'];
const HEALTH_CHECK_INGRESS = 'AlbIngressFromNlbHealthChecks';
/** TargetMode alb, every group checked through the ALB's listener on 8443, which is no listener's. */
const CHECKED_ELSEWHERE = { ...WITH_GROUP, TargetMode: 'alb', AlbHealthCheckPort: '8443' };

describe('Template: the NLB security group and AlbIngressMode', () => {
  let transformed: Template;
  const stack = (parameters: Record<string, string>): Deployment => deploy(transformed, parameters);
  const properties = (deployment: Deployment, id: string): Record<string, Value> => {
    const resource = deployment.resources[id];
    if (!resource) throw new Error(`no ${id} in ${Object.keys(deployment.resources).join(', ')}`);
    return resource.Properties;
  };
  const ids = (deployment: Deployment, type: string) =>
    Object.keys(deployment.resources).filter((id) => deployment.resources[id]?.Type === type);

  beforeAll(
    () => {
      transformed = samTransform(TEMPLATE_PATH, BY_REFERENCE);
    },
    budgetFor({ samTransform: 1 }),
  );

  it('reaches CloudFormation unchanged through the SAM transform', () => {
    const template = loadTemplate();
    for (const id of ['NlbSecurityGroup', ...ALB_INGRESS, HEALTH_CHECK_INGRESS])
      expect(transformed.Resources[id], id).toEqual(template.Resources[id]);
  });

  it("makes no NLB group by default, so that an existing stack's next update never fails on it", () => {
    const deployment = stack({ ...NEW_NLB, AlbSecurityGroupId: GROUP });
    expect(deployment.resources).not.toHaveProperty('NlbSecurityGroup');
    expect(properties(deployment, 'NetworkLoadBalancer')).not.toHaveProperty('SecurityGroups');
    expect(deployment.outputs).not.toHaveProperty('NlbSecurityGroupId');
    // private-ips, as before the switch existed: nlb-private-ips writes the ALB group's rules.
    expect(properties(deployment, 'NlbPrivateIps').SecurityGroupId).toBe(GROUP);
    expect(ids(deployment, 'AWS::EC2::SecurityGroupIngress')).toEqual([]);
  });

  it('gives an internet-facing NLB a group open to anywhere on the listener ports, out to them only', () => {
    const deployment = stack(WITH_GROUP);
    expect(properties(deployment, 'NetworkLoadBalancer').SecurityGroups).toEqual([NLB_GROUP_ID]);
    const group = properties(deployment, 'NlbSecurityGroup');
    expect(group.VpcId).toBe(NEW_NLB.VpcId);
    const tcp = (port: string, where: Record<string, string>) =>
      expect.objectContaining({ IpProtocol: 'tcp', FromPort: port, ToPort: port, ...where });
    expect(group.SecurityGroupIngress).toEqual([
      tcp('443', { CidrIp: '0.0.0.0/0' }),
      tcp('80', { CidrIp: '0.0.0.0/0' }),
      expect.objectContaining({ IpProtocol: 'icmp', FromPort: 3, ToPort: 4, CidrIp: '0.0.0.0/0' }),
    ]);
    expect(group.SecurityGroupEgress).toEqual([
      tcp('443', { CidrIp: '0.0.0.0/0' }),
      tcp('80', { CidrIp: '0.0.0.0/0' }),
    ]);
    expect(deployment.outputs.NlbSecurityGroupId).toEqual(NLB_GROUP_ID);
  });

  it("admits an internal NLB's clients from NlbClientCidr, on every listener port, and fragmentation needed from anywhere", () => {
    const deployment = stack({
      ...WITH_GROUP,
      ListenerPorts: '443,8443,9443',
      Scheme: 'internal',
      NlbClientCidr: '10.0.0.0/16',
    });
    const ingress = properties(deployment, 'NlbSecurityGroup').SecurityGroupIngress as Record<
      string,
      Value
    >[];
    expect(ingress.map((rule) => [rule.IpProtocol, rule.FromPort, rule.CidrIp])).toEqual([
      ['tcp', '443', '10.0.0.0/16'],
      ['tcp', '8443', '10.0.0.0/16'],
      ['tcp', '9443', '10.0.0.0/16'],
      // ICMP type 3 code 4: sent by whichever router on the path has the smaller MTU, not a client.
      ['icmp', 3, '0.0.0.0/0'],
    ]);
    expect(ingress[3]).toMatchObject({ FromPort: 3, ToPort: 4 });
  });

  it("turns the group's inbound rules off for PrivateLink traffic with the VPC link, and only then", () => {
    // Prepare: API Gateway's VPC link reaches the NLB through PrivateLink from addresses no
    // NlbClientCidr can name; API Gateway's guide turns the evaluation off for it.
    const setting = (deployment: Deployment) =>
      properties(deployment, 'NetworkLoadBalancer')
        .EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic;

    // Act
    const withLink = stack({ ...WITH_GROUP, Scheme: 'internal', NlbClientCidr: '10.0.0.0/16' });
    const withoutLink = stack({ ...WITH_GROUP, CreateVpcLink: 'false' });
    const noGroup = stack(NEW_NLB);

    // Assess
    expect(withLink.resources).toHaveProperty('ApiVpcLink');
    expect(setting(withLink)).toBe('off');
    expect(withoutLink.resources).not.toHaveProperty('ApiVpcLink');
    expect(setting(withoutLink)).toBe('on');
    // An NLB without a group has nothing to evaluate.
    expect(properties(noGroup, 'NetworkLoadBalancer')).not.toHaveProperty(
      'EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic',
    );
  });

  it('security-group: one rule per port on the ALB group, from the NLB group, and no IP rules', () => {
    const deployment = stack(BY_REFERENCE);
    expect(ids(deployment, 'AWS::EC2::SecurityGroupIngress')).toEqual(ALB_INGRESS.slice(0, 2));
    expect(properties(deployment, 'AlbIngressFromNlb2')).toMatchObject({
      GroupId: GROUP,
      IpProtocol: 'tcp',
      FromPort: '80',
      ToPort: '80',
      SourceSecurityGroupId: NLB_GROUP_ID,
    });
    // nlb-private-ips still reads the NLB's IPs (an output), but writes no rule and may not.
    expect(properties(deployment, 'NlbPrivateIps')).not.toHaveProperty('SecurityGroupId');
    const role = JSON.stringify(properties(deployment, 'NlbPrivateIpsFunctionRole'));
    expect(role).not.toContain('ec2:AuthorizeSecurityGroupIngress');
    expect(deployment.outputs).toHaveProperty('NlbPrivateIps');
  });

  it('alb: opens a health check port beyond the listener ports, out of the NLB group and into the ALB group', () => {
    // Prepare / Act: health checks obey the NLB group's outbound rules (ELB guide), and the ALB's
    // group must admit them like any connection from the NLB.
    const byReference = stack({
      ...CHECKED_ELSEWHERE,
      AlbSecurityGroupId: GROUP,
      AlbIngressMode: 'security-group',
    });
    const byIps = stack({ ...CHECKED_ELSEWHERE, AlbSecurityGroupId: GROUP });

    // Assess
    const egress = properties(byReference, 'NlbSecurityGroup').SecurityGroupEgress as Record<
      string,
      Value
    >[];
    expect(egress.map((rule) => rule.FromPort)).toEqual(['443', '80', '8443']);
    expect(egress[2]).toEqual({
      IpProtocol: 'tcp',
      FromPort: '8443',
      ToPort: '8443',
      CidrIp: '0.0.0.0/0',
      Description: 'To the ALB, health checks',
    });
    expect(ids(byReference, 'AWS::EC2::SecurityGroupIngress')).toEqual([
      ...ALB_INGRESS.slice(0, 2),
      HEALTH_CHECK_INGRESS,
    ]);
    expect(properties(byReference, HEALTH_CHECK_INGRESS)).toMatchObject({
      GroupId: GROUP,
      IpProtocol: 'tcp',
      FromPort: '8443',
      ToPort: '8443',
      SourceSecurityGroupId: NLB_GROUP_ID,
    });
    expect(properties(byIps, 'NlbPrivateIps')).toMatchObject({
      SecurityGroupId: GROUP,
      Ports: ['443', '80', '8443'],
    });
  });

  it('alb: opens nothing more for a health check port among the listener ports, or none', () => {
    for (const checked of [{ ...CHECKED_ELSEWHERE, AlbHealthCheckPort: '80' }, { ...WITH_GROUP }]) {
      // Act
      const byReference = stack({
        ...checked,
        AlbSecurityGroupId: GROUP,
        AlbIngressMode: 'security-group',
      });
      const byIps = stack({ ...checked, AlbSecurityGroupId: GROUP });

      // Assess
      const egress = properties(byReference, 'NlbSecurityGroup').SecurityGroupEgress as Record<
        string,
        Value
      >[];
      expect(egress.map((rule) => rule.FromPort)).toEqual(['443', '80']);
      expect(ids(byReference, 'AWS::EC2::SecurityGroupIngress')).toEqual(ALB_INGRESS.slice(0, 2));
      expect(properties(byIps, 'NlbPrivateIps').Ports).toEqual(['443', '80']);
    }
  });

  it('private-ips with the NLB group: nlb-private-ips writes the rules, none by reference', () => {
    const deployment = stack({ ...WITH_GROUP, AlbSecurityGroupId: GROUP });
    expect(properties(deployment, 'NlbPrivateIps').SecurityGroupId).toBe(GROUP);
    expect(ids(deployment, 'AWS::EC2::SecurityGroupIngress')).toEqual([]);
    expect(deployment.resources).toHaveProperty('NlbSecurityGroup');
  });

  it('none: no rule on any ALB group, with or without the NLB group', () => {
    for (const parameters of [
      { ...NEW_NLB, AlbIngressMode: 'none' },
      { ...WITH_GROUP, AlbIngressMode: 'none' },
    ]) {
      const deployment = stack(parameters);
      expect(properties(deployment, 'NlbPrivateIps')).not.toHaveProperty('SecurityGroupId');
      expect(ids(deployment, 'AWS::EC2::SecurityGroupIngress')).toEqual([]);
      const role = JSON.stringify(properties(deployment, 'NlbPrivateIpsFunctionRole'));
      expect(role).not.toContain('ec2:AuthorizeSecurityGroupIngress');
    }
  });

  it('makes no group and no rule without an NLB of its own, even if the rules are bypassed', () => {
    const settings = { ...BY_REFERENCE, NlbClientCidr: '10.0.0.0/16' };
    for (const parameters of [
      { ...settings, VpcId: '', SubnetIds: '', ExistingTargetGroupArns: TG_A },
      { ...settings, LoadBalancerArn: '', VpcId: '', SubnetIds: '' },
    ]) {
      const deployment = deploy(transformed, parameters, { skipRules: true });
      expect(ids(deployment, 'AWS::EC2::SecurityGroup')).toEqual([]);
      expect(ids(deployment, 'AWS::EC2::SecurityGroupIngress')).toEqual([]);
    }
  });

  it('names the NLB group by its id, which GetAtt gives and Ref does not for every VPC', () => {
    // Ref of an AWS::EC2::SecurityGroup is its id only for a group in a VPC; GroupId always is.
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ec2-securitygroup.html
    const deployment = stack(BY_REFERENCE);
    expect(JSON.stringify(deployment)).not.toContain(
      fakeRef('NlbSecurityGroup', { Type: 'AWS::EC2::SecurityGroup' }),
    );
  });
});
