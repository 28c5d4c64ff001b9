// A real OpenLDAP (Debian's /usr/sbin/slapd) for the LDAP tests: a slapd.conf with an mdb database is
// generated into a temporary folder, slapd runs in the foreground (-d 0) on a free loopback port below 32768,
// and the directory is seeded through ldapts: people under ou=users, the service account under
// ou=service, and one groupOfNames per cornflow role under ou=groups. stop() kills it and removes the folder.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Attribute, Change, Client } from 'ldapts';

export const LDAP_SUFFIX = 'dc=example,dc=org';
export const LDAP_ADMIN_DN = `cn=admin,${LDAP_SUFFIX}`;
export const LDAP_ADMIN_PASSWORD = 'ldap-admin-secret';
export const SLAPD = '/usr/sbin/slapd';

export interface SeedUser {
  uid: string;
  password: string;
  mail?: string;
  /** Group cn's (administrators, planners, viewers, service or unmapped ones). */
  groups: string[];
  ou?: 'users' | 'service';
}

export const LDAP_USERS: SeedUser[] = [
  { uid: 'alice', password: 'alice-pw', mail: 'alice@example.com', groups: ['administrators'] },
  { uid: 'pablo', password: 'pablo-pw', mail: 'pablo@example.com', groups: ['planners'] },
  { uid: 'vera', password: 'vera-pw', mail: 'vera@example.com', groups: ['viewers'] },
  { uid: 'service_user', password: 'service-pw', mail: 'service_user@example.com', groups: ['service'], ou: 'service' },
  { uid: 'nora', password: 'nora-pw', mail: 'nora@example.com', groups: ['accounting'] },
  { uid: 'nomail', password: 'nomail-pw', groups: ['planners'] },
  { uid: 'star*', password: 'star-pw', mail: 'star@example.com', groups: ['viewers'] },
];
const GROUPS = ['administrators', 'planners', 'viewers', 'service', 'accounting'];

async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    const free = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port below 32768');
}

export class TestLdapServer {
  url = '';
  private dir = '';
  private proc: ChildProcess | undefined;
  private log = '';

  static available(): boolean {
    return existsSync(SLAPD);
  }

  async start(): Promise<this> {
    this.dir = mkdtempSync(join(tmpdir(), 'cornflow-slapd-'));
    mkdirSync(join(this.dir, 'db'));
    writeFileSync(
      join(this.dir, 'slapd.conf'),
      [
        'include /etc/ldap/schema/core.schema',
        'include /etc/ldap/schema/cosine.schema',
        'include /etc/ldap/schema/inetorgperson.schema',
        'modulepath /usr/lib/ldap',
        'moduleload back_mdb',
        `pidfile ${join(this.dir, 'slapd.pid')}`,
        'database mdb',
        `suffix "${LDAP_SUFFIX}"`,
        `rootdn "${LDAP_ADMIN_DN}"`,
        `rootpw ${LDAP_ADMIN_PASSWORD}`,
        `directory ${join(this.dir, 'db')}`,
        'maxsize 10485760',
        '',
      ].join('\n'),
    );
    const port = await freePort();
    this.url = `ldap://127.0.0.1:${port}`;
    // -d 0 keeps slapd in the foreground, so it is this process's child and dies with it.
    this.proc = spawn(SLAPD, ['-f', join(this.dir, 'slapd.conf'), '-h', `${this.url}/`, '-d', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc.stdout?.on('data', (d: Buffer) => (this.log += d.toString()));
    this.proc.stderr?.on('data', (d: Buffer) => (this.log += d.toString()));
    await this.waitUntilReady();
    await this.seed();
    return this;
  }

  private async waitUntilReady(): Promise<void> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (this.proc?.exitCode !== null && this.proc?.exitCode !== undefined) throw new Error(`slapd exited: ${this.log}`);
      const c = new Client({ url: this.url, connectTimeout: 500, timeout: 500 });
      try {
        await c.bind(LDAP_ADMIN_DN, LDAP_ADMIN_PASSWORD);
        return;
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`slapd did not start: ${String(err)} ${this.log}`);
        await new Promise((r) => setTimeout(r, 100));
      } finally {
        await c.unbind().catch(() => undefined);
      }
    }
  }

  /** Runs fn with a client bound as the directory's root. */
  async admin<T>(fn: (c: Client) => Promise<T>): Promise<T> {
    const c = new Client({ url: this.url, timeout: 5000, connectTimeout: 5000 });
    try {
      await c.bind(LDAP_ADMIN_DN, LDAP_ADMIN_PASSWORD);
      return await fn(c);
    } finally {
      await c.unbind().catch(() => undefined);
    }
  }

  static userDn(u: Pick<SeedUser, 'uid' | 'ou'>): string {
    const uid = u.uid.replace(/([,+"\\<>;=#])/g, '\\$1');
    return `uid=${uid},ou=${u.ou ?? 'users'},${LDAP_SUFFIX}`;
  }

  static groupDn(cn: string): string {
    return `cn=${cn},ou=groups,${LDAP_SUFFIX}`;
  }

  private async seed(): Promise<void> {
    await this.admin(async (c) => {
      await c.add(LDAP_SUFFIX, { objectClass: ['dcObject', 'organization'], dc: 'example', o: 'Example' });
      for (const ou of ['users', 'service', 'groups']) await c.add(`ou=${ou},${LDAP_SUFFIX}`, { objectClass: 'organizationalUnit', ou });
      for (const u of LDAP_USERS) {
        await c.add(TestLdapServer.userDn(u), {
          objectClass: 'inetOrgPerson',
          uid: u.uid,
          cn: u.uid,
          sn: u.uid,
          userPassword: u.password,
          ...(u.mail ? { mail: u.mail } : {}),
        });
      }
      for (const cn of GROUPS) {
        const members = LDAP_USERS.filter((u) => u.groups.includes(cn)).map((u) => TestLdapServer.userDn(u));
        // groupOfNames needs at least one member: the admin DN stands in for empty groups.
        await c.add(TestLdapServer.groupDn(cn), { objectClass: 'groupOfNames', cn, member: members.length ? members : [LDAP_ADMIN_DN] });
      }
    });
  }

  async addToGroup(uid: string, cn: string, ou?: 'users' | 'service'): Promise<void> {
    await this.admin((c) =>
      c.modify(TestLdapServer.groupDn(cn), [new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: [TestLdapServer.userDn({ uid, ou })] }) })]),
    );
  }

  async removeFromGroup(uid: string, cn: string, ou?: 'users' | 'service'): Promise<void> {
    await this.admin((c) =>
      c.modify(TestLdapServer.groupDn(cn), [new Change({ operation: 'delete', modification: new Attribute({ type: 'member', values: [TestLdapServer.userDn({ uid, ou })] }) })]),
    );
  }

  /** The environment of a cornflow server using this directory (cornflow's LDAP_* variables). */
  env(): Record<string, string> {
    return {
      AUTH_TYPE: '2',
      LDAP_HOST: this.url,
      LDAP_BIND_DN: LDAP_ADMIN_DN,
      LDAP_BIND_PASSWORD: LDAP_ADMIN_PASSWORD,
      LDAP_USERNAME_ATTRIBUTE: 'uid',
      LDAP_USER_BASE: `ou=users,${LDAP_SUFFIX}`,
      LDAP_SERVICE_BASE: `ou=service,${LDAP_SUFFIX}`,
      LDAP_EMAIL_ATTRIBUTE: 'mail',
      LDAP_GROUP_BASE: `ou=groups,${LDAP_SUFFIX}`,
      LDAP_GROUP_OBJECT_CLASS: 'groupOfNames',
    };
  }

  async stop(): Promise<void> {
    const proc = this.proc;
    if (proc && proc.exitCode === null) {
      const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
      proc.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (proc.exitCode === null) proc.kill('SIGKILL');
    }
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}
