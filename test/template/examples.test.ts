import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { parseTemplate } from '../../scripts/cloudformation-yaml.mjs';
import { budgetFor } from '../support/work-budget.js';
import {
  loadTemplate,
  type Parameter,
  ROOT,
  resourcesOfType,
  samTransform,
  type Template,
} from './cloudformation.js';

// The templates in examples/: they lint clean, the SAM transform takes them, and what they pass to
// and read from the nested alb-static-ip application matches template.yaml. An example nests the
// template that `npm run package` writes (nested-example.test.ts packages and uploads it), and
// gives the Serverless Application Repository form in a comment, for when a release exists: that
// form is checked here too, put in place of the local Location.
const EXAMPLES_DIR = join(ROOT, 'examples');
/** Where `npm run package` writes the packaged template when given no output file. */
const PACKAGE_OUTPUT = join(ROOT, 'dist', 'packaged.yaml');
const examples = readdirSync(EXAMPLES_DIR)
  .filter((file) => /\.(ya?ml|json)$/.test(file))
  .sort();
const template = loadTemplate();
const templateParameters: Record<string, Parameter> = template.Parameters ?? {};
const templateOutputs = Object.keys((template.Outputs as Record<string, unknown>) ?? {});
const application = (template.Metadata as Record<string, Record<string, unknown>>)[
  'AWS::ServerlessRepo::Application'
];
const APPLICATION_ID = new RegExp(
  `^arn:aws[a-z-]*:serverlessrepo:[a-z0-9-]+:\\d{12}:applications/${String(application?.Name)}$`,
);
const STUB_TEMPLATE_URL = 'https://artifacts.s3.amazonaws.com/alb-static-ip/template.yaml';

interface SarLocation {
  ApplicationId?: unknown;
  SemanticVersion?: unknown;
}

interface NestedApplication {
  file: string;
  logicalId: string;
  location: unknown;
  parameters: Record<string, unknown>;
  example: Template;
}

const isSarLocation = (location: unknown): location is SarLocation =>
  typeof location === 'object' &&
  location !== null &&
  APPLICATION_ID.test(String((location as SarLocation).ApplicationId));

/** Whether a Location names the package output, as a path relative to the example. */
const isPackageOutput = (location: unknown): location is string =>
  typeof location === 'string' && resolve(EXAMPLES_DIR, location) === PACKAGE_OUTPUT;

/** Every AWS::Serverless::Application of the examples that nests alb-static-ip. */
const nested: NestedApplication[] = examples.flatMap((file) => {
  const example = loadTemplate(join(EXAMPLES_DIR, file));
  return resourcesOfType(example, 'AWS::Serverless::Application')
    .filter(([, resource]) => {
      const location = resource.Properties?.Location;
      return isPackageOutput(location) || isSarLocation(location);
    })
    .map(([logicalId, resource]) => ({
      file,
      logicalId,
      location: resource.Properties?.Location,
      parameters: (resource.Properties?.Parameters as Record<string, unknown>) ?? {},
      example,
    }));
});

/**
 * The Serverless Application Repository form that an example gives in a comment: a `# Location:`
 * line followed by more indented comment lines. Returns the example's text with that form in place
 * of the local `Location:` line, and the form's Location; undefined when the example has none.
 */
function withCommentedSarLocation(
  text: string,
): { variant: string; location: SarLocation } | undefined {
  const commented = /^( *)# Location:\n(?:\1# {2,}\S.*\n)+/m.exec(text);
  const local = /^ *Location: \S+\n/m.exec(text);
  if (commented === null || local === null) return undefined;
  const uncommented = commented[0].replace(/^( *)# /gm, '$1');
  const variant = text.replace(local[0], uncommented);
  const indent = commented[1] ?? '';
  const dedented = uncommented
    .split('\n')
    .map((line) => line.slice(indent.length))
    .join('\n');
  const parsed = parseTemplate(dedented) as { Location?: SarLocation };
  return { variant, location: parsed.Location ?? {} };
}

interface SarAlternative {
  file: string;
  variant: string;
  location: SarLocation;
}

const sarAlternatives: SarAlternative[] = examples.flatMap((file) => {
  const found = withCommentedSarLocation(readFileSync(join(EXAMPLES_DIR, file), 'utf8'));
  return found === undefined ? [] : [{ file, ...found }];
});

/** The X of every `Outputs.X` that a template reads from a resource, by !GetAtt or ${} in !Sub. */
function outputsRead(node: unknown, logicalId: string): string[] {
  if (Array.isArray(node)) return node.flatMap((item) => outputsRead(item, logicalId));
  if (node === null || typeof node !== 'object') return [];
  const reads: string[] = [];
  for (const [key, value] of Object.entries(node)) {
    if (key === 'Fn::GetAtt') {
      const [resource, attribute] = typeof value === 'string' ? value.split(/\.(.*)/) : value;
      if (resource === logicalId && String(attribute).startsWith('Outputs.')) {
        reads.push(String(attribute).slice('Outputs.'.length));
      }
    }
    if (key === 'Fn::Sub') {
      const text = Array.isArray(value) ? value[0] : value;
      for (const match of String(text).matchAll(/\$\{([^}.]+)\.Outputs\.([^}]+)\}/g)) {
        if (match[1] === logicalId && match[2] !== undefined) reads.push(match[2]);
      }
    }
    reads.push(...outputsRead(value, logicalId));
  }
  return reads;
}

/** Whether a literal parameter value is one template.yaml's parameter accepts. */
function accepts(parameter: Parameter, value: string): boolean {
  const items = parameter.Type === 'CommaDelimitedList' ? value.split(',') : [value];
  const allowed = parameter.AllowedValues as unknown[] | undefined;
  const pattern = parameter.AllowedPattern as string | undefined;
  return items.every(
    (item) =>
      (allowed === undefined || allowed.map(String).includes(item)) &&
      (pattern === undefined || new RegExp(`^(?:${pattern})$`).test(item)),
  );
}

/**
 * A Serverless Application Repository stand-in on loopback, in its own process because the SAM
 * translator runs synchronously: it answers CreateCloudFormationTemplate with a template URL, and
 * prints each request it gets as a JSON line.
 */
const SAR_STUB = `
const { createServer } = require('node:http');
const server = createServer((request, response) => {
  let body = '';
  request.on('data', (chunk) => { body += chunk; });
  request.on('end', () => {
    process.stdout.write(JSON.stringify({ method: request.method, url: request.url, body }) + '\\n');
    response.writeHead(201, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ status: 'ACTIVE', templateId: 'stub', templateUrl: process.argv[1] }));
  });
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ port: server.address().port }) + '\\n');
});
`;

interface StubRequest {
  method: string;
  url: string;
  body: string;
}

describe('Examples: cfn-lint', () => {
  it('has examples, one of which nests alb-static-ip', () => {
    expect(examples).toContain('nested-stack.yaml');
    expect(nested.map(({ file }) => file)).toContain('nested-stack.yaml');
  });

  // The global setup linted every example, with template.yaml, in one cfn-lint process.
  it.each(examples)('passes %s with no error, no warning and no informational finding', (file) => {
    expect(inject('templateLints')[`examples/${file}`]).toEqual([]);
  });
});

describe('Examples: where they nest alb-static-ip from', () => {
  it.each(nested.map((app) => [`${app.file} ${app.logicalId}`, app] as const))(
    '%s nests the template that npm run package writes',
    (_, app) => {
      expect(app.location).toBe('../dist/packaged.yaml');
      expect(isPackageOutput(app.location)).toBe(true);
    },
  );

  it('gives the Serverless Application Repository form, for when a release exists', () => {
    expect(sarAlternatives.map(({ file }) => file)).toContain('nested-stack.yaml');
  });

  it.each(sarAlternatives.map((alternative) => [alternative.file, alternative] as const))(
    "%s: the repository form names alb-static-ip at template.yaml's SemanticVersion",
    (_, alternative) => {
      expect(String(alternative.location.ApplicationId)).toMatch(APPLICATION_ID);
      expect(String(alternative.location.SemanticVersion)).toBe(
        String(application?.SemanticVersion),
      );
    },
  );
});

describe('Examples: the SAM transform, with a stand-in for the Serverless Application Repository', () => {
  let stub: ChildProcess;
  let stubOutput = '';
  let workdir: string;
  const transformed = new Map<string, Template>();
  const transformedAlternatives = new Map<string, Template>();

  const stubLines = (): Record<string, unknown>[] =>
    stubOutput
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);

  async function waitFor<T>(find: () => T | undefined, what: string): Promise<T> {
    const deadline = Date.now() + budgetFor({ process: 1 });
    for (;;) {
      const found = find();
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error(`the SAR stand-in: no ${what} in ${stubOutput}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  beforeAll(
    async () => {
      // Prepare: the stand-in, and each example with its repository form in place.
      stub = spawn(process.execPath, ['-e', SAR_STUB, STUB_TEMPLATE_URL], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      stub.stdout?.on('data', (chunk: Buffer) => {
        stubOutput += chunk.toString('utf8');
      });
      const port = await waitFor(
        () => stubLines().find((line) => typeof line.port === 'number')?.port,
        'port',
      );
      workdir = mkdtempSync(join(tmpdir(), 'examples-'));
      vi.stubEnv(
        'AWS_ENDPOINT_URL_SERVERLESSAPPLICATIONREPOSITORY',
        `http://127.0.0.1:${String(port)}`,
      );

      // Act
      try {
        for (const file of examples) {
          transformed.set(file, samTransform(join(EXAMPLES_DIR, file), {}));
        }
        for (const alternative of sarAlternatives) {
          const path = join(workdir, alternative.file);
          writeFileSync(path, alternative.variant);
          transformedAlternatives.set(alternative.file, samTransform(path, {}));
        }
      } finally {
        vi.unstubAllEnvs();
      }
      // The translator's requests are in the pipe; let the stand-in's output be read.
      const expected =
        nested.filter((app) => isSarLocation(app.location)).length + sarAlternatives.length;
      await waitFor(
        () => (stubLines().filter((line) => 'url' in line).length >= expected ? true : undefined),
        'request for every application in the repository',
      );
    },
    budgetFor({ process: 1, samTransform: examples.length + sarAlternatives.length }),
  );

  afterAll(() => {
    stub?.kill();
    if (workdir !== undefined) rmSync(workdir, { recursive: true, force: true });
  });

  it.each(examples)('transforms %s', (file) => {
    expect(transformed.get(file)?.Resources).toBeDefined();
  });

  it.each(nested.map((app) => [`${app.file} ${app.logicalId}`, app] as const))(
    'nests %s as a stack whose TemplateURL is the Location that packaging replaces',
    (_, app) => {
      const stack = transformed.get(app.file)?.Resources[app.logicalId];
      expect(stack?.Type).toBe('AWS::CloudFormation::Stack');
      expect(stack?.Properties?.TemplateURL).toBe(app.location);
    },
  );

  it.each(sarAlternatives.map((alternative) => [alternative.file, alternative] as const))(
    '%s with the repository form: asks the repository for the template, and nests it as a stack',
    (_, alternative) => {
      // Prepare
      const requests = stubLines().filter((line) => 'url' in line) as unknown as StubRequest[];
      const path = `/applications/${encodeURIComponent(String(alternative.location.ApplicationId))}/templates`;
      const stacks = resourcesOfType(
        transformedAlternatives.get(alternative.file) ?? { Resources: {} },
        'AWS::CloudFormation::Stack',
      );

      // Assess
      const asked = requests
        .filter((request) => request.method === 'POST' && request.url === path)
        .map((request) => JSON.parse(request.body) as unknown);
      expect(asked).toContainEqual({
        semanticVersion: String(alternative.location.SemanticVersion),
      });
      expect(stacks.map(([, stack]) => stack.Properties?.TemplateURL)).toContain(STUB_TEMPLATE_URL);
    },
  );
});

describe.each(nested.map((app) => [`${app.file} ${app.logicalId}`, app] as const))(
  'Examples: %s nests alb-static-ip as template.yaml defines it',
  (_, app) => {
    it('passes only parameters of template.yaml, every required one and the ALB among them', () => {
      // Prepare: every parameter has a default; without LoadBalancerArn the stack is the pack.
      const required = Object.entries(templateParameters)
        .filter(([, parameter]) => parameter.Default === undefined)
        .map(([name]) => name);

      // Assess
      expect(Object.keys(templateParameters)).toEqual(
        expect.arrayContaining(Object.keys(app.parameters)),
      );
      expect(Object.keys(app.parameters)).toEqual(
        expect.arrayContaining([...required, 'LoadBalancerArn']),
      );
    });

    it('passes literal values that the parameters accept', () => {
      const literals = Object.entries(app.parameters).filter(
        (entry): entry is [string, string] => typeof entry[1] === 'string',
      );
      for (const [name, value] of literals) {
        const parameter = templateParameters[name];
        expect(parameter && accepts(parameter, value), `${name}: ${value}`).toBe(true);
      }
    });

    it('reads only outputs that template.yaml has', () => {
      // Act
      const reads = outputsRead(app.example, app.logicalId);

      // Assess
      expect(reads).not.toHaveLength(0);
      expect(templateOutputs).toEqual(expect.arrayContaining(reads));
    });
  },
);

describe('Function: outputsRead, accepts and withCommentedSarLocation, which the checks above rely on', () => {
  it('finds outputs read by !GetAtt, in both forms, and by !Sub', () => {
    const example = {
      A: { 'Fn::GetAtt': ['App', 'Outputs.One'] },
      B: { 'Fn::GetAtt': 'App.Outputs.Two' },
      C: { 'Fn::Sub': [`\${App.Outputs.Three}-\${Other.Outputs.Four}`, {}] },
      D: { 'Fn::Sub': `x\${App.Outputs.Five}` },
      E: [{ 'Fn::GetAtt': ['Other', 'Outputs.Six'] }, { 'Fn::GetAtt': ['App', 'Arn'] }],
    };
    expect(outputsRead(example, 'App').sort()).toEqual(['Five', 'One', 'Three', 'Two']);
  });

  it('checks AllowedValues and AllowedPattern, per item of a list', () => {
    const ports: Parameter = { Type: 'CommaDelimitedList', AllowedPattern: '[0-9]+' };
    const scheme: Parameter = { Type: 'String', AllowedValues: ['internal', 'internet-facing'] };
    expect(accepts(ports, '443,80')).toBe(true);
    expect(accepts(ports, '443,http')).toBe(false);
    expect(accepts(scheme, 'internal')).toBe(true);
    expect(accepts(scheme, 'public')).toBe(false);
  });

  it('puts the commented repository form in place of the local Location', () => {
    // Prepare
    const text = [
      'Resources:',
      '  App:',
      '    Type: AWS::Serverless::Application',
      '    Properties:',
      '      Location: ../dist/packaged.yaml',
      '      # Or, from the repository:',
      '      # Location:',
      '      #   ApplicationId: arn:aws:serverlessrepo:us-east-1:123456789012:applications/x',
      '      #   SemanticVersion: 1.2.3',
      '      Parameters: {}',
      '',
    ].join('\n');

    // Act
    const found = withCommentedSarLocation(text);

    // Assess
    expect(found?.location).toEqual({
      ApplicationId: 'arn:aws:serverlessrepo:us-east-1:123456789012:applications/x',
      SemanticVersion: '1.2.3',
    });
    const resources = (parseTemplate(found?.variant ?? '') as Template).Resources;
    expect(resources.App?.Properties?.Location).toEqual(found?.location);
    expect(withCommentedSarLocation(text.replace(/ *# .*\n/g, ''))).toBeUndefined();
  });
});
