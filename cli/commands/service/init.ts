import { Flags } from '@oclif/core';
import { CornflowCommand } from '../../base.js';
import { serviceEnv, setUpService } from '../../../src/cli-support/service.js';
import { startServer } from '../../../src/server.js';

export default class ServiceInit extends CornflowCommand {
  static override description = [
    'The container entry point: apply migrations, seed the access tables, create the initial admin and service users',
    '(CORNFLOW_ADMIN_* / CORNFLOW_SERVICE_*), grant DAG permissions (OPEN_DEPLOYMENT), then serve on HOST:PORT',
    '(0.0.0.0:5000) until SIGTERM/SIGINT, which finishes in-flight requests and exits 0.',
    "The database is DATABASE_URL, or cornflow's image variables (DEFAULT_POSTGRES=1 with cornflow_db_conn or CORNFLOW_DB_*);",
    'FERNET_KEY is used as SECRET_KEY when SECRET_KEY is unset.',
  ].join('\n');
  static override examples = ['<%= config.bin %> service init', '<%= config.bin %> service init --no-serve'];
  static override flags = {
    serve: Flags.boolean({ allowNo: true, default: true, description: 'serve after the set-up (--no-serve: set up and exit)' }),
    host: Flags.string({ description: 'address to listen on (HOST, default 0.0.0.0)' }),
    port: Flags.integer({ description: 'port to listen on (PORT, default 5000)' }),
  };

  protected serveAfterSetup(serve: boolean): boolean {
    return serve;
  }

  async run(): Promise<void> {
    const { flags } = await this.parse(this.constructor as typeof ServiceInit);
    const env = serviceEnv(process.env);
    if (flags.host) env.HOST = flags.host;
    if (flags.port !== undefined) env.PORT = String(flags.port);
    const config = this.cornflowConfig(flags, env);
    const db = await this.database(config);
    await setUpService(db, config, this.logger(config), (line) => this.log(line));
    await db.destroy();
    if (!this.serveAfterSetup(flags.serve)) return;

    const running = await startServer(config);
    this.log(`cornflow-ts listening on ${running.url}`);
    const signal = await new Promise<string>((resolve) => {
      process.once('SIGTERM', () => resolve('SIGTERM'));
      process.once('SIGINT', () => resolve('SIGINT'));
    });
    this.log(`${signal} received: finishing in-flight requests`);
    await running.close();
    this.log('stopped');
  }
}
