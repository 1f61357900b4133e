// The ranking and roll-up thread: opens its own connection to the server's database and computes overviews on
// request, reporting progress. One store per database, kept for the life of the thread.
import { parentPort } from 'node:worker_threads';
import { migrate, openStore, type Store, type StoreConfig } from '../store/db.ts';
import { refreshConfig } from './config.ts';
import { DomainError } from './errors.ts';
import { computeOverview, computeRanking, computeUnitView, type ViewTask } from './overview.ts';
import type { Actor } from './scope.ts';

const stores = new Map<string, Store>();

parentPort!.on('message', (m: { id: number; config: StoreConfig; actor: Actor } & ViewTask) => {
  void (async () => {
    try {
      const k = JSON.stringify(m.config);
      if (!stores.has(k)) {
        // Migrating an up-to-date schema only runs the after-migrate hooks, which load the stored
        // configuration that the indicator engine reads.
        const s = openStore(m.config);
        await migrate(s);
        stores.set(k, s);
      }
      // Configuration changed since (a category list, the rounding) is loaded before computing, as in the server's thread.
      await refreshConfig(stores.get(k)!);
      if (m.rank !== undefined) {
        parentPort!.postMessage({ id: m.id, ranked: await computeRanking(stores.get(k)!, m.actor, m.year, m.rank, m.period) });
        return;
      }
      if (m.unit !== undefined) {
        parentPort!.postMessage({ id: m.id, text: await computeUnitView(stores.get(k)!, m.actor, m.unit, m.year, m.period) });
        return;
      }
      const rows = await computeOverview(stores.get(k)!, m.actor, m.year, { period: m.period, onProgress: (done, total) => parentPort!.postMessage({ id: m.id, progress: [done, total] }) });
      parentPort!.postMessage({ id: m.id, rows });
    } catch (e) {
      const d = e instanceof DomainError ? { zh: e.zh, en: e.en, code: e.code } : {};
      parentPort!.postMessage({ id: m.id, error: { message: e instanceof Error ? e.message : String(e), ...d } });
    }
  })();
});
