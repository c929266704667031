// Reads CloudFormation YAML, short-form intrinsic tags included (!Ref, !Sub, !GetAtt, ...), into the
// plain JSON form CloudFormation itself uses, so scripts and tests can inspect templates.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

const FUNCTIONS = [
  'And',
  'Base64',
  'Cidr',
  'Equals',
  'FindInMap',
  'GetAZs',
  'If',
  'ImportValue',
  'Join',
  'Not',
  'Or',
  'Select',
  'Split',
  'Sub',
  'Transform',
  'ToJsonString',
  'Length',
];

const intrinsic = (tag, key, transform = (value) => value) =>
  ['scalar', 'seq', 'map'].map((collection) => ({
    tag: `!${tag}`,
    collection: collection === 'scalar' ? undefined : collection,
    resolve: (value) => ({
      [key]: transform(value && typeof value.toJSON === 'function' ? value.toJSON() : value),
    }),
  }));

const customTags = [
  ...intrinsic('Ref', 'Ref'),
  ...intrinsic('Condition', 'Condition'),
  ...intrinsic('GetAtt', 'Fn::GetAtt', (value) =>
    typeof value === 'string'
      ? [value.slice(0, value.indexOf('.')), value.slice(value.indexOf('.') + 1)]
      : value,
  ),
  ...FUNCTIONS.flatMap((name) => intrinsic(name, `Fn::${name}`)),
];

/** Parses CloudFormation YAML text into its JSON form. */
export function parseTemplate(text) {
  return parse(text, { customTags, maxAliasCount: -1 });
}

/** Reads and parses a CloudFormation YAML file. */
export function readTemplate(path) {
  return parseTemplate(readFileSync(path, 'utf8'));
}
