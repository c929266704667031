import { requireTools } from '../support/required-tools.js';

// Once before the integration tests: they all need moto's server.
export default function setup(): void {
  requireTools(['moto_server']);
}
