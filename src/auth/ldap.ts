// The LDAP directory of AUTH_TYPE=2 (cornflow-platform.md §3.6), through ldapts: find the user's DN with the
// service account, bind as that DN with the given password, read the e-mail and the groups mapped to roles.
// Filters are built as filter objects, never by string concatenation, so a username holding `*`, `(`, `)`
// or `\` matches only itself (cornflow pastes the username into the filter unescaped).
import { AndFilter, Client, EqualityFilter, InvalidCredentialsError, type Filter } from 'ldapts';
import type { Config } from '../config.js';
import { ADMIN_ROLE, PLANNER_ROLE, SERVICE_ROLE, VIEWER_ROLE } from '../domain/access-constants.js';

export interface DirectoryUser {
  dn: string;
  email: string | undefined;
  /** cornflow role ids mapped from the user's groups (empty when no group is mapped). */
  roles: number[];
}

export interface Directory {
  /** The user when the password binds, `undefined` for an unknown user or a wrong password. */
  authenticate(username: string, password: string): Promise<DirectoryUser | undefined>;
}

/** The directory cannot be reached or answered with something else than a result. */
export class DirectoryUnavailable extends Error {}

export interface DirectoryOptions {
  ldap: Config['ldap'];
  serviceUser: string;
  timeoutMs?: number;
}

function firstValue(value: string | string[] | Buffer | Buffer[] | undefined): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined) return undefined;
  return typeof v === 'string' ? v : v.toString('utf8');
}

export function createDirectory(opts: DirectoryOptions): Directory {
  const { ldap } = opts;
  const timeout = opts.timeoutMs ?? 5_000;
  const client = () => new Client({ url: ldap.host, timeout, connectTimeout: timeout });
  const roleOfGroup = new Map<string, number>([
    [ldap.groupToRole.service, SERVICE_ROLE],
    [ldap.groupToRole.admin, ADMIN_ROLE],
    [ldap.groupToRole.viewer, VIEWER_ROLE],
    [ldap.groupToRole.planner, PLANNER_ROLE],
  ]);

  async function withClient<T>(fn: (c: Client) => Promise<T>): Promise<T> {
    const c = client();
    try {
      return await fn(c);
    } finally {
      await c.unbind().catch(() => undefined);
    }
  }

  return {
    async authenticate(username, password) {
      // An empty password would be an anonymous ("unauthenticated") bind, which many servers accept.
      if (username === '' || password === '') return undefined;
      try {
        const found = await withClient(async (c) => {
          await c.bind(ldap.bindDn, ldap.bindPassword);
          const base = username === opts.serviceUser ? ldap.serviceBase : ldap.userBase;
          const filter: Filter = new AndFilter({ filters: [new EqualityFilter({ attribute: ldap.usernameAttribute, value: username })] });
          const { searchEntries } = await c.search(base, { scope: 'sub', filter, attributes: [ldap.emailAttribute], sizeLimit: 2 });
          if (searchEntries.length !== 1) return undefined;
          const entry = searchEntries[0]!;
          const groupFilter = new AndFilter({
            filters: [new EqualityFilter({ attribute: 'objectClass', value: ldap.groupObjectClass }), new EqualityFilter({ attribute: 'member', value: entry.dn })],
          });
          const groups = await c.search(ldap.groupBase, { scope: 'sub', filter: groupFilter, attributes: ['cn'] });
          const roles = new Set<number>();
          for (const g of groups.searchEntries) {
            const cns = Array.isArray(g.cn) ? g.cn : [g.cn];
            for (const cn of cns) {
              const role = roleOfGroup.get(firstValue(cn as string) ?? '');
              if (role !== undefined) roles.add(role);
            }
          }
          return { dn: entry.dn, email: firstValue(entry[ldap.emailAttribute]), roles: [...roles].sort() };
        });
        if (!found) return undefined;
        const ok = await withClient(async (c) => {
          try {
            await c.bind(found.dn, password);
            return true;
          } catch (err) {
            if (err instanceof InvalidCredentialsError) return false;
            throw err;
          }
        });
        return ok ? found : undefined;
      } catch (err) {
        throw new DirectoryUnavailable(err instanceof Error ? err.message : String(err));
      }
    },
  };
}
