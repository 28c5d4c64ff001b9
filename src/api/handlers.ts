// One typed map from operationId to handler. The types come from generated/api.ts, so an operation without
// a handler, a handler for an unknown operation, or a wrong response shape does not compile.
import type { Request } from 'express';
import type { operations } from '../../generated/api.js';
import type { AppDeps } from './context.js';
import type { UserRow } from '../storage/users.js';
import { authHandlers } from './auth.js';
import { healthHandlers } from './health.js';
import { usersHandlers } from './users.js';
import { rolesHandlers } from './roles.js';
import { licencesHandlers } from './licences.js';
import { instancesHandlers } from './instances.js';
import { casesHandlers } from './cases.js';
import { appsHandlers } from './apps.js';
import { alarmsHandlers } from './alarms.js';
import { tablesHandlers } from './tables.js';
import { legacyHandlers } from './legacy.js';
import { executionsHandlers, executionFilesHandlers } from './executions.js';

type JsonContent<T> = T extends { content: { 'application/json': infer B } } ? B : unknown;
// The helpers take the operations type as a parameter (default: the core's), so plugins type their handlers
// with their own generated operations (see src/plugins/types.ts).
type Op<K extends keyof O, O = operations> = O[K];
type Params<K extends keyof O, O = operations> = Op<K, O> extends { parameters: { path?: infer P } } ? (P extends undefined ? never : P) : never;
type Query<K extends keyof O, O = operations> = Op<K, O> extends { parameters: { query?: infer Q } } ? (Q extends undefined ? never : Q) : never;
type Body<K extends keyof O, O = operations> = Op<K, O> extends { requestBody: infer R } ? JsonContent<NonNullable<R>> : Op<K, O> extends { requestBody?: infer R } ? JsonContent<NonNullable<R>> | undefined : never;

type SuccessCode = 200 | 201 | 202;
type Responses<K extends keyof O, O = operations> = Op<K, O> extends { responses: infer R } ? R : never;

/** A success response of operation K: one of its declared 2xx statuses with that status's body. */
export type Reply<K extends keyof O, O = operations> = {
  [S in keyof Responses<K, O> & SuccessCode]: { status: S; body: JsonContent<Responses<K, O>[S]>; headers?: Record<string, string> };
}[keyof Responses<K, O> & SuccessCode];

export interface HandlerContext<K extends keyof O, O = operations> {
  params: Params<K, O>;
  query: Query<K, O>;
  body: Body<K, O>;
  /** The authenticated user (set on operations that require a token). */
  user: UserRow | undefined;
  deps: AppDeps;
  req: Request;
}

export type OpHandler<K extends keyof O, O = operations> = (ctx: HandlerContext<K, O>) => Promise<Reply<K, O>>;
export type HandlerMap<O = operations> = { [K in keyof O]: OpHandler<K, O> };

export const handlers: HandlerMap = {
  ...authHandlers,
  ...healthHandlers,
  ...usersHandlers,
  ...rolesHandlers,
  ...licencesHandlers,
  ...instancesHandlers,
  ...casesHandlers,
  ...appsHandlers,
  ...alarmsHandlers,
  ...tablesHandlers,
  ...legacyHandlers,
  ...executionsHandlers,
  ...executionFilesHandlers,
};
