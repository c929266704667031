import { boundList } from '../shared/bounded-text.js';
import { expandTemplate, type SharedFunctions } from './expand.js';

/**
 * CloudFormation's macro contract: the request names the fragment, the template's parameter values
 * and a requestId; the answer echoes the requestId, with `status` `success` and the processed
 * `fragment`, or `failure` and an `errorMessage`. Any status but success fails the stack operation,
 * with the message shown in its events.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/template-macros-author.html
 */

export interface MacroRequest {
  readonly requestId?: unknown;
  readonly fragment?: unknown;
  readonly templateParameterValues?: unknown;
}

export type MacroResponse =
  | { readonly requestId: string; readonly status: 'success'; readonly fragment: unknown }
  | {
      readonly requestId: string;
      readonly status: 'failure';
      readonly fragment: unknown;
      readonly errorMessage: string;
    };

/** How many bridges' problems one errorMessage names; the rest are counted. */
const BRIDGES_SHOWN = 5;

/** Expands the request's fragment; never throws, whatever the request. */
export function answerMacroRequest(event: unknown, functions: SharedFunctions): MacroResponse {
  const request = (typeof event === 'object' && event !== null ? event : {}) as MacroRequest;
  const requestId = typeof request.requestId === 'string' ? request.requestId : '';
  const expansion = expandTemplate(request.fragment, request.templateParameterValues, functions);
  if (expansion.ok) return { requestId, status: 'success', fragment: expansion.fragment };
  return {
    requestId,
    status: 'failure',
    fragment: request.fragment ?? {},
    errorMessage: `AlbStaticIp: ${boundList(expansion.problems, BRIDGES_SHOWN, '; ')}`,
  };
}
