// The example plugin (docs/plugins.md): notes. Its contract is openapi.json (a standalone OpenAPI document);
// generated/api.ts is openapi-typescript's output for it, and types the handlers below through definePlugin.
// Load it with CORNFLOW_PLUGINS=./plugins/example (or EXTERNAL_APP=1 EXTERNAL_APP_MODULE=./plugins/example).
import { fileURLToPath } from 'node:url';
import type { operations } from './generated/api.js';
import { definePlugin, type PluginSpec } from '../../src/plugins/types.js';
import { ObjectDoesNotExist } from '../../src/domain/errors.js';
import { nowStored } from '../../src/storage/time.js';
import * as m001 from './migrations/001_example_notes.js';
import specJson from './openapi.json' with { type: 'json' };

const spec = specJson as unknown as PluginSpec;

interface NoteRow {
  id: number | string;
  title: string;
  body: string | null;
  user_id: number | string;
}
const toNote = (r: NoteRow) => ({ id: Number(r.id), title: r.title, body: r.body ?? null, user_id: Number(r.user_id) });

export const plugin = definePlugin<operations>({
  name: 'example',
  spec,
  migrations: { '001_example_notes': m001 },
  tables: { example_notes: { secrets: [] } },
  // A custom role (cornflow's CUSTOM_ROLES_ACTIONS): on the views listing it, moderators read and delete notes.
  roles: [{ id: 10, name: 'note_moderator', actions: ['get', 'delete'] }],
  // An app for the local backend: sums the numbers of the instance (app/solve.ts).
  apps: [
    {
      id: 'example_sum',
      description: 'Adds up the numbers of the instance (the example plugin)',
      module: fileURLToPath(new URL(`./app/solve${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url)),
      schemas: {
        instance: { type: 'object', properties: { numbers: { type: 'array', items: { type: 'number' } } }, required: ['numbers'] },
        solution: { type: 'object', properties: { total: { type: 'number' } }, required: ['total'] },
        config: { type: 'object', properties: { scale: { type: 'number' } } },
      },
    },
  ],
  handlers: {
    listExampleNotes: async ({ query, deps }) => {
      const q = deps.db('example_notes').whereNull('deleted_at').orderBy('id');
      if (query?.title !== undefined) q.where('title', query.title);
      return { status: 200, body: ((await q) as NoteRow[]).map(toNote) };
    },
    createExampleNote: async ({ body, user, deps }) => {
      const now = nowStored();
      const [row] = await deps.db('example_notes')
        .insert({ title: body.title, body: body.body ?? null, user_id: user!.id, created_at: now, updated_at: now })
        .returning('id');
      const id = Number(typeof row === 'object' ? row.id : row);
      return { status: 201, body: toNote(await deps.db('example_notes').where({ id }).first()) };
    },
    getExampleNote: async ({ params, deps }) => {
      const row = await deps.db('example_notes').where({ id: params.idx }).whereNull('deleted_at').first();
      if (!row) throw new ObjectDoesNotExist();
      return { status: 200, body: toNote(row) };
    },
    deleteExampleNote: async ({ params, deps }) => {
      const n = await deps.db('example_notes').where({ id: params.idx }).del();
      if (!n) throw new ObjectDoesNotExist();
      return { status: 200, body: { message: 'The object has been deleted' } };
    },
  },
});

export default plugin;
