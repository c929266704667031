import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, samTransform, TEMPLATE_PATH, type Template } from './cloudformation.js';

// The record of which resource types the Serverless Application Repository is documented to
// accept must cover every type the template deploys, and the README must say which are not.
const record = JSON.parse(
  readFileSync(join(ROOT, 'docs', 'sar-supported-resource-types.json'), 'utf8'),
) as { source: string; checked: string; types: Record<string, 'listed' | 'not listed'> };
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

describe('Serverless Application Repository: the record of accepted types', () => {
  let transformed: Template;
  beforeAll(() => {
    transformed = samTransform(TEMPLATE_PATH, {
      LoadBalancerArn:
        'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188',
    });
  });

  it('says where and when it was checked', () => {
    expect(record.source).toMatch(/^https:\/\/docs\.aws\.amazon\.com\/serverlessrepo\//);
    expect(record.checked).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('covers every resource type the template deploys', () => {
    const types = new Set(Object.values(transformed.Resources).map((resource) => resource.Type));
    const unrecorded = [...types].filter((type) => !(type in record.types));
    expect(unrecorded).toEqual([]);
  });

  it('has the README name every type that is not listed', () => {
    const notListed = Object.entries(record.types)
      .filter(([, status]) => status === 'not listed')
      .map(([type]) => type);
    const publishing = readme.slice(
      readme.indexOf('### Publishing to the Serverless Application Repository'),
    );
    for (const type of notListed) {
      const family = type.split('::').slice(0, 2).join('::');
      expect(publishing.includes(type) || publishing.includes(family), type).toBe(true);
    }
  });
});
