// The calls cornflow makes to Airflow 2's stable REST API (/api/v1), written by this project from Airflow's public
// REST API reference (airflow.apache.org/docs/apache-airflow/2.x/stable-rest-api-ref.html), in an OpenAPI-shaped
// object so test/support/airflow.ts can check requests with the same code whether it reads Airflow's published
// spec (from a local mirror, never committed) or this fallback. Only what cornflow calls is described:
// GET /health, GET /dags, GET /dags/{dag_id}, POST /dags/{dag_id}/dagRuns, GET /dags/{dag_id}/dagRuns/{dag_run_id},
// POST /dags/{dag_id}/updateTaskInstancesState and GET /variables/{variable_key}.
type Json = Record<string, unknown>;

const str = { type: 'string' };
const nullableStr = { type: 'string', nullable: true };
const bool = { type: 'boolean' };
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Json) => ({ content: { 'application/json': { schema } } });
const errorResponse = { description: 'an RFC 7807 problem', ...json(ref('Problem')) };
const errors = (...statuses: number[]) => Object.fromEntries(statuses.map((s) => [String(s), errorResponse]));
const pathParam = (name: string) => ({ name, in: 'path', required: true, schema: str });
/** `fields`: the optional list of fields to return, accepted by the single-object GETs. */
const fieldsParam = { name: 'fields', in: 'query', required: false, schema: { type: 'array', items: str } };

const schemas: Json = {
  Problem: {
    type: 'object',
    required: ['type', 'title', 'status'],
    properties: { type: str, title: str, status: { type: 'number' }, detail: str, instance: str },
  },
  // GET /health: the status of the metadata database and of the scheduler ("healthy" / "unhealthy")
  Health: {
    type: 'object',
    properties: {
      metadatabase: { type: 'object', properties: { status: { type: 'string', enum: ['healthy', 'unhealthy'] } } },
      scheduler: {
        type: 'object',
        properties: { status: { type: 'string', enum: ['healthy', 'unhealthy'] }, latest_scheduler_heartbeat: nullableStr },
      },
    },
  },
  Dag: {
    type: 'object',
    required: ['dag_id'],
    properties: {
      dag_id: str,
      is_paused: { type: 'boolean', nullable: true },
      is_active: { type: 'boolean', nullable: true },
      description: nullableStr,
      tags: { type: 'array', nullable: true, items: { type: 'object', properties: { name: str } } },
    },
  },
  Dags: {
    type: 'object',
    required: ['dags', 'total_entries'],
    properties: { dags: { type: 'array', items: ref('Dag') }, total_entries: { type: 'integer', minimum: 0 } },
  },
  // The body of POST …/dagRuns: only the writable fields of a DAG run (its id, state, dag id and dates are
  // chosen by Airflow and may not be sent).
  NewDagRun: {
    type: 'object',
    additionalProperties: false,
    properties: {
      dag_run_id: nullableStr,
      logical_date: { type: 'string', nullable: true, format: 'date-time' },
      execution_date: { type: 'string', nullable: true, format: 'date-time' },
      data_interval_start: { type: 'string', nullable: true, format: 'date-time' },
      data_interval_end: { type: 'string', nullable: true, format: 'date-time' },
      conf: { type: 'object' },
      note: nullableStr,
    },
  },
  DagRun: {
    type: 'object',
    properties: {
      dag_run_id: nullableStr,
      dag_id: str,
      logical_date: nullableStr,
      execution_date: nullableStr,
      state: { type: 'string', enum: ['queued', 'running', 'success', 'failed'] },
      conf: { type: 'object' },
    },
  },
  // The body of POST /dags/{dag_id}/updateTaskInstancesState: which task instance (by execution date or run id),
  // how far the change spreads, the new state, and whether it is only a dry run (Airflow's default).
  UpdateTaskInstancesState: {
    type: 'object',
    additionalProperties: false,
    properties: {
      dry_run: bool,
      task_id: str,
      execution_date: str,
      dag_run_id: str,
      include_upstream: bool,
      include_downstream: bool,
      include_future: bool,
      include_past: bool,
      new_state: { type: 'string', enum: ['success', 'failed', 'skipped'] },
    },
  },
  TaskInstanceReferences: {
    type: 'object',
    properties: {
      task_instances: {
        type: 'array',
        items: { type: 'object', properties: { task_id: str, dag_id: str, execution_date: str, dag_run_id: str } },
      },
    },
  },
  Variable: { type: 'object', required: ['key'], properties: { key: str, value: str, description: nullableStr } },
};

/** An OpenAPI 3 shaped description of the seven calls (paths relative to /api/v1). */
export const AIRFLOW2_REQUESTS: Json = {
  components: { schemas },
  paths: {
    '/health': { get: { responses: { 200: { description: 'health', ...json(ref('Health')) } } } },
    '/dags': {
      get: {
        parameters: [
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1 } },
          { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0 } },
          { name: 'order_by', in: 'query', schema: str },
          { name: 'tags', in: 'query', schema: { type: 'array', items: str } },
          { name: 'only_active', in: 'query', schema: bool },
          { name: 'paused', in: 'query', schema: bool },
          { name: 'dag_id_pattern', in: 'query', schema: str },
          { name: 'fields', in: 'query', schema: { type: 'array', items: str } },
        ],
        responses: { 200: { description: 'a page of DAGs', ...json(ref('Dags')) }, ...errors(401) },
      },
    },
    '/dags/{dag_id}': {
      parameters: [pathParam('dag_id')],
      get: { parameters: [fieldsParam], responses: { 200: { description: 'the DAG', ...json(ref('Dag')) }, ...errors(401, 403, 404) } },
    },
    '/dags/{dag_id}/dagRuns': {
      parameters: [pathParam('dag_id')],
      post: {
        requestBody: { required: true, ...json(ref('NewDagRun')) },
        responses: { 200: { description: 'the new run', ...json(ref('DagRun')) }, ...errors(400, 401, 403, 404, 409) },
      },
    },
    '/dags/{dag_id}/dagRuns/{dag_run_id}': {
      parameters: [pathParam('dag_id'), pathParam('dag_run_id')],
      get: { parameters: [fieldsParam], responses: { 200: { description: 'the run', ...json(ref('DagRun')) }, ...errors(401, 403, 404) } },
    },
    '/dags/{dag_id}/updateTaskInstancesState': {
      parameters: [pathParam('dag_id')],
      post: {
        requestBody: { required: true, ...json(ref('UpdateTaskInstancesState')) },
        responses: { 200: { description: 'the task instances changed', ...json(ref('TaskInstanceReferences')) }, ...errors(400, 401, 403, 404) },
      },
    },
    '/variables/{variable_key}': {
      parameters: [pathParam('variable_key')],
      get: { responses: { 200: { description: 'the variable', ...json(ref('Variable')) }, ...errors(400, 401, 403, 404) } },
    },
  },
};
