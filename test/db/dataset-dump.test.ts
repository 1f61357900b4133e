import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../src/reports/render-markdown.ts';
import { dumpDataset } from '../../src/services/dataset-dump.ts';
import { loadDataset, loadDemo } from '../../src/services/demo.ts';
import { createRecord } from '../../src/services/ledgers.ts';
import { buildReport } from '../../src/services/reports.ts';
import { SYSTEM } from '../../src/services/scope.ts';
import { engines, freshStore } from '../support/engines.ts';

process.env.XIEZUO_SECRET ??= 'test-secret';

describe.each(await engines())('dataset dump → load (%s)', (engine) => {
  it('gives back the same county-year: the same report, and the same file when dumped again', async () => {
    const a = await freshStore(engine);
    await loadDemo(a.store);
    const first = await dumpDataset(a.store, SYSTEM, '623023', 2022);
    const file = join(mkdtempSync(join(tmpdir(), 'xiezuo-dump-')), 'd.yaml');
    writeFileSync(file, first.yaml);
    const b = await freshStore(engine);
    await loadDataset(b.store, file);
    const report = async (s: typeof a.store) => renderMarkdown({ ...(await buildReport(s, SYSTEM, '623023', 2022)), generatedAt: 'T' });
    expect(await report(b.store)).toBe(await report(a.store));
    expect((await dumpDataset(b.store, SYSTEM, '623023', 2022)).yaml).toBe(first.yaml);
    expect(first.yaml).toContain('value: 70余万元');
    expect(first.yaml).toContain('quantity: 12000-15000');
    await a.dispose();
    await b.dispose();
  });

  it('never writes personal ID numbers', async () => {
    const a = await freshStore(engine);
    await loadDemo(a.store);
    await createRecord(a.store, SYSTEM, 'labour_placement', '623023', 2022, { person_name: '张三', resident_id: '11010519491231002X', destination: 'in_province', start_date: '2022-03-01' });
    const d = await dumpDataset(a.store, SYSTEM, '623023', 2022);
    expect(d.omitted).toEqual(['labour_placement']);
    expect(d.yaml).not.toContain('11010519491231002X');
    expect(d.yaml).not.toContain('张三');
    await a.dispose();
  });
});
