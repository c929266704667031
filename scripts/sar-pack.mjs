// template.yaml's release for the Serverless Application Repository (SAR): the pack (the shared
// functions, and the macro if its type is listed) and the adoption of existing target groups, with
// nothing that creates a Network Load Balancer. Which conditions are fixed, and the rule that makes
// them hold at deploy time; sar-template.mjs does the rest. docs/serverless-application-repository.md
// says why, and how to tell when the full template can be published instead.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sarTemplate } from './sar-template.mjs';

/** The record of the types SAR documents as supported, from the project's root. */
export const SUPPORTED_TYPES_RECORD = 'docs/sar-supported-resource-types.json';

const MACRO_TYPE = 'AWS::CloudFormation::Macro';

/**
 * The rule that refuses the one thing template.yaml does and the SAR release cannot: an ALB with no
 * ExistingTargetGroupArns, for which template.yaml creates the NLB (CreateNlb). With it, CreateNlb
 * is false for every set of parameters the release accepts, so fixing it to false changes nothing
 * that a deploy does.
 */
export const SAR_PACK_RULES = {
  AlbNeedsExistingTargetGroups: {
    RuleCondition: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'LoadBalancerArn' }, ''] }] },
    Assertions: [
      {
        Assert: {
          'Fn::Not': [{ 'Fn::EachMemberEquals': [{ Ref: 'ExistingTargetGroupArns' }, ''] }],
        },
        AssertDescription: [
          'This Serverless Application Repository release cannot create the NLB: its resource',
          "types are not on the repository's list. Give ExistingTargetGroupArns to keep target",
          'groups of an NLB you have in sync, clear LoadBalancerArn to install the pack alone, or',
          'deploy template.yaml from the source code repository to create the NLB.',
        ].join(' '),
      },
    ],
  },
};

/** The record, read from the project's root. */
export function readSupportedTypes(root) {
  return JSON.parse(readFileSync(join(root, SUPPORTED_TYPES_RECORD), 'utf8'));
}

/** Whether the record says SAR's list has a type; a type it does not name is not listed. */
export const listedIn = (record) => (type) => record.types?.[type] === 'listed';

/**
 * sarTemplate's options for template.yaml: no NLB (CreateNlb false), and no macro (InstallMacro
 * false) while AWS::CloudFormation::Macro is not listed.
 */
export function sarPackOptions(listed) {
  return {
    knownConditions: {
      CreateNlb: false,
      ...(listed(MACRO_TYPE) ? {} : { InstallMacro: false }),
    },
    listed,
    rules: SAR_PACK_RULES,
  };
}

/** The SAR release of template.yaml (in its JSON form), as the record of supported types allows. */
export function sarPackTemplate(template, record) {
  return sarTemplate(template, sarPackOptions(listedIn(record)));
}
