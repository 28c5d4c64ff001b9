// @cornflow-ts/sdk: the typed client of the cornflow REST API. `src/api.ts` is generated from the contract by
// `npm run gen` in the repository root (do not edit it); this file is the small hand-written convenience layer:
// token handling, login/signup/logout, and `unwrap` to turn an error answer into a thrown CornflowError.
import createClient, { type Client, type ClientOptions, type Middleware } from 'openapi-fetch';
import type { components, operations, paths } from './api.js';

export type { components, operations, paths };
/** The named schemas of the contract, e.g. `Schemas['InstanceDetail']`. */
export type Schemas = components['schemas'];
export type CornflowApi = Client<paths>;

/** An error answer of the API (cornflow answers auth failures with 400, permission failures with 403). */
export class CornflowError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    const b = body as { error?: unknown; message?: unknown } | undefined;
    super(`cornflow answered ${status}: ${String(b?.error ?? b?.message ?? JSON.stringify(body))}`);
    this.name = 'CornflowError';
  }
}

/** Returns the data of an openapi-fetch result, or throws a CornflowError for an error answer. */
export async function unwrap<T>(result: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await result;
  if (error !== undefined || !response.ok) throw new CornflowError(response.status, error);
  return data as T;
}

export interface CornflowClientOptions extends ClientOptions {
  /** The server's root URL, e.g. `http://localhost:5000` (cornflow's paths start with `/`). */
  baseUrl: string;
  /** A token to start with (from an earlier login, or an OpenID Connect provider). */
  token?: string;
}

export interface CornflowClient {
  /** The raw typed client: `api.GET('/instance/{idx}/', { params: { path: { idx } } })`. */
  readonly api: CornflowApi;
  /** The token sent as `Authorization: Bearer <token>` (undefined when logged out). */
  readonly token: string | undefined;
  setToken(token: string | undefined): void;
  /** Logs in and keeps the token for the next requests. */
  login(username: string, password: string): Promise<Schemas['LoginResponse']>;
  /** Signs up (when the server allows it) and keeps the new user's token. */
  signup(user: Schemas['SignupRequest']): Promise<Schemas['TokenResponse']>;
  /** Forgets the token (cornflow tokens are stateless: nothing is sent to the server). */
  logout(): void;
}

export function createCornflowClient(options: CornflowClientOptions): CornflowClient {
  const { token: initial, ...clientOptions } = options;
  let token = initial;
  const api = createClient<paths>(clientOptions);
  const auth: Middleware = {
    onRequest({ request }) {
      if (token && !request.headers.has('Authorization')) request.headers.set('Authorization', `Bearer ${token}`);
      return request;
    },
  };
  api.use(auth);
  return {
    api,
    get token() {
      return token;
    },
    setToken(value) {
      token = value;
    },
    async login(username, password) {
      const data = await unwrap(api.POST('/login/', { body: { username, password } }));
      token = data.token;
      return data;
    },
    async signup(user) {
      const data = await unwrap(api.POST('/signup/', { body: user }));
      token = data.token;
      return data;
    },
    logout() {
      token = undefined;
    },
  };
}
