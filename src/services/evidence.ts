import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';
import { appendAudit } from '../store/audit-repo.ts';
import type { Store } from '../store/db.ts';
import { deleteEvidenceRow, evidenceBytes, evidenceOf, findEvidence, insertEvidence, lockCountyEvidence } from '../store/evidence-repo.ts';
import { accountsDb } from '../store/schema-accounts.ts';
import { ledgerDecl } from '../domain/ledgers/declarations.ts';
import { catalogueFor } from './catalogue.ts';
import { conflict, invalid, notFound } from './errors.ts';
import { getRecord } from './ledgers.ts';
import { type Actor, assertRead, assertVisible, assertWrite } from './scope.ts';
import { assertEditable } from './workflow.ts';

/** Largest accepted evidence file. */
export const MAX_EVIDENCE_BYTES = 20 * 1024 * 1024;

type Magic = 'pdf' | 'png' | 'jpeg' | 'zip' | 'ole';

/** Accepted file types: extension → MIME type and the signature the content must start with. */
const TYPES: Record<string, { mime: string; magic: Magic }> = {
  '.pdf': { mime: 'application/pdf', magic: 'pdf' },
  '.png': { mime: 'image/png', magic: 'png' },
  '.jpg': { mime: 'image/jpeg', magic: 'jpeg' },
  '.jpeg': { mime: 'image/jpeg', magic: 'jpeg' },
  '.docx': { mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', magic: 'zip' },
  '.xlsx': { mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', magic: 'zip' },
  '.pptx': { mime: 'application/vnd.openxmlformats-officedocument.presentationml.presentation', magic: 'zip' },
  '.doc': { mime: 'application/msword', magic: 'ole' },
  '.xls': { mime: 'application/vnd.ms-excel', magic: 'ole' },
  '.ppt': { mime: 'application/vnd.ms-powerpoint', magic: 'ole' },
};
export const ACCEPTED_EXTENSIONS = Object.keys(TYPES);

const SIGNATURES: Record<Magic, number[]> = {
  pdf: [0x25, 0x50, 0x44, 0x46],
  png: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
  jpeg: [0xff, 0xd8, 0xff],
  zip: [0x50, 0x4b, 0x03, 0x04],
  ole: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1],
};

/** The MIME type of an upload judged by its name and content; Invalid when they disagree or are not accepted. */
export function sniffType(filename: string, data: Buffer): string {
  const t = TYPES[extname(filename).toLowerCase()];
  if (!t) throw invalid(`不支持的文件类型，仅接受：${ACCEPTED_EXTENSIONS.join(' ')}`, `file type not accepted; use ${ACCEPTED_EXTENSIONS.join(' ')}`);
  const sig = SIGNATURES[t.magic];
  if (data.length < sig.length || sig.some((b, i) => data[i] !== b))
    throw invalid('文件内容与扩展名不符', 'the file content does not match its extension');
  return t.mime;
}

export interface EvidenceTarget {
  county: string;
  year: number;
  ledger?: string | null;
  recordId?: number | null;
  indicator?: string | null;
}

export interface EvidenceView {
  id: number;
  county: string;
  year: number;
  ledger: string | null;
  recordId: number | null;
  indicator: string | null;
  filename: string;
  mime: string;
  size: number;
  sha256: string;
  uploadedBy: string;
  uploadedAt: string;
}

type Row = {
  id: number; county_code: string; year: number; ledger: string | null; record_id: number | null; indicator: string | null;
  filename: string; mime: string; size: number; sha256: string; stored_name: string; uploaded_by: string; uploaded_at: string;
};

const view = (r: Row): EvidenceView => ({
  id: Number(r.id), county: r.county_code, year: Number(r.year), ledger: r.ledger, recordId: r.record_id === null ? null : Number(r.record_id),
  indicator: r.indicator, filename: r.filename, mime: r.mime, size: Number(r.size), sha256: r.sha256, uploadedBy: r.uploaded_by, uploadedAt: r.uploaded_at,
});

/** Evidence bytes one county may keep: XIEZUO_EVIDENCE_QUOTA_MB (default 2048 MB). */
export function evidenceQuotaBytes(env: NodeJS.ProcessEnv = process.env): number {
  const mb = Number(env.XIEZUO_EVIDENCE_QUOTA_MB);
  return (Number.isFinite(mb) && mb > 0 ? mb : 2048) * 1024 * 1024;
}

/** Checks the target exists and the actor may attach to it; record evidence follows its ledger's lock. */
async function checkTarget(store: Store, actor: Actor, t: EvidenceTarget): Promise<void> {
  await assertRead(store, actor, t.county);
  if (t.ledger && t.recordId) {
    const rec = await getRecord(store, actor, t.ledger, t.recordId);
    if (rec.county_code !== t.county || rec.year !== t.year) throw invalid('记录不属于该县年度', 'the record belongs to another county-year');
    assertWrite(actor, t.county, t.ledger);
    await assertEditable(store, t.county, t.year, t.ledger);
  } else if (t.indicator) {
    if (!catalogueFor(t.year).byId.has(t.indicator)) throw notFound(`未知指标 ${t.indicator}`, `unknown indicator ${t.indicator}`);
    assertWrite(actor, t.county);
    // A ledger named beside an indicator tags the file with that ledger: the same rules as a record of it.
    if (t.ledger) {
      if (!ledgerDecl(t.ledger)) throw notFound(`没有名为 ${t.ledger} 的台账`, `no ledger named ${t.ledger}`);
      assertWrite(actor, t.county, t.ledger);
      await assertEditable(store, t.county, t.year, t.ledger);
    }
  } else {
    throw invalid('佐证材料须关联一条记录或一个指标', 'evidence must belong to a record or an indicator');
  }
}

const safeName = (name: string) => name.replace(/[\\/\0\r\n"]/g, '_').slice(-200) || 'file';

/**
 * Stores an uploaded file under `<dataDir>/evidence/<county>/<year>/` and records it. Refuses
 * (Invalid) empty, oversized and unaccepted files before anything is written.
 */
export async function addEvidence(
  store: Store, actor: Actor, dataDir: string, target: EvidenceTarget, file: { filename: string; data: Buffer },
): Promise<EvidenceView> {
  if (file.data.length === 0) throw invalid('文件为空', 'the file is empty');
  if (file.data.length > MAX_EVIDENCE_BYTES) throw invalid(`文件不能超过${MAX_EVIDENCE_BYTES / 1024 / 1024}MB`, `files may be at most ${MAX_EVIDENCE_BYTES / 1024 / 1024} MB`);
  const mime = sniffType(file.filename, file.data);
  await checkTarget(store, actor, target);
  const quota = evidenceQuotaBytes();
  const dir = join(target.county, String(target.year));
  const stored = join(dir, `${randomBytes(12).toString('hex')}${extname(file.filename).toLowerCase()}`);
  const path = join(dataDir, 'evidence', stored);
  const at = new Date().toISOString();
  const sha256 = createHash('sha256').update(file.data).digest('hex');
  let written = false;
  try {
    // Quota check, file and record in one transaction with the county locked: parallel uploads
    // cannot together pass the quota, and a refused or failed upload leaves no file behind.
    const id = await store.db.transaction().execute(async (tx) => {
      const etx = accountsDb({ ...store, db: tx });
      await lockCountyEvidence(etx, target.county);
      if ((await evidenceBytes(etx, target.county)) + file.data.length > quota)
        throw conflict(`本县佐证材料已达上限（${Math.round(quota / 1024 / 1024)}MB），请删除不需要的文件或联系管理员`, `the county's evidence quota (${Math.round(quota / 1024 / 1024)} MB) is used up; delete files or ask an administrator`);
      // Evidence may show people's names and numbers: readable by the deployment's owner only, like the database.
      mkdirSync(join(dataDir, 'evidence', dir), { recursive: true, mode: 0o700 });
      writeFileSync(path, file.data, { flag: 'wx', mode: 0o600 });
      written = true;
      const evidenceId = await insertEvidence(etx, {
        county_code: target.county, year: target.year, ledger: target.ledger ?? null, record_id: target.recordId ?? null,
        indicator: target.indicator ?? null, filename: safeName(file.filename), mime, size: file.data.length, sha256,
        stored_name: stored, uploaded_by: actor.id, uploaded_at: at,
      });
      await appendAudit(tx, {
        at, actor: actor.id, action: 'evidence.add', entity: 'evidence', entity_id: String(evidenceId), county_code: target.county, year: target.year,
        before_json: null, after_json: JSON.stringify({ filename: file.filename, ledger: target.ledger ?? null, recordId: target.recordId ?? null, indicator: target.indicator ?? null, size: file.data.length, sha256 }),
      });
      return evidenceId;
    });
    return (await getEvidence(store, actor, id)).view;
  } catch (e) {
    if (written) rmSync(path, { force: true });
    throw e;
  }
}

/** Evidence of a county-year, optionally of one record or indicator. Forbidden outside scope. */
export async function listEvidence(
  store: Store, actor: Actor, county: string, year: number, f: { ledger?: string; recordId?: number; indicator?: string } = {},
): Promise<EvidenceView[]> {
  await assertRead(store, actor, county);
  return (await evidenceOf(accountsDb(store), county, year, f)).map(view);
}

/** One evidence file's record and where its bytes are; NotFound when absent, Forbidden outside scope. */
export async function getEvidence(store: Store, actor: Actor, id: number, dataDir?: string): Promise<{ view: EvidenceView; path: string }> {
  const r = await findEvidence(accountsDb(store), id);
  await assertVisible(store, actor, r?.county_code, () => notFound('佐证材料不存在', 'evidence not found'));
  if (!r) throw notFound('佐证材料不存在', 'evidence not found');
  const root = resolve(dataDir ?? '.', 'evidence');
  const path = resolve(root, r.stored_name);
  if (!path.startsWith(root + sep)) throw notFound('佐证材料不存在', 'evidence not found');
  return { view: view(r), path };
}

/** Deletes an evidence file and its record; follows the same write rules as adding one. Audited. */
export async function deleteEvidence(store: Store, actor: Actor, dataDir: string, id: number): Promise<void> {
  const { view: v, path } = await getEvidence(store, actor, id, dataDir);
  if (v.ledger) {
    assertWrite(actor, v.county, v.ledger);
    await assertEditable(store, v.county, v.year, v.ledger);
  } else assertWrite(actor, v.county);
  await deleteEvidenceRow(accountsDb(store), id);
  await appendAudit(store.db, {
    at: new Date().toISOString(), actor: actor.id, action: 'evidence.delete', entity: 'evidence', entity_id: String(id),
    county_code: v.county, year: v.year, before_json: JSON.stringify(v), after_json: null,
  });
  rmSync(path, { force: true });
}
