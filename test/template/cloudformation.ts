// Helpers for the template tests: the project's paths, the template in its JSON form, cfn-lint, the
// SAM transform (through scripts/sam-translate.py) and a small resolver for the intrinsic functions the
// template uses, so a test can see the values CloudFormation would deploy.
import { execFileSync, spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readTemplate } from '../../scripts/cloudformation-yaml.mjs';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const TEMPLATE_PATH = join(ROOT, 'template.yaml');

export interface Resource {
  Type: string;
  Metadata?: Record<string, unknown>;
  Properties?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface Parameter {
  Type: string;
  Default?: string | number;
  [key: string]: unknown;
}

export interface Template {
  Parameters?: Record<string, Parameter>;
  Globals?: { Function?: Record<string, unknown> };
  Resources: Record<string, Resource>;
  [key: string]: unknown;
}

export function loadTemplate(path = TEMPLATE_PATH): Template {
  return readTemplate(path) as Template;
}

/** A resource of a template, which must exist and be of the given type. */
export function resourceOf(template: Template, logicalId: string, type: string): Resource {
  const resource = template.Resources[logicalId];
  if (resource === undefined) throw new Error(`no resource ${logicalId} in the template`);
  if (resource.Type !== type) {
    throw new Error(`${logicalId} is a ${resource.Type}, expected a ${type}`);
  }
  return resource;
}

/** Every resource of a type, by logical id. */
export function resourcesOfType(template: Template, type: string): [string, Resource][] {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
}

/**
 * What cfn-lint found in each template, one line a finding (`E3030 Error line 405: ...`); an empty
 * list is a template with no error, no warning and no informational finding. All templates go to
 * one cfn-lint process: its start-up is most of its cost.
 */
export function lintTemplates(paths: readonly string[]): Promise<Map<string, string[]>> {
  return new Promise((done, fail) => {
    const child = spawn('cfn-lint', ['--format', 'json', ...paths], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.on('error', fail);
    child.on('close', (status) => {
      let matches: LintMatch[];
      try {
        matches = JSON.parse(stdout) as LintMatch[];
      } catch {
        fail(new Error(`cfn-lint exited with ${status} and no JSON report: ${stderr || stdout}`));
        return;
      }
      const findings = new Map<string, string[]>(paths.map((path) => [resolve(ROOT, path), []]));
      for (const match of matches) {
        const line = match.Location?.Start?.LineNumber ?? 0;
        const list = findings.get(resolve(ROOT, match.Filename));
        if (list === undefined) {
          fail(new Error(`cfn-lint reported on ${match.Filename}, which it was not given`));
          return;
        }
        list.push(`${match.Rule.Id} ${match.Level} line ${line}: ${match.Message}`);
      }
      done(new Map(paths.map((path) => [path, findings.get(resolve(ROOT, path)) ?? []])));
    });
  });
}

interface LintMatch {
  Filename: string;
  Level: string;
  Message: string;
  Rule: { Id: string };
  Location?: { Start?: { LineNumber?: number } };
}

/** The CloudFormation template the AWS::Serverless transform makes of a SAM template. */
export function samTransform(path: string, parameters: Record<string, string>): Template {
  const json = execFileSync(
    'python3',
    [join(ROOT, 'scripts', 'sam-translate.py'), path, JSON.stringify(parameters)],
    { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return JSON.parse(json) as Template;
}

/**
 * The pseudo parameters' values for the resolver: a stack in us-east-1 of a made-up account. A stack
 * id is the stack's ARN, ending in a UUID of its own
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/pseudo-parameter-reference.html).
 */
export const PSEUDO_PARAMETERS: Readonly<Record<string, string>> = {
  'AWS::AccountId': '123456789012',
  'AWS::Partition': 'aws',
  'AWS::Region': 'us-east-1',
  'AWS::StackId':
    'arn:aws:cloudformation:us-east-1:123456789012:stack/alb-static-ip/51af3dc0-da77-11e4-872e-1234567db123',
  'AWS::StackName': 'alb-static-ip',
  'AWS::URLSuffix': 'amazonaws.com',
};

type Resolved = string | number | boolean | null | Resolved[] | { [key: string]: Resolved };

/**
 * Resolves Ref (to parameters and pseudo parameters), Fn::Sub and Fn::Join in a template value,
 * with the given parameter values (as CloudFormation receives them: strings, lists comma-separated)
 * and the parameters' defaults. Anything it cannot resolve, such as a Ref to a resource or another
 * intrinsic function, throws, so a test never compares against a half-resolved value.
 */
export function resolveIntrinsics(
  value: unknown,
  template: Template,
  parameters: Record<string, string>,
): Resolved {
  const ref = (name: string): string | string[] => {
    const pseudo = PSEUDO_PARAMETERS[name];
    if (pseudo !== undefined) return pseudo;
    const declared = template.Parameters?.[name];
    if (declared === undefined) throw new Error(`cannot resolve Ref ${name}: not a parameter`);
    const given = parameters[name] ?? declared.Default;
    if (given === undefined) throw new Error(`cannot resolve Ref ${name}: no value and no default`);
    const text = String(given);
    return declared.Type === 'CommaDelimitedList' || declared.Type.startsWith('List<')
      ? text.split(',')
      : text;
  };
  const asString = (resolved: Resolved, what: string): string => {
    if (typeof resolved !== 'string') {
      throw new Error(`${what}: expected a string, got ${JSON.stringify(resolved)}`);
    }
    return resolved;
  };
  const walk = (node: unknown): Resolved => {
    if (Array.isArray(node)) return node.map(walk);
    if (node === null || typeof node !== 'object') {
      if (node === undefined) throw new Error('cannot resolve undefined');
      return node as string | number | boolean;
    }
    const entries = Object.entries(node);
    const [first] = entries;
    if (entries.length === 1 && first !== undefined) {
      const [key, argument] = first;
      if (key === 'Ref') return ref(asString(walk(argument), 'Ref'));
      if (key === 'Fn::Join') {
        const [delimiter, items] = Array.isArray(argument) ? argument : [];
        const list = walk(items);
        if (typeof delimiter !== 'string' || !Array.isArray(list)) {
          throw new Error(`Fn::Join: expected [delimiter, list], got ${JSON.stringify(argument)}`);
        }
        return list.map((item) => asString(item, 'Fn::Join item')).join(delimiter);
      }
      if (key === 'Fn::Sub') {
        const [text, variables] = Array.isArray(argument) ? argument : [argument, {}];
        const values = walk(variables ?? {});
        if (typeof text !== 'string' || values === null || typeof values !== 'object') {
          throw new Error(
            `Fn::Sub: expected a string or [string, map], got ${JSON.stringify(argument)}`,
          );
        }
        return text.replace(/\$\{([^}]*)\}/g, (_, name: string) => {
          if (name.startsWith('!')) return `\${${name.slice(1)}}`;
          const variable = Array.isArray(values) ? undefined : values[name];
          return asString(variable ?? ref(name), `\${${name}}`);
        });
      }
      if (key.startsWith('Fn::') || key === 'Condition') {
        throw new Error(`cannot resolve ${key}`);
      }
    }
    return Object.fromEntries(entries.map(([key, child]) => [key, walk(child)]));
  };
  return walk(value);
}
