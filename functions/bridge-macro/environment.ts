import * as z from 'zod/mini';
import { ConfigurationError } from '../shared/errors.js';
import { validate } from '../shared/input.js';
import type { SharedFunctions } from './expand.js';

/**
 * The shared functions every bridge is wired to, from the macro function's environment, checked
 * once when the module loads: a bad setting fails every expansion with the reason (in the macro's
 * logs and as the invocation's error), before any template is touched.
 */
const lambdaArn = z
  .string()
  .check(z.regex(/^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+$/));
const queueArn = z
  .string()
  .check(z.regex(/^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]+$/));
const MacroEnvironmentSchema = z.object({
  SYNC_FUNCTION_ARN: lambdaArn,
  NLB_PRIVATE_IPS_FUNCTION_ARN: lambdaArn,
  DEAD_LETTER_QUEUE_ARN: queueArn,
});

export function readMacroEnvironment(env: Record<string, string | undefined>): SharedFunctions {
  // Stryker disable next-line ArrayDeclaration: the schema is not strict, so no field is listed
  const result = validate(MacroEnvironmentSchema, env, []);
  if (!result.ok) {
    throw new ConfigurationError(`Invalid configuration: ${result.problems.join('; ')}`);
  }
  return {
    syncFunctionArn: result.value.SYNC_FUNCTION_ARN,
    nlbPrivateIpsFunctionArn: result.value.NLB_PRIVATE_IPS_FUNCTION_ARN,
    deadLetterQueueArn: result.value.DEAD_LETTER_QUEUE_ARN,
  };
}
