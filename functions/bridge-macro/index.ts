// The Lambda entry point of the AlbStaticIp macro (dist/bridge-macro/index.mjs). A macro is not a
// custom resource: CloudFormation waits for this function's return value, so a failure to load is
// the invocation's error, which fails the stack operation with it.
export { handler } from './handler.js';
