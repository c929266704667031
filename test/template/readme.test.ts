import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTemplate } from '../../scripts/cloudformation-yaml.mjs';
import { loadTemplate, ROOT } from './cloudformation.js';

// The README's custom-resource snippets must stay deployable: the type the Serverless Application
// Repository accepts, a ServiceToken naming a function of template.yaml, properties the function's
// schema knows, and attributes the resource returns.
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const snippets = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map(
  (match) =>
    parseTemplate(match[1] ?? '') as Record<
      string,
      { Type: string; Properties: Record<string, unknown> }
    >,
);
const resources = snippets.flatMap((snippet) => Object.entries(snippet));
const customResources = resources.filter(([, resource]) =>
  resource.Type?.includes('CustomResource'),
);

const KNOWN = {
  TargetGroupSyncFunction: {
    properties: ['LoadBalancerArn', 'TargetGroupArns', 'DryRun'],
    attributes: ['AlbIpCount', 'Registered', 'Deregistered'],
  },
  NlbPrivateIpsFunction: {
    properties: ['LoadBalancerArn', 'Ports', 'SecurityGroupId'],
    attributes: ['PrivateIps', 'Cidrs', 'IngressRules'],
  },
} as const;

describe('README: custom resource snippets', () => {
  it('shows both custom resources', () => {
    const functions = customResources.map(
      ([, resource]) =>
        (resource.Properties.ServiceToken as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0],
    );
    expect(new Set(functions)).toEqual(new Set(Object.keys(KNOWN)));
  });

  it.each(customResources)('%s is deployable as written', (_, resource) => {
    expect(resource.Type).toBe('AWS::CloudFormation::CustomResource');
    const [functionId] = (resource.Properties.ServiceToken as { 'Fn::GetAtt': string[] })[
      'Fn::GetAtt'
    ];
    expect(loadTemplate().Resources).toHaveProperty(functionId as string);
    const { ServiceToken: _token, ...properties } = resource.Properties;
    const known = KNOWN[functionId as keyof typeof KNOWN];
    expect(known.properties).toEqual(expect.arrayContaining(Object.keys(properties)));
  });

  it('reads only attributes the resources return', () => {
    const reads = [...readme.matchAll(/!GetAtt (\w+)\.(\w+)/g)];
    const byLogicalId = new Map(
      customResources.map(([id, resource]) => [
        id,
        (resource.Properties.ServiceToken as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0],
      ]),
    );
    for (const [, logicalId = '', attribute = ''] of reads) {
      const functionId = byLogicalId.get(logicalId);
      if (functionId === undefined) continue;
      expect(KNOWN[functionId as keyof typeof KNOWN].attributes).toContain(attribute);
    }
    expect(reads.some(([, id, attribute]) => id === 'NlbIps' && attribute === 'IngressRules')).toBe(
      true,
    );
  });
});
