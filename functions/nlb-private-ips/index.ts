import { withInitGuard } from '../shared/custom-resource.js';
import { createLogger } from '../shared/observability.js';
import { withMappedStacks } from '../shared/stack-trace.js';

// The Lambda entry point that the bundle is built from (dist/nlb-private-ips/index.mjs). The
// handler module is loaded behind a guard, so that if loading it fails, CloudFormation is still
// answered instead of left waiting. An error it throws leaves with its stack mapped to the sources.
export const handler = withMappedStacks(
  withInitGuard(() => import('./handler.js'), {
    logger: createLogger('nlb-private-ips'),
  }),
);
