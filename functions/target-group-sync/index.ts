import { withInitGuard } from '../shared/custom-resource.js';
import { createLogger } from '../shared/observability.js';

// The Lambda entry point that the bundle is built from (dist/target-group-sync/index.mjs). The
// handler module is loaded behind a guard, so that if loading it fails, a CloudFormation request
// is still answered instead of leaving the stack waiting.
export const handler = withInitGuard(() => import('./handler.js'), {
  logger: createLogger('target-group-sync'),
});
