import { expect } from 'chai';
import { forEachDatabase, createTestDatabase, testConfig, DATABASES } from './support/app.js';
import { prepare } from '../src/bootstrap.js';
import { seedAccess, permissionMatrix, activeViews } from '../src/domain/access.js';
import { loadSpec, RouteTable } from '../src/api/spec.js';
import { pino } from 'pino';

const routes = new RouteTable(loadSpec());

describe('access catalogue (x-cornflow-views)', () => {
  it('gives cornflow\'s row counts for each feature set', () => {
    const count = (signup: boolean, alarms: boolean) => {
      const views = activeViews(routes.views, { signup, login: true, alarms });
      return [views.length, permissionMatrix(views).length];
    };
    expect(count(false, false)).to.deep.equal([53, 579]);
    expect(count(true, false)).to.deep.equal([54, 584]);
    expect(count(true, true)).to.deep.equal([57, 632]);
  });

  it('names a known view on every path of the spec, with the url rule of that path', () => {
    for (const route of routes.routes) {
      expect(route.view, route.path).to.be.a('string');
      const view = routes.view(route.view!);
      expect(view, `${route.path} → ${route.view}`).to.not.equal(undefined);
      const flaskPath = view!.url_rule.replace(/<(?:\w+:)?(\w+)>/g, '{$1}');
      expect(flaskPath).to.equal(route.path);
    }
  });

  it('lists each view name once', () => {
    const names = routes.views.map((v) => v.name);
    expect(new Set(names).size).to.equal(names.length);
  });
});

for (const kind of DATABASES) {
  describe(`seeding [${kind}]`, () => {
    it('seeds 632 permissions with signup and alarms on, idempotently, and keeps API-added rows', async function () {
      this.timeout(60_000);
      const database = await createTestDatabase(kind);
      const config = testConfig(database.url, { CF_ALARMS_ENDPOINT: '1' });
      const deps = await prepare(config, { logger: pino({ level: 'silent' }) });
      try {
        const db = deps.db;
        expect(Number((await db('permission_view').count({ n: '*' }))[0]!.n)).to.equal(632);
        expect(Number((await db('api_view').count({ n: '*' }))[0]!.n)).to.equal(57);
        expect((await db('roles').orderBy('id')).map((r) => [Number(r.id), r.name])).to.deep.equal([
          [0, 'dummy'], [1, 'viewer'], [2, 'planner'], [3, 'admin'], [4, 'service'],
        ]);
        expect((await db('actions').orderBy('id')).map((r) => r.name)).to.deep.equal(['can_get', 'can_patch', 'can_post', 'can_put', 'can_delete']);
        const desc = await db('api_view').where({ name: 'actions' }).first();
        expect(desc.description).to.equal('Endpoint which allows to get the actions defined in the application');
        // A permission added through the API survives the next start.
        const view = await db('api_view').where({ name: 'instance' }).first();
        await db('permission_view').insert({ role_id: 0, action_id: 1, api_view_id: view.id, created_at: '2024-01-01 00:00:00', updated_at: '2024-01-01 00:00:00' });
        const again = await seedAccess(db, routes.views, { signup: true, login: true, alarms: true });
        expect(again.addedPermissions).to.equal(0);
        expect(again.permissions).to.equal(633);
        // A new role gets the next id after the seeded ones (sequence moved past explicit ids).
        const [created] = await db('roles').insert({ name: 'custom', created_at: '2024-01-01 00:00:00', updated_at: '2024-01-01 00:00:00' }).returning('id');
        expect(Number(typeof created === 'object' ? created.id : created)).to.equal(5);
        // Turning alarms off removes their views and permissions.
        const off = await seedAccess(db, routes.views, { signup: true, login: true, alarms: false });
        expect(off.views).to.equal(54);
        expect(off.removedViews).to.equal(3);
        expect(off.permissions).to.equal(585);
      } finally {
        await deps.db.destroy();
        await database.drop();
      }
    });
  });
}

forEachDatabase('permission check', (t) => {
  it('is read from the database (roles of the user, method → action, view url rule)', async () => {
    const rows = await t.knex('permission_view as pv')
      .join('api_view as av', 'av.id', 'pv.api_view_id')
      .where('av.name', 'user-detail')
      .select('pv.role_id', 'pv.action_id');
    const pairs = rows.map((r) => `${r.role_id}:${r.action_id}`).sort();
    // dummy get/put, viewer get/put, planner/admin/service all five.
    expect(pairs).to.include.members(['0:1', '0:4', '1:1', '1:4', '2:1', '2:5', '3:3', '4:2']);
    expect(pairs).to.have.length(19);
  });
});
