// Prints the Kysely code for the ledger tables as they are declared now. Its output is pasted into a
// new, frozen migration; migrations never import the declarations themselves.
import { LEDGERS } from '../src/domain/ledgers/declarations.ts';
import { columnsOf } from '../src/domain/ledgers/types.ts';

const sqlType = { text: 'text', int: 'integer', money: 'bigint', date: 'text', enum: 'text', bool: 'integer', code: 'text' } as const;
for (const l of LEDGERS) {
  const lines = [`  await ledgerTable(db, '${l.table}', (t) =>`, '    t'];
  for (const f of l.fields) {
    const cols = columnsOf(f);
    const base = f.pii ? 'text' : sqlType[f.type];
    lines.push(`      .addColumn('${cols[0]}', '${base}'${f.required ? ', (c) => c.notNull()' : ''})`);
    if (f.pii) lines.push(`      .addColumn('${cols[1]}', 'text')`);
    if (f.qualified) {
      lines.push(`      .addColumn('${cols[cols.length - 2]}', 'text')`);
      lines.push(`      .addColumn('${cols[cols.length - 1]}', '${base}')`);
    }
  }
  const key = l.naturalKey.map((k) => columnsOf(l.fields.find((f) => f.name === k)!)[0]);
  lines.push(`  , [${key.map((k) => `'${k}'`).join(', ')}]);`);
  console.log(lines.join('\n'));
}
