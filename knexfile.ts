// knex configuration for tools (the server builds the same from src/config.ts). The migrations are a static
// list (migrations/index.ts), so the knex CLI is not needed: `cornflow migrations …` or the server run them.
import type { Knex } from 'knex';
import { loadConfig } from './src/config.js';
import { knexConfig } from './src/storage/db.js';

const config: Knex.Config = knexConfig(loadConfig());
export default config;
