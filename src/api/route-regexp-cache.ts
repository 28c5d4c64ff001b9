// express-openapi-validator 5 finds a request's operation by compiling path-to-regexp for every route of the
// spec on every request (openapi.metadata.js, lookupRoute): with cornflow's ~100 paths that was the largest
// single cost of a small request (~11 % of its CPU). Compiling is a pure function of the route and options, so
// the compiled result is kept. The module is shared with express's router, which compiles once per route anyway.
import { createRequire } from 'node:module';

type Compile = (path: unknown, options?: Record<string, unknown>) => unknown;

let installed = false;

/** The key of eov's calls (options sensitive and strict only); undefined for any other options. */
function cacheKey(path: string, options: Record<string, unknown> | undefined): string | undefined {
  let key = path;
  if (options) {
    for (const name in options) {
      if (name !== 'sensitive' && name !== 'strict') return undefined;
    }
    key += `\u0000${options.sensitive ? 1 : 0}${options.strict ? 1 : 0}`;
  }
  return key;
}

export function cacheRouteRegexps(): void {
  if (installed) return;
  installed = true;
  // The copy eov resolves (today the top-level one; resolved the same way eov does, so a nested copy is found too).
  const fromEov = createRequire(createRequire(import.meta.url).resolve('express-openapi-validator'));
  const mod = fromEov('path-to-regexp') as { pathToRegexp: Compile };
  const compile = mod.pathToRegexp;
  const cache = new Map<string, unknown>();
  mod.pathToRegexp = (path, options) => {
    // Only string routes with plain options are cached; anything else compiles as before.
    if (typeof path !== 'string') return compile(path, options);
    const key = cacheKey(path, options);
    if (key === undefined) return compile(path, options);
    let compiled = cache.get(key);
    if (compiled === undefined) {
      compiled = compile(path, options);
      if (cache.size >= 10_000) cache.clear();
      cache.set(key, compiled);
    }
    return compiled;
  };
}
