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
import { appsHandlers } from './apps.js';
import { executionsHandlers, executionFilesHandlers } from './executions.js';

type JsonContent<T> = T extends { content: { 'application/json': infer B } } ? B : unknown;
type Op<K extends keyof operations> = operations[K];
type Params<K extends keyof operations> = Op<K>['parameters'] extends { path?: infer P } ? (P extends undefined ? never : P) : never;
type Query<K extends keyof operations> = Op<K>['parameters'] extends { query?: infer Q } ? (Q extends undefined ? never : Q) : never;
type Body<K extends keyof operations> = Op<K> extends { requestBody: infer R } ? JsonContent<NonNullable<R>> : Op<K> extends { requestBody?: infer R } ? JsonContent<NonNullable<R>> | undefined : never;

type SuccessCode = 200 | 201 | 202;
type Responses<K extends keyof operations> = Op<K>['responses'];

/** A success response of operation K: one of its declared 2xx statuses with that status's body. */
export type Reply<K extends keyof operations> = {
  [S in keyof Responses<K> & SuccessCode]: { status: S; body: JsonContent<Responses<K>[S]>; headers?: Record<string, string> };
}[keyof Responses<K> & SuccessCode];

export interface HandlerContext<K extends keyof operations> {
  params: Params<K>;
  query: Query<K>;
  body: Body<K>;
  /** The authenticated user (set on operations that require a token). */
  user: UserRow | undefined;
  deps: AppDeps;
  req: Request;
}

export type OpHandler<K extends keyof operations> = (ctx: HandlerContext<K>) => Promise<Reply<K>>;
export type HandlerMap = { [K in keyof operations]: OpHandler<K> };

export const handlers: HandlerMap = {
  ...authHandlers,
  ...healthHandlers,
  ...usersHandlers,
  ...rolesHandlers,
  ...licencesHandlers,
  ...instancesHandlers,
  ...appsHandlers,
  ...executionsHandlers,
  ...executionFilesHandlers,
};
