import ServiceInit from './init.js';

export default class ServiceSetup extends ServiceInit {
  static override description =
    'Everything service init does before serving (migrations, access, initial users, DAG permissions), then exit. Idempotent.';
  static override examples = ['<%= config.bin %> service setup'];

  protected override serveAfterSetup(): boolean {
    return false;
  }
}
