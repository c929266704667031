// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${...} here is CloudFormation's Fn::Sub notation.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareIps } from '../../functions/shared/ip-order.js';
import { runCli } from '../support/cli-run.js';
import { cloudFormationSuite, ipBridgeResources } from '../support/cloudformation-suite.js';
import { budgetFor } from '../support/work-budget.js';

// The alb-static-ip command against moto: stacks created in moto's CloudFormation, shaped as a
// stack of template.yaml (one bridge, SyncScheduleRule) and as a stack whose bridges the macro
// made (<Bridge>SyncSchedule each), with the ALB's interfaces made as AWS makes them. The NLB is
// left out: moto's CloudFormation cannot make one (test/integration/macro-examples.test.ts). moto
// reports every target healthy, so the unhealthy exit code is shown in test/unit/cli.test.ts.
const suite = cloudFormationSuite({ sdkDefaults: true });

/** An ALB with two interfaces, and a stack of template.yaml's shape in front of it. */
async function templateStack(name = 'web') {
  const network = await suite.world.network();
  const albArn = await suite.world.loadBalancer('web', 'application', network.subnetIds);
  const enis = await suite.world.loadBalancerEnis(albArn, network.subnetIds, 2);
  await suite.createStack(
    name,
    {
      Parameters: { Vpc: { Type: 'String' }, Alb: { Type: 'String' } },
      Resources: ipBridgeResources('', 'SyncScheduleRule', 'Alb'),
      Outputs: {
        StaticIps: { Value: '203.0.113.10,203.0.113.11' },
        TargetGroupArns: { Value: { Ref: 'TargetGroup1' } },
      },
    },
    { Vpc: network.vpcId, Alb: albArn },
  );
  return {
    albArn,
    vpcId: network.vpcId,
    ips: enis.map((eni) => eni.ip).sort(compareIps),
    groupArn: await suite.output(name, 'TargetGroupArns'),
  };
}

describe('alb-static-ip status', () => {
  it(
    'exits 0 for a bridge in sync and healthy, and reports its IPs and targets',
    async () => {
      const { albArn, vpcId, ips, groupArn } = await templateStack();
      await suite.world.register(
        groupArn,
        ips.map((id) => ({ id, port: 443 })),
      );

      const result = await runCli('status', '--stack', 'web', '--output', 'json');

      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.json()).toEqual([
        {
          bridge: 'web',
          targetMode: 'ip',
          loadBalancerArn: albArn,
          staticIps: ['203.0.113.10', '203.0.113.11'],
          nlbPrivateIps: [],
          albIps: ips,
          placement: {
            albIs: 'in their VPC',
            albModeFits: true,
            note: `the ALB is in the target groups' VPC (${vpcId}) and account: TargetMode alb would fit: nothing would need to run`,
          },
          groups: [
            {
              targetGroupArn: groupArn,
              targets: ips.map((ip) => ({ target: `${ip}:443`, state: 'healthy' })),
              toRegister: [],
              toDeregister: [],
              outsideNlbZones: [],
            },
          ],
          verdict: 'in sync',
          exitCode: 0,
        },
      ]);
    },
    budgetFor({ motoCall: 40 }),
  );

  it(
    'exits 2 when the groups differ from the ALB, naming what the next sync would change, and writes nothing',
    async () => {
      const { ips, groupArn } = await templateStack();
      await suite.world.register(groupArn, [
        { id: ips[0] as string, port: 443 },
        { id: '10.0.99.99', port: 443 },
      ]);

      const result = await runCli('status', '--stack', 'web');

      expect(result.code).toBe(2);
      expect(result.stdout).toMatch(/^web: out of sync$/m);
      expect(result.stdout).toMatch(new RegExp(`${ips[1]}:443 +- +register`));
      expect(result.stdout).toMatch(/10\.0\.99\.99:443 +healthy +deregister/);
      expect(result.stdout).toMatch(/static IPs {3}203\.0\.113\.10, 203\.0\.113\.11/);
      expect(await suite.world.targets(groupArn)).toEqual(
        [`${ips[0]}:443`, '10.0.99.99:443'].sort(),
      );
    },
    budgetFor({ motoCall: 40 }),
  );

  it(
    'lists each bridge of a stack the macro made, by its name',
    async () => {
      const network = await suite.world.network();
      const web = await suite.world.loadBalancer('web', 'application', network.subnetIds);
      const api = await suite.world.loadBalancer('api', 'application', network.subnetIds);
      await suite.world.loadBalancerEnis(web, network.subnetIds, 2);
      await suite.world.loadBalancerEnis(api, network.subnetIds, 1);
      await suite.createStack(
        'shop',
        {
          Parameters: {
            Vpc: { Type: 'String' },
            WebAlb: { Type: 'String' },
            ApiAlb: { Type: 'String' },
          },
          Resources: {
            ...ipBridgeResources('WebStaticIps', 'WebStaticIpsSyncSchedule', 'WebAlb'),
            ...ipBridgeResources('ApiStaticIps', 'ApiStaticIpsSyncSchedule', 'ApiAlb'),
          },
          Outputs: { WebStaticIpsStaticIps: { Value: '198.51.100.7' } },
        },
        { Vpc: network.vpcId, WebAlb: web, ApiAlb: api },
      );

      const result = await runCli('status', '--stack', 'shop', '--output', 'json');

      expect(result.code).toBe(2);
      const reports = result.json() as {
        bridge: string;
        loadBalancerArn: string;
        albIps: string[];
        staticIps: string[];
      }[];
      expect(
        reports.map(({ bridge, loadBalancerArn, staticIps }) => ({
          bridge,
          loadBalancerArn,
          staticIps,
        })),
      ).toEqual([
        { bridge: 'ApiStaticIps', loadBalancerArn: api, staticIps: [] },
        { bridge: 'WebStaticIps', loadBalancerArn: web, staticIps: ['198.51.100.7'] },
      ]);
      expect(reports.map((report) => report.albIps.length)).toEqual([1, 2]);
    },
    budgetFor({ motoCall: 60 }),
  );

  it(
    'exits 1 with a clear message for a missing stack, and for a stack that is not ours',
    async () => {
      const missing = await runCli('status', '--stack', 'nowhere');
      expect(missing.code).toBe(1);
      expect(missing.stderr).toBe(
        'alb-static-ip: Stack nowhere does not exist in this account and Region\n',
      );

      await suite.createStack('other', { Resources: { Topic: { Type: 'AWS::SNS::Topic' } } }, {});
      const other = await runCli('status', '--stack', 'other');
      expect(other.code).toBe(1);
      expect(other.stderr).toMatch(
        /^alb-static-ip: Stack other has no bridge: no sync schedule rule \(TargetMode ip\) and no TargetMode output of alb\. It is not a stack of alb-static-ip/,
      );
    },
    budgetFor({ motoCall: 20 }),
  );
});

describe('alb-static-ip plan', () => {
  it(
    'prints what the next sync would register and deregister, by stack or by ARNs, and writes nothing',
    async () => {
      const { albArn, ips, groupArn } = await templateStack();
      await suite.world.register(groupArn, [{ id: '10.0.99.99', port: 443 }]);

      const byStack = await runCli('plan', '--stack', 'web', '--output', 'json');
      const byArns = await runCli('plan', '--load-balancer', albArn, '--target-group', groupArn);

      expect(byStack.code).toBe(0);
      expect(byStack.json()).toEqual([
        {
          bridge: 'web',
          targetMode: 'ip',
          loadBalancerArn: albArn,
          albIps: ips,
          groups: [
            {
              targetGroupArn: groupArn,
              toRegister: ips.map((ip) => `${ip}:443`),
              toDeregister: ['10.0.99.99:443'],
            },
          ],
        },
      ]);
      expect(byArns.code).toBe(0);
      expect(byArns.stdout).toContain(`${ips.map((ip) => `${ip}:443`).join(', ')}  10.0.99.99:443`);
      expect(await suite.world.targets(groupArn)).toEqual(['10.0.99.99:443']);
    },
    budgetFor({ motoCall: 40 }),
  );
});

describe('alb-static-ip against an endpoint that never answers', () => {
  let server: Server;
  beforeAll(async () => {
    server = createServer(() => {
      // Never answers.
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it(
    'gives up after --timeout and says so, exit code 1',
    async () => {
      process.env.AWS_ENDPOINT_URL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      try {
        const result = await runCli('status', '--stack', 'web', '--timeout', '1');

        expect(result.code).toBe(1);
        expect(result.stderr).toBe('alb-static-ip: gave up after 1 s (--timeout)\n');
      } finally {
        process.env.AWS_ENDPOINT_URL = suite.moto.endpoint;
      }
    },
    // One second of waiting, and the command's own work around it.
    budgetFor({ process: 10 }) + 1_000,
  );
});
