import { CornflowCommand } from '../../base.js';
import { syncViews } from '../../../src/domain/access.js';
import { servedAccess } from '../../../src/cli-support/access.js';

export default class ViewsInit extends CornflowCommand {
  static override description = 'Bring the api_view table in line with the served endpoints (adds, updates, removes views)';

  async run(): Promise<void> {
    const { flags } = await this.parse(ViewsInit);
    const config = this.cornflowConfig(flags);
    const db = await this.database(config);
    const { views } = await servedAccess(config);
    const r = await db.transaction((trx) => syncViews(trx, views));
    this.log(`views: ${r.added} added, ${r.updated} updated, ${r.removed} removed`);
  }
}
