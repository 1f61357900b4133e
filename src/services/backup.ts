/**
 * Backup and restore of a whole deployment: every table of the database (accounts, sessions and
 * the audit log included), the evidence files of the data folder, and the deployment facts (demo
 * mark, key fingerprint). The file is gzip-compressed JSON lines, the same on SQLite and PostgreSQL,
 * read in one transaction (a consistent snapshot while the server keeps running) and restored only
 * into an empty database of the same or a later schema. The resident-ID key is never in it: it is
 * backed up apart from the data, and a restore refuses a key chain that does not begin with (or
 * equal) the backed-up one; hashes of an earlier part of the chain are re-keyed as they are restored.
 */
import { createHash } from 'node:crypto';
import { chmodSync, createReadStream, createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip, createGzip } from 'node:zlib';
import { appliedMigrations, columnsOf, insertRows, resetSequences, tableRows, tablesInOrder } from '../store/backup-repo.ts';
import type { Store } from '../store/db.ts';
import { appTables, clearMeta, isEmptyDatabase, setMeta } from '../store/deployment-repo.ts';
import { conflict, invalid } from './errors.ts';
import { chainFingerprints, piiKeys, rehashStored } from './pii.ts';

const FORMAT = 'xiezuo-backup';
const VERSION = 1;

export interface BackupSummary {
  tables: Record<string, number>;
  files: number;
  bytes: number;
}

/** Values as JSON: binary as `{ $b64 }`, everything else as the driver gave it. */
const encode = (v: unknown): unknown => (Buffer.isBuffer(v) ? { $b64: v.toString('base64') } : v);
const decode = (v: unknown): unknown => (v && typeof v === 'object' && '$b64' in v ? Buffer.from(String((v as { $b64: string }).$b64), 'base64') : v);

/** Every file under a folder, as paths relative to `base`, sorted. */
function filesUnder(base: string, dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(base, p));
    else if (e.isFile()) out.push(relative(base, p).split(sep).join('/'));
  }
  return out.sort();
}

/** The folders of the data folder that a backup carries. */
const DATA_FOLDERS = ['evidence'];

/**
 * Writes a backup of the whole deployment to `out` (readable by its owner only). The tables are
 * read inside one transaction, so the backup is one consistent moment even while others write.
 */
export async function backup(store: Store, dataDir: string, out: string): Promise<BackupSummary> {
  mkdirSync(dirname(resolve(out)), { recursive: true, mode: 0o700 });
  // The mode given to the stream applies to a new file only; one being replaced is closed to others first.
  if (existsSync(out)) chmodSync(out, 0o600);
  const gz = createGzip();
  const file = createWriteStream(out, { mode: 0o600 });
  const piped = new Promise<void>((done, fail) => { file.on('finish', done); file.on('error', fail); gz.on('error', fail); });
  gz.pipe(file);
  const write = (obj: unknown) => new Promise<void>((done) => { if (gz.write(`${JSON.stringify(obj)}\n`)) done(); else gz.once('drain', done); });
  const summary: BackupSummary = { tables: {}, files: 0, bytes: 0 };
  try {
    let tx = store.db.transaction();
    if (store.engine === 'postgres') tx = tx.setIsolationLevel('repeatable read');
    await tx.execute(async (db) => {
      const tables = await tablesInOrder(db, store.engine);
      await write({ format: FORMAT, version: VERSION, engine: store.engine, createdAt: new Date().toISOString(), migrations: await appliedMigrations(db), tables });
      for (const t of tables) {
        const columns = await columnsOf(db, t);
        await write({ table: t, columns });
        let n = 0;
        for await (const page of tableRows(db, t, columns)) {
          await write({ rows: page.map((r) => columns.map((c) => encode(r[c]))) });
          n += page.length;
        }
        summary.tables[t] = n;
      }
    });
    for (const folder of DATA_FOLDERS) {
      for (const rel of filesUnder(dataDir, join(dataDir, folder))) {
        const data = readFileSync(join(dataDir, rel));
        await write({ file: rel, size: data.length, sha256: createHash('sha256').update(data).digest('hex'), data: data.toString('base64') });
        summary.files++;
        summary.bytes += data.length;
      }
    }
    await write({ end: true, tables: summary.tables, files: summary.files });
  } finally {
    gz.end();
    await piped;
  }
  return summary;
}

/**
 * Restores a backup into an empty database (of the same or a later schema; migrated first by the
 * caller) and an empty data folder: every table, row for row with the same ids, then every file,
 * each checked against its recorded hash. All tables are written in one transaction: a damaged or
 * truncated backup leaves the database as empty as it was. Refused (Conflict) when the database or
 * the data folder is not empty, or when the resident-ID key chain is not the backed-up deployment's
 * (or a later rotation of it, whose newer keys then re-key the restored hashes in the same transaction).
 */
export async function restore(store: Store, dataDir: string, file: string): Promise<BackupSummary> {
  if (!existsSync(file)) throw invalid(`找不到备份文件：${file}`, `no such backup file: ${file}`);
  if (!(await isEmptyDatabase(store.db))) throw conflict('只能恢复到空数据库中；该数据库已有数据', 'a backup is restored only into an empty database; this one holds data');
  for (const folder of DATA_FOLDERS)
    if (filesUnder(dataDir, join(dataDir, folder)).length) throw conflict(`数据文件夹中已有文件（${join(dataDir, folder)}）`, `the data folder already holds files (${join(dataDir, folder)})`);
  const summary: BackupSummary = { tables: {}, files: 0, bytes: 0 };
  const files: Array<{ rel: string; data: Buffer }> = [];
  let header: { format: string; version: number; migrations?: string[] } | undefined;
  let ended: { tables: Record<string, number>; files: number } | undefined;
  /** How many keys of the chain at hand the backup's hashes were made with (0: it recorded no key). */
  let hashedWith = 0;
  const bad = (why: string) => invalid(`备份文件无法读取：${why}`, `the backup cannot be read: ${why}`);
  try {
    await store.db.transaction().execute(async (db) => {
      const known = new Set(await appTables(db));
      const applied = new Set(await appliedMigrations(db));
      let table: { name: string; columns: string[] } | undefined;
      let lineNo = 0;
      // Opened here, right before it is read: lines read out before the loop begins would be lost.
      const lines = createInterface({ input: createReadStream(file).pipe(createGunzip()), crlfDelay: Infinity });
      for await (const line of lines) {
        lineNo++;
        if (!line.trim()) continue;
        let obj: Record<string, unknown>;
        try { obj = JSON.parse(line) as Record<string, unknown>; } catch { throw bad(`第${lineNo}行 / line ${lineNo}`); }
        if (!header) {
          if (obj.format !== FORMAT || obj.version !== VERSION) throw bad('不是 xiezuo 备份文件 / not a xiezuo backup');
          header = obj as { format: string; version: number; migrations?: string[] };
          const missing = (header.migrations ?? []).filter((m) => !applied.has(m));
          if (missing.length) throw conflict(`备份来自更新的版本（${missing.join(', ')}），请先升级`, `the backup comes from a newer version (${missing.join(', ')}); upgrade first`);
          // This empty database's only facts (the fingerprint of the key at hand) give way to the backup's,
          // whose key fingerprint is checked against the key at hand when its row arrives.
          await clearMeta(db);
          continue;
        }
        if (typeof obj.table === 'string') {
          if (!known.has(obj.table)) throw bad(`未知的表 ${obj.table} / unknown table ${obj.table}`);
          const cols = await columnsOf(db, obj.table);
          const columns = obj.columns as string[];
          const unknownCols = columns.filter((c) => !cols.includes(c));
          if (unknownCols.length) throw bad(`表 ${obj.table} 没有列 ${unknownCols.join(', ')} / table ${obj.table} has no column ${unknownCols.join(', ')}`);
          table = { name: obj.table, columns };
          summary.tables[obj.table] = 0;
        } else if (Array.isArray(obj.rows)) {
          if (!table) throw bad(`第${lineNo}行的数据不属于任何表 / rows outside a table at line ${lineNo}`);
          const rows = (obj.rows as unknown[][]).map((r) => r.map(decode));
          if (table.name === 'deployment_meta') {
            const k = table.columns.indexOf('key');
            const v = table.columns.indexOf('value');
            const fp = rows.find((r) => r[k] === 'id_key_fingerprint')?.[v];
            // A backup from before a key rotation holds hashes of an earlier part of the chain at hand.
            const at = fp ? chainFingerprints(piiKeys()).indexOf(String(fp)) : -1;
            if (fp) hashedWith = at + 1;
            if (fp && at < 0)
              throw conflict('当前的身份证号密钥不是备份所属系统的密钥：请用 XIEZUO_SECRET 或 XIEZUO_ID_KEY_FILE 指定原密钥后再恢复',
                'the resident-ID key at hand is not the backed-up deployment\'s: name the original key with XIEZUO_SECRET or XIEZUO_ID_KEY_FILE, then restore');
          }
          await insertRows(db, table.name, table.columns, rows);
          summary.tables[table.name]! += rows.length;
        } else if (typeof obj.file === 'string') {
          const rel = obj.file;
          const target = resolve(dataDir, rel);
          if (!DATA_FOLDERS.some((f) => target.startsWith(resolve(dataDir, f) + sep))) throw bad(`文件路径越界 ${rel} / file path outside the data folder: ${rel}`);
          const data = Buffer.from(String(obj.data), 'base64');
          if (createHash('sha256').update(data).digest('hex') !== obj.sha256) throw bad(`文件 ${rel} 已损坏 / file ${rel} is damaged`);
          files.push({ rel, data });
        } else if (obj.end === true) {
          ended = obj as unknown as typeof ended;
        }
      }
      if (!header) throw bad('文件为空 / empty file');
      if (!ended) throw bad('文件不完整（缺少结尾）/ truncated (no end marker)');
      for (const [t, n] of Object.entries(ended.tables)) if ((summary.tables[t] ?? 0) !== n) throw bad(`表 ${t} 应有 ${n} 行 / table ${t} should have ${n} rows`);
      if (files.length !== ended.files) throw bad(`应有 ${ended.files} 个文件 / ${ended.files} files expected`);
      const keys = piiKeys();
      if (hashedWith && hashedWith < keys.length) {
        await rehashStored(db, keys, hashedWith);
        await setMeta(db, 'id_key_fingerprint', chainFingerprints(keys).at(-1)!);
      }
      await resetSequences(db, store.engine, Object.keys(summary.tables));
    });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'Z_DATA_ERROR' || (e as NodeJS.ErrnoException).code === 'Z_BUF_ERROR') throw bad('不是 gzip 文件 / not gzip data');
    throw e;
  }
  for (const f of files) {
    const target = resolve(dataDir, f.rel);
    mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
    writeFileSync(target, f.data, { mode: 0o600, flag: 'wx' });
    summary.files++;
    summary.bytes += f.data.length;
  }
  return summary;
}

/** Size of a backup file, for messages. */
export const fileSize = (path: string): number => statSync(path).size;
