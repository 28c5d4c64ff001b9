// Handler of the licences tag.
import type { OpHandler } from './handlers.js';
import { listLicences as licences } from '../domain/licences.js';

export const listLicences: OpHandler<'listLicences'> = async () => ({ status: 200, body: licences() });

export const licencesHandlers = { listLicences };
