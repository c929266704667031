// The Lambda entry point that the bundle is built from (dist/target-group-sync/index.mjs).
export { handler } from './handler.js';
