import { withMappedStacks } from '../shared/stack-trace.js';
import { handler as macroHandler } from './handler.js';

// The Lambda entry point of the AlbStaticIp macro (dist/bridge-macro/index.mjs). A macro is not a
// custom resource: CloudFormation waits for this function's return value, so a failure to load is
// the invocation's error, which fails the stack operation with it. An error it throws leaves with
// its stack mapped to the sources.
export const handler = withMappedStacks(macroHandler);
