import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { budgetFor } from '../support/work-budget.js';
import {
  loadTemplate,
  ROOT,
  samTransform,
  TEMPLATE_PATH,
  type Template,
} from './cloudformation.js';

// The record of which resource types the Serverless Application Repository is documented to
// accept must cover every type the template deploys, and the README must say which are not.
const record = JSON.parse(
  readFileSync(join(ROOT, 'docs', 'sar-supported-resource-types.json'), 'utf8'),
) as { source: string; checked: string; types: Record<string, 'listed' | 'not listed'> };
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

describe('Serverless Application Repository: the record of accepted types', () => {
  let transformed: Template;
  beforeAll(
    () => {
      transformed = samTransform(TEMPLATE_PATH, {
        LoadBalancerArn:
          'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188',
      });
    },
    budgetFor({ samTransform: 1 }),
  );

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

describe('Serverless Application Repository: the application metadata', () => {
  const metadata = (loadTemplate().Metadata as Record<string, Record<string, unknown>>)[
    'AWS::ServerlessRepo::Application'
  ] as Record<string, unknown>;

  it('is complete', () => {
    for (const field of [
      'Name',
      'Description',
      'Author',
      'SpdxLicenseId',
      'LicenseUrl',
      'ReadmeUrl',
      'Labels',
      'HomePageUrl',
      'SemanticVersion',
      'SourceCodeUrl',
    ]) {
      expect(metadata[field], field).toBeTruthy();
    }
  });

  it('keeps within the documented limits, which intrinsic functions cannot fill in', () => {
    expect(metadata.Name).toMatch(/^[a-zA-Z0-9-]{1,140}$/);
    expect(String(metadata.Description).length).toBeLessThanOrEqual(256);
    expect(metadata.Author).toMatch(/^[a-z0-9](([a-z0-9]|-(?!-))*[a-z0-9])?$/);
    expect(String(metadata.Author).length).toBeLessThanOrEqual(127);
    const labels = metadata.Labels as string[];
    expect(labels.length).toBeLessThanOrEqual(10);
    for (const label of labels) expect(label).toMatch(/^[a-zA-Z0-9+\-_:/@]{1,127}$/);
    expect(metadata.SemanticVersion).toMatch(/^\d+\.\d+\.\d+$/);
    for (const url of [metadata.HomePageUrl, metadata.SourceCodeUrl]) {
      expect(url).toMatch(/^https:\/\//);
    }
    expect(JSON.stringify(metadata)).not.toMatch(/"(Ref|Fn::[A-Za-z]+)"/);
  });
});
