import type { Context } from 'aws-lambda';
import { createLogger } from '../shared/observability.js';
import { readMacroEnvironment } from './environment.js';
import { answerMacroRequest, type MacroResponse } from './macro.js';

const logger = createLogger('bridge-macro');
// Checked once, when the module loads (see environment.ts).
const functions = readMacroEnvironment(process.env);

export async function handler(event: unknown, context: Context): Promise<MacroResponse> {
  logger.addContext(context);
  const response = answerMacroRequest(event, functions);
  if (response.status === 'success') {
    logger.info('Template expanded', { requestId: response.requestId });
  } else {
    logger.error('Template refused', {
      requestId: response.requestId,
      errorMessage: response.errorMessage,
    });
  }
  return response;
}
