import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli-run.js';
import { cloudFormationSuite, ipBridgeResources } from '../support/cloudformation-suite.js';
import { budgetFor } from '../support/work-budget.js';

// alb-static-ip status of either TargetMode against moto. TargetMode alb: a group of type alb
// with the ALB registered, which moto reports healthy. moto's CloudFormation does not register a
// TargetGroup's Targets, so the group is made and the ALB registered through the API, and the
// stack's outputs (TargetMode, AlbArn, TargetGroupArns) point at them, as template.yaml's do.
// TargetMode ip: a stack of template.yaml's shape (its schedule rule), as in cli.test.ts.
const suite = cloudFormationSuite({ sdkDefaults: true });

/**
 * A TargetMode alb bridge: a group of type alb in `groupVpc` holding the ALB, and a stack whose
 * outputs name them. The ALB is in the VPC of `albNetwork`.
 */
async function albModeStack(
  albNetwork: { vpcId: string; subnetIds: string[] },
  groupVpc: string,
): Promise<{ albArn: string; groupArn: string }> {
  const albArn = await suite.world.loadBalancer('web', 'application', albNetwork.subnetIds);
  const groupArn = await suite.world.targetGroup('web-static-443', groupVpc, 443, 'alb');
  await suite.world.register(groupArn, [{ id: albArn, port: 443 }]);
  await suite.createStack(
    'web',
    {
      Parameters: { Alb: { Type: 'String' }, Groups: { Type: 'String' } },
      // A stack has at least one resource; the bridge's own are not what status reads.
      Resources: { Topic: { Type: 'AWS::SNS::Topic' } },
      Outputs: {
        StaticIps: { Value: '203.0.113.10' },
        TargetMode: { Value: 'alb' },
        AlbArn: { Value: { Ref: 'Alb' } },
        TargetGroupArns: { Value: { Ref: 'Groups' } },
      },
    },
    { Alb: albArn, Groups: groupArn },
  );
  return { albArn, groupArn };
}

describe('alb-static-ip status of a TargetMode alb stack', () => {
  it(
    'exits 0 when the group holds the ALB, healthy, in its VPC and account, and says the mode',
    async () => {
      const network = await suite.world.network();
      const { albArn, groupArn } = await albModeStack(network, network.vpcId);

      const result = await runCli('status', '--stack', 'web');
      const json = await runCli('status', '--stack', 'web', '--output', 'json');

      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^web: in sync$/m);
      expect(result.stdout).toMatch(/^ {2}mode {9}alb$/m);
      expect(result.stdout).toMatch(
        new RegExp(`^ {2}ALB VPC {6}${network.vpcId}, state active$`, 'm'),
      );
      expect(json.json()).toEqual([
        {
          bridge: 'web',
          targetMode: 'alb',
          loadBalancerArn: albArn,
          albVpcId: network.vpcId,
          albState: 'active',
          staticIps: ['203.0.113.10'],
          nlbPrivateIps: [],
          groups: [
            { targetGroupArn: groupArn, targets: [{ target: `${albArn}:443`, state: 'healthy' }] },
          ],
          verdict: 'in sync',
          exitCode: 0,
        },
      ]);
    },
    budgetFor({ motoCall: 40 }),
  );

  it(
    'exits 1 when the ALB is in another VPC than the group, naming both and the mode that works',
    async () => {
      const groupNetwork = await suite.world.network('10.0');
      const albNetwork = await suite.world.network('10.1');
      await albModeStack(albNetwork, groupNetwork.vpcId);

      const result = await runCli('status', '--stack', 'web');

      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/^web: error$/m);
      expect(result.stdout).toContain(
        `the ALB is in ${albNetwork.vpcId}, the target group in ${groupNetwork.vpcId}: AWS forwards to an ALB target only in the NLB's VPC and account; use TargetMode ip`,
      );
    },
    budgetFor({ motoCall: 40 }),
  );

  it(
    'has nothing to plan, and exits 0',
    async () => {
      const network = await suite.world.network();
      await albModeStack(network, network.vpcId);

      const result = await runCli('plan', '--stack', 'web');

      expect(result).toMatchObject({
        code: 0,
        stderr: '',
        stdout:
          'web: TargetMode alb: nothing to plan; AWS keeps the ALB registered in the target groups, and nothing runs\n',
      });
    },
    budgetFor({ motoCall: 30 }),
  );
});

describe('alb-static-ip status of a TargetMode ip stack', () => {
  /** A stack of template.yaml's shape: an IP target group in `groupVpc`, its schedule rule. */
  async function ipModeStack(albArn: string, groupVpc: string): Promise<string> {
    await suite.createStack(
      'web',
      {
        Parameters: { Vpc: { Type: 'String' }, Alb: { Type: 'String' } },
        Resources: ipBridgeResources('', 'SyncScheduleRule', 'Alb'),
        Outputs: {
          TargetMode: { Value: 'ip' },
          TargetGroupArns: { Value: { Ref: 'TargetGroup1' } },
        },
      },
      { Vpc: groupVpc, Alb: albArn },
    );
    return await suite.output('web', 'TargetGroupArns');
  }

  it(
    'says TargetMode alb would fit when the ALB is in the group’s VPC, and that ip is the mode that works when it is not',
    async () => {
      const network = await suite.world.network('10.0');
      const albArn = await suite.world.loadBalancer('web', 'application', network.subnetIds);
      const [eni] = await suite.world.loadBalancerEnis(albArn, network.subnetIds, 1);
      const groupArn = await ipModeStack(albArn, network.vpcId);
      await suite.world.register(groupArn, [{ id: eni?.ip ?? '', port: 443 }]);

      const fits = await runCli('status', '--stack', 'web');

      expect(fits.code).toBe(0);
      expect(fits.stdout).toMatch(/^ {2}mode {9}ip$/m);
      expect(fits.stdout).toContain(
        `  placement    the ALB is in the target groups' VPC (${network.vpcId}) and account: TargetMode alb would fit: nothing would need to run\n`,
      );

      // Prepare again: an ALB, and the stack's group in another VPC.
      await suite.moto.reset();
      const again = await suite.world.network('10.0');
      const other = await suite.world.network('10.1');
      const alb = await suite.world.loadBalancer('web', 'application', again.subnetIds);
      await ipModeStack(alb, other.vpcId);

      const apart = await runCli('status', '--stack', 'web', '--output', 'json');

      expect(apart.json()).toMatchObject([
        {
          targetMode: 'ip',
          placement: {
            albIs: 'in another VPC',
            albModeFits: false,
            note: `the ALB is in ${again.vpcId}, the target groups in ${other.vpcId}: AWS forwards to an ALB target only in the NLB's VPC and account, so ip is the mode that works here`,
          },
        },
      ]);
    },
    budgetFor({ motoCall: 80 }),
  );
});
