// CORNFLOW_BACKEND=3/airflow3 and the local pool settings.
import { expect } from 'chai';
import { loadConfig } from '../src/config.js';

const base = { SECRET_KEY: 'x', DATABASE_URL: 'sqlite:///:memory:', FLASK_ENV: 'testing' };

describe('backend configuration', () => {
  it('accepts 3 and airflow3 for Airflow 3, keeps 1, 2 and local', () => {
    expect(loadConfig({ ...base, CORNFLOW_BACKEND: '3' }).backend).to.equal('airflow3');
    expect(loadConfig({ ...base, CORNFLOW_BACKEND: 'Airflow3' }).backend).to.equal('airflow3');
    expect(loadConfig({ ...base, CORNFLOW_BACKEND: '1' }).backend).to.equal('airflow');
    expect(loadConfig({ ...base, CORNFLOW_BACKEND: '2' }).backend).to.equal('databricks');
    expect(loadConfig({ ...base }).backend).to.equal('local');
    expect(() => loadConfig({ ...base, CORNFLOW_BACKEND: '4' })).to.throw(/3 \(Airflow 3\)/);
  });

  it('reads the local pool settings, leaving unset ones to the pool defaults', () => {
    expect(loadConfig({ ...base }).local).to.deep.equal({ workers: undefined, timeLimitSeconds: undefined, graceSeconds: undefined, maxMemoryMb: undefined, runner: true });
    expect(loadConfig({ ...base, CORNFLOW_LOCAL_WORKERS: '4', CORNFLOW_LOCAL_TIME_LIMIT: '600', CORNFLOW_LOCAL_TIME_GRACE: '10', CORNFLOW_LOCAL_MAX_MEMORY_MB: '2048', CORNFLOW_LOCAL_RUNNER: '0' }).local)
      .to.deep.equal({ workers: 4, timeLimitSeconds: 600, graceSeconds: 10, maxMemoryMb: 2048, runner: false });
    expect(() => loadConfig({ ...base, CORNFLOW_LOCAL_WORKERS: '-1' })).to.throw(/CORNFLOW_LOCAL_WORKERS/);
  });
});
