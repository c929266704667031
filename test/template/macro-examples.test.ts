import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BRIDGE_TYPE } from '../../functions/bridge-macro/expand.js';
import { eniDescriptionOf } from '../support/aws-world.js';
import {
  asDeployParameters,
  expandMacroExample,
  fragmentOf,
  MACRO_EXAMPLE_FILES,
  MACRO_EXAMPLE_PARAMETERS,
  MACRO_EXAMPLES_DIR,
  PACK_FUNCTIONS,
  type ParameterValues,
  readMacroExample,
  SAMPLE_ACCOUNT,
} from '../support/macro-examples.js';
import { budgetFor } from '../support/work-budget.js';
import { lintTemplates, type Template } from './cloudformation.js';
import {
  type Deployment,
  deploy,
  fakeRef,
  GetAtt,
  SelectedGetAtt,
  type Value,
} from './evaluate.js';

// examples/macro/*.yaml, users' templates that use the AlbStaticIp macro, each expanded as
// CloudFormation would have the macro expand it (the template without its Transform section, the
// parameter values of the sample account):
// - it passes cfn-lint (test/unit/bridge-macro-examples.test.ts holds it to its snapshot);
// - deployed on paper (evaluate.ts), each bridge is what its AlbStaticIp::Bridge resource asks
//   for, with the properties resolved the same way: a subnet mapping per subnet, a listener and an
//   IP target group per port, the managed tag, the sync and its rules, the ALB group's ingress,
//   ids named after the bridge, and nothing that needs an IAM capability.

/** The tag template.yaml's sync policy requires on a group before the sync may write to it. */
const MANAGED_TAG = { Key: 'alb-static-ip:managed', Value: 'true' };

interface Example {
  readonly name: string;
  readonly template: Template;
  readonly parameters: ParameterValues;
  readonly expanded: Template;
}

const examples: Example[] = MACRO_EXAMPLE_FILES.map((name) => {
  const parameters = MACRO_EXAMPLE_PARAMETERS[name]?.(SAMPLE_ACCOUNT) ?? {};
  return {
    name,
    template: readMacroExample(name) as Template,
    parameters,
    expanded: expandMacroExample(name, parameters) as Template,
  };
});
const exampleNamed = (name: string): Example => {
  const example = examples.find((each) => each.name === name);
  if (example === undefined) throw new Error(`no example ${name}`);
  return example;
};

/** The bridges' logical ids, in template order. */
const bridgeIds = (template: Template): string[] =>
  Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === BRIDGE_TYPE)
    .map(([id]) => id);

/** The example deployed on paper, and each bridge's properties, resolved the same way. */
interface OnPaper {
  readonly deployment: Deployment;
  readonly bridges: Record<string, Record<string, Value>>;
}

function onPaper(example: Example): OnPaper {
  const parameters = asDeployParameters(example.parameters);
  const deployment = deploy(example.expanded, parameters);
  // The bridges as CloudFormation would resolve their properties: the user's other resources are
  // there only to be referred to, without properties that could name what the macro makes.
  const fragment = fragmentOf(example.template) as Template;
  const bridgeOnly: Template = {
    ...fragment,
    Resources: Object.fromEntries(
      Object.entries(fragment.Resources).map(([id, resource]) => [
        id,
        resource.Type === BRIDGE_TYPE ? resource : { Type: resource.Type },
      ]),
    ),
    Outputs: {},
  };
  const resolved = deploy(bridgeOnly, parameters).resources;
  const bridges = Object.fromEntries(
    bridgeIds(example.template).map((id) => [id, resolved[id]?.Properties ?? {}]),
  );
  return { deployment, bridges };
}

/** The deployed resources a bridge made: those named after it that the template did not have. */
function madeBy(example: Example, deployment: Deployment, bridge: string, type: string) {
  return Object.entries(deployment.resources).filter(
    ([id, resource]) =>
      id.startsWith(bridge) && !(id in example.template.Resources) && resource.Type === type,
  );
}

/** What a Ref to a resource of the expansion resolves to on paper. */
const refOf = (example: Example, logicalId: string): string => {
  const resource = example.expanded.Resources[logicalId];
  if (resource === undefined) throw new Error(`no resource ${logicalId} in the expansion`);
  return fakeRef(logicalId, resource);
};

const only = <T>(items: T[], what: string): T => {
  if (items.length !== 1) throw new Error(`expected one ${what}, found ${items.length}`);
  return items[0] as T;
};

let directory = '';
let findings = new Map<string, string[]>();
const lintPathOf = (name: string) => join(directory, `${name}.json`);

beforeAll(
  async () => {
    // Prepare: the expansions as files, linted in one cfn-lint process (its start-up is most of
    // its cost: the seven take about as long as one).
    directory = mkdtempSync(join(tmpdir(), 'alb-static-ip-macro-examples-'));
    for (const example of examples) {
      writeFileSync(lintPathOf(example.name), JSON.stringify(example.expanded, null, 2));
    }
    findings = await lintTemplates(examples.map((example) => lintPathOf(example.name)));
  },
  budgetFor({ cfnLint: 2 }),
);

afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

const names = examples.map((example) => example.name);

describe('examples/macro: the users’ templates', () => {
  it('are the cases of the issue, each with its parameter values here', () => {
    expect(names).toEqual(
      [
        'existing-elastic-ips',
        'four-zones-five-ports',
        'internal-private-ips',
        'one-bridge',
        'subnet-list-parameter',
        'tls',
        'two-bridges',
      ].sort(),
    );
    expect(Object.keys(MACRO_EXAMPLE_PARAMETERS).sort()).toEqual(names);
  });

  it.each(names)('%s: says what it shows and how to deploy it', (name) => {
    // Prepare
    const text = readFileSync(join(MACRO_EXAMPLES_DIR, `${name}.yaml`), 'utf8');
    const header = text.slice(0, text.search(/^[^#]/m));

    // Assess
    expect(header).toMatch(/^# \S/);
    expect(header).toContain('Install the pack');
    expect(header).toContain('CAPABILITY_AUTO_EXPAND');
    expect(header).toMatch(
      new RegExp(`aws cloudformation deploy --template-file examples/macro/${name}\\.yaml`),
    );
  });

  it.each(names)('%s: uses the macro, and is given exactly its parameters', (name) => {
    // Prepare
    const { template, parameters } = exampleNamed(name);
    const declared = template.Parameters ?? {};
    const required = Object.keys(declared).filter((key) => declared[key]?.Default === undefined);

    // Assess
    expect(template.Transform).toBe('AlbStaticIp');
    expect(bridgeIds(template)).not.toHaveLength(0);
    expect(Object.keys(parameters).sort()).toEqual(expect.arrayContaining(required.sort()));
    expect(Object.keys(declared)).toEqual(expect.arrayContaining(Object.keys(parameters)));
  });
});

describe('examples/macro: the expansion', () => {
  it.each(names)(
    '%s: keeps the template’s own sections and resources, and has no bridge left',
    (name) => {
      // Prepare
      const { template, expanded } = exampleNamed(name);
      const fragment = fragmentOf(template) as Template;
      const own = Object.entries(fragment.Resources).filter(
        ([, resource]) => resource.Type !== BRIDGE_TYPE,
      );

      // Assess: CloudFormation's processed template no longer names the macro.
      expect(expanded.Transform).toBeUndefined();
      for (const section of Object.keys(fragment).filter(
        (key) => !['Resources', 'Outputs'].includes(key),
      )) {
        expect(expanded[section]).toEqual(fragment[section]);
      }
      for (const [id, resource] of own) expect(expanded.Resources[id]).toEqual(resource);
      expect(expanded.Outputs).toEqual(expect.objectContaining(fragment.Outputs ?? {}));
      expect(Object.values(expanded.Resources).map((resource) => resource.Type)).not.toContain(
        BRIDGE_TYPE,
      );
    },
  );

  it.each(names)('%s: passes cfn-lint', (name) => {
    expect(findings.get(lintPathOf(name))).toEqual([]);
  });
});

describe.each(names)('examples/macro/%s.yaml deployed on paper', (name) => {
  const example = exampleNamed(name);
  let paper: OnPaper;

  beforeAll(() => {
    paper = onPaper(example);
  });

  it('needs no IAM capability: no IAM resource, and no permission on the shared functions', () => {
    // Act
    const types = Object.values(example.expanded.Resources).map((resource) => resource.Type);

    // Assess
    expect(types.filter((type) => type.startsWith('AWS::IAM::'))).toEqual([]);
    expect(types).not.toContain('AWS::Lambda::Permission');
  });

  it('names every resource and output it makes after the bridge that makes it', () => {
    // Prepare
    const bridges = bridgeIds(example.template);
    const made = (section: 'Resources' | 'Outputs') =>
      Object.keys((example.expanded[section] as object | undefined) ?? {}).filter(
        (id) => !(id in ((example.template[section] as object | undefined) ?? {})),
      );

    // Assess
    for (const id of [...made('Resources'), ...made('Outputs')]) {
      expect(
        bridges.filter((bridge) => id.startsWith(bridge)),
        id,
      ).toHaveLength(1);
    }
  });

  it('puts on each NLB a subnet mapping per subnet: a new Elastic IP, a given one, or a fixed private IP', () => {
    for (const [bridge, properties] of Object.entries(paper.bridges)) {
      // Prepare
      const subnets = properties.SubnetIds as Value[];
      const [, nlb] = only(
        madeBy(example, paper.deployment, bridge, 'AWS::ElasticLoadBalancingV2::LoadBalancer'),
        `NLB of ${bridge}`,
      );
      const mappings = nlb.Properties.SubnetMappings as Record<string, Value>[];
      const elasticIps = madeBy(example, paper.deployment, bridge, 'AWS::EC2::EIP');

      // Assess
      expect(nlb.Properties).toMatchObject({
        Type: 'network',
        Scheme: properties.Scheme ?? 'internet-facing',
      });
      expect(mappings.map((mapping) => mapping.SubnetId)).toEqual(subnets);
      if (properties.PrivateIpAddresses !== undefined) {
        expect(mappings.map((mapping) => mapping.PrivateIPv4Address)).toEqual(
          properties.PrivateIpAddresses,
        );
        expect(mappings.map((mapping) => mapping.AllocationId)).toEqual(
          subnets.map(() => undefined),
        );
        expect(elasticIps).toEqual([]);
      } else if (properties.ElasticIpAllocationIds !== undefined) {
        expect(mappings.map((mapping) => mapping.AllocationId)).toEqual(
          properties.ElasticIpAllocationIds,
        );
        expect(elasticIps).toEqual([]);
      } else {
        expect(elasticIps).toHaveLength(subnets.length);
        expect(mappings.map((mapping) => mapping.AllocationId)).toEqual(
          expect.arrayContaining(elasticIps.map(([id]) => new GetAtt(id, 'AllocationId'))),
        );
      }
    }
  });

  it('has a listener and an IP target group per port, each listener forwarding to its own group', () => {
    for (const [bridge, properties] of Object.entries(paper.bridges)) {
      // Prepare
      const ports = properties.Ports as number[];
      const tls = properties.CertificateArn !== undefined;
      const [nlbId] = only(
        madeBy(example, paper.deployment, bridge, 'AWS::ElasticLoadBalancingV2::LoadBalancer'),
        `NLB of ${bridge}`,
      );
      const listeners = madeBy(
        example,
        paper.deployment,
        bridge,
        'AWS::ElasticLoadBalancingV2::Listener',
      ).map(([, listener]) => listener.Properties);
      const groups = madeBy(
        example,
        paper.deployment,
        bridge,
        'AWS::ElasticLoadBalancingV2::TargetGroup',
      );
      const groupNamed = new Map(groups.map(([id, group]) => [refOf(example, id), group]));

      // Assess
      expect(listeners.map((listener) => listener.Port)).toEqual(ports);
      expect(groups).toHaveLength(ports.length);
      const forwardedTo = new Set<Value>();
      for (const listener of listeners) {
        const [action] = listener.DefaultActions as Record<string, Value>[];
        expect(listener).toMatchObject({
          LoadBalancerArn: refOf(example, nlbId),
          Protocol: tls ? 'TLS' : 'TCP',
        });
        expect(action?.Type).toBe('forward');
        expect(groupNamed.get(action?.TargetGroupArn as string)?.Properties).toMatchObject({
          TargetType: 'ip',
          Protocol: tls ? 'TLS' : 'TCP',
          Port: listener.Port,
          VpcId: properties.VpcId,
        });
        forwardedTo.add(action?.TargetGroupArn as Value);
        if (tls) {
          expect(listener.Certificates).toEqual([{ CertificateArn: properties.CertificateArn }]);
        }
      }
      expect(forwardedTo.size).toBe(ports.length);
    }
  });

  it('tags every target group it makes as managed, so the shared sync may write to it', () => {
    // Prepare
    const groups = Object.entries(paper.deployment.resources).filter(
      ([id, resource]) =>
        resource.Type === 'AWS::ElasticLoadBalancingV2::TargetGroup' &&
        !(id in example.template.Resources),
    );

    // Assess
    expect(groups).not.toHaveLength(0);
    for (const [, group] of groups) expect(group.Properties.Tags).toContainEqual(MANAGED_TAG);
  });

  it('syncs at deploy, on its schedule and (unless told not to) on ENI changes, with the sync’s input', () => {
    for (const [bridge, properties] of Object.entries(paper.bridges)) {
      // Prepare
      const groupArns = madeBy(
        example,
        paper.deployment,
        bridge,
        'AWS::ElasticLoadBalancingV2::TargetGroup',
      )
        .map(([id]) => refOf(example, id))
        .sort();
      const [, sync] = only(
        madeBy(example, paper.deployment, bridge, 'AWS::CloudFormation::CustomResource').filter(
          ([, resource]) => resource.Properties.ServiceToken === PACK_FUNCTIONS.syncFunctionArn,
        ),
        `sync of ${bridge}`,
      );
      const rules = madeBy(example, paper.deployment, bridge, 'AWS::Events::Rule').map(
        ([, rule]) => rule.Properties,
      );
      const schedules = rules.filter((rule) => rule.ScheduleExpression !== undefined);
      const eniRules = rules.filter((rule) => rule.EventPattern !== undefined);

      // Assess: the deploy-time sync.
      expect(sync.Properties).toMatchObject({
        LoadBalancerArn: properties.LoadBalancerArn,
        DryRun: false,
      });
      expect([...(sync.Properties.TargetGroupArns as string[])].sort()).toEqual(groupArns);
      // Assess: the rules, each sending the sync the same input, in JSON.
      expect(schedules.map((rule) => rule.ScheduleExpression)).toEqual([
        properties.Schedule ?? 'rate(1 minute)',
      ]);
      expect(eniRules).toHaveLength(properties.ReactToEniEvents === false ? 0 : 1);
      for (const rule of rules) {
        const [target] = rule.Targets as Record<string, Value>[];
        const input = JSON.parse(String(target?.Input)) as Record<string, unknown>;
        expect(target).toMatchObject({
          Arn: PACK_FUNCTIONS.syncFunctionArn,
          DeadLetterConfig: { Arn: PACK_FUNCTIONS.deadLetterQueueArn },
        });
        expect({
          ...input,
          TargetGroupArns: [...(input.TargetGroupArns as string[])].sort(),
        }).toEqual({
          LoadBalancerArn: properties.LoadBalancerArn,
          TargetGroupArns: groupArns,
          DryRun: false,
        });
      }
      for (const rule of eniRules) {
        expect(JSON.stringify(rule.EventPattern)).toContain(
          JSON.stringify(eniDescriptionOf(String(properties.LoadBalancerArn))),
        );
      }
    }
  });

  it('opens the ALB’s security group to each NLB private IP on each port, when given the group', () => {
    for (const [bridge, properties] of Object.entries(paper.bridges)) {
      // Prepare
      const ports = properties.Ports as number[];
      const subnets = properties.SubnetIds as Value[];
      const [nlbId] = only(
        madeBy(example, paper.deployment, bridge, 'AWS::ElasticLoadBalancingV2::LoadBalancer'),
        `NLB of ${bridge}`,
      );
      const [privateIpsId, privateIps] = only(
        madeBy(example, paper.deployment, bridge, 'AWS::CloudFormation::CustomResource').filter(
          ([, resource]) =>
            resource.Properties.ServiceToken === PACK_FUNCTIONS.nlbPrivateIpsFunctionArn,
        ),
        `nlb-private-ips resource of ${bridge}`,
      );
      const rules = madeBy(example, paper.deployment, bridge, 'AWS::EC2::SecurityGroupIngress').map(
        ([, rule]) => rule.Properties,
      );
      const cidrs = new GetAtt(privateIpsId, 'Cidrs');

      // Assess: the NLB's private IPs, as CIDRs, come from the nlb-private-ips resource.
      expect(privateIps.Properties.LoadBalancerArn).toBe(refOf(example, nlbId));
      if (properties.AlbSecurityGroupId === undefined) {
        expect(rules).toEqual([]);
        continue;
      }
      for (const rule of rules) {
        expect(rule).toMatchObject({ GroupId: properties.AlbSecurityGroupId, IpProtocol: 'tcp' });
      }
      for (const port of ports) {
        for (const index of subnets.keys()) {
          const covering = rules.filter(
            (rule) =>
              Number(rule.FromPort) <= port &&
              port <= Number(rule.ToPort) &&
              rule.CidrIp instanceof SelectedGetAtt &&
              rule.CidrIp.index === index &&
              `${rule.CidrIp.list}` === `${cidrs}`,
          );
          expect(covering, `port ${port}, private IP ${index + 1}`).not.toHaveLength(0);
        }
      }
    }
  });
});
