// GET /legacy/forwarded/: what went to the legacy Flask cornflow (src/api/legacy-proxy.ts).
import type { OpHandler } from './handlers.js';
import { maskUrlPassword } from '../cli-support/database.js';

export const listForwarded: OpHandler<'listForwarded'> = async ({ deps }) => ({
  status: 200,
  body: { upstream: maskUrlPassword(deps.config.legacyUrl ?? ''), routes: deps.forwarded?.list() ?? [] },
});

export const legacyHandlers = { listForwarded };
