import { inflateRawSync } from 'node:zlib';

/**
 * The visible text of a .docx body (`word/document.xml`): one line per paragraph, `<w:tab/>` as a tab,
 * `<w:br/>` and `<w:cr/>` as a line break. Field codes, deleted text and XML markup are left out.
 * Rejects when the buffer is not a zip archive holding `word/document.xml`.
 */
export async function docxText(buf: Buffer): Promise<string> {
  return xmlText(zipEntry(buf, 'word/document.xml').toString('utf8'));
}

/** The text of one paragraph-structured WordprocessingML part. */
export function xmlText(xml: string): string {
  const lines: string[] = [];
  let line = '';
  const token = /<(\/?)w:(p|t|tab|br|cr)\b([^>]*?)(\/?)>|<\/w:t>/g;
  let m: RegExpExecArray | null;
  while ((m = token.exec(xml))) {
    const [, closing, name, , selfClosing] = m;
    if (name === 't' && !closing && !selfClosing) {
      const end = xml.indexOf('</w:t>', token.lastIndex);
      if (end < 0) break;
      line += decodeEntities(xml.slice(token.lastIndex, end));
      token.lastIndex = end + '</w:t>'.length;
    } else if (name === 'tab' && !closing) line += '\t';
    else if ((name === 'br' || name === 'cr') && !closing) line += '\n';
    else if (name === 'p' && (closing || selfClosing)) {
      lines.push(line);
      line = '';
    }
  }
  if (line) lines.push(line);
  return lines.join('\n');
}

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_, e: string) =>
    e[0] === '#' ? String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : Number(e.slice(1)))
      : ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" } as Record<string, string>)[e]!);
}

interface CentralEntry { name: string; flags: number; method: number; compressed: number; size: number; local: number }

/** The entries of a zip archive's central directory. ZIP64 archives are rejected. */
function centralDirectory(zip: Buffer): CentralEntry[] {
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) { eocd = i; break; }
  }
  if (eocd < 0) throw new Error('not a zip archive: no end-of-central-directory record');
  const count = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  if (count === 0xffff || p === 0xffffffff) throw new Error('ZIP64 archives are not supported');
  const entries: CentralEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (p + 46 > zip.length || zip.readUInt32LE(p) !== 0x02014b50) throw new Error('corrupt zip central directory');
    const nameLen = zip.readUInt16LE(p + 28);
    entries.push({
      name: zip.toString('utf8', p + 46, p + 46 + nameLen), flags: zip.readUInt16LE(p + 8), method: zip.readUInt16LE(p + 10),
      compressed: zip.readUInt32LE(p + 20), size: zip.readUInt32LE(p + 24), local: zip.readUInt32LE(p + 42),
    });
    p += 46 + nameLen + zip.readUInt16LE(p + 30) + zip.readUInt16LE(p + 32);
  }
  return entries;
}

/** The names of the files in a zip archive, in directory order. */
export function zipNames(zip: Buffer): string[] {
  return centralDirectory(zip).map((e) => e.name);
}

/**
 * One file of a zip archive, located through the central directory. Handles stored and deflated
 * entries; ZIP64 archives and encrypted entries are rejected.
 */
export function zipEntry(zip: Buffer, name: string): Buffer {
  const e = centralDirectory(zip).find((x) => x.name === name);
  if (!e) throw new Error(`zip archive has no ${name}`);
  if (e.flags & 1) throw new Error(`zip entry ${name} is encrypted`);
  if (zip.readUInt32LE(e.local) !== 0x04034b50) throw new Error(`corrupt zip local header of ${name}`);
  const start = e.local + 30 + zip.readUInt16LE(e.local + 26) + zip.readUInt16LE(e.local + 28);
  const data = zip.subarray(start, start + e.compressed);
  const out = e.method === 0 ? Buffer.from(data) : e.method === 8 ? inflateRawSync(data) : null;
  if (!out) throw new Error(`zip entry ${name} uses unsupported compression method ${e.method}`);
  if (out.length !== e.size) throw new Error(`zip entry ${name} has ${out.length} bytes, expected ${e.size}`);
  return out;
}
