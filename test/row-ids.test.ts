// Integer row ids in paths (users, roles, permissions, cases, alarms: components/schemas/RowId). Werkzeug's int
// converter matches any number of digits; a value beyond the database's INTEGER is no row and answers 404 on
// both databases (PostgreSQL refused the bound value: a 500, in cornflow as well).
import { expect } from 'chai';
import type { Response } from 'supertest';
import { contract, forEachDatabase } from './support/app.js';
import { resolve, specOperations } from './support/spec-walk.js';
import { NOT_FOUND_BODY } from '../src/api/errors.js';

const BEYOND = ['2147483648', '9223372036854775808', '99999999999999999999999'];

forEachDatabase('integer row ids beyond the database INTEGER', (t) => {
  it('every operation with a RowId path parameter answers 404, on every method, and changes nothing', async function () {
    this.timeout(120_000);
    const admin = await t.user('admin');
    const spec = contract.spec;
    const ops = specOperations(spec).filter(({ item, op }) =>
      [...((item.parameters as unknown[]) ?? []), ...((op.parameters as unknown[]) ?? [])].some((p) => {
        const param = resolve(spec, p);
        return param.in === 'path' && JSON.stringify(param.schema ?? {}).includes('RowId');
      }),
    );
    expect(ops.length).to.be.at.least(12);
    const before = await Promise.all(['users', 'roles', 'permission_view', 'cases', 'alarms', 'user_role'].map((tb) => t.count(tb)));
    for (const { path, method } of ops) {
      for (const value of BEYOND) {
        const url = path.replace(/\{(\w+)\}/g, (_, name: string) => (name === 'make_admin' ? '1' : value));
        const req = t.raw()[method](url).set('Authorization', `Bearer ${admin.token}`);
        const res: Response = method === 'get' || method === 'delete' ? await req : await req.send({});
        expect(res.status, `${method.toUpperCase()} ${url}: ${res.text.slice(0, 200)}`).to.equal(404);
        expect(res.body).to.deep.equal(NOT_FOUND_BODY);
      }
    }
    const after = await Promise.all(['users', 'roles', 'permission_view', 'cases', 'alarms', 'user_role'].map((tb) => t.count(tb)));
    expect(after).to.deep.equal(before);
  });
});
