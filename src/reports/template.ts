/**
 * The report template language, parsed without I/O. A template is a list of blocks (headings,
 * paragraphs, record lists, tables, narrative and target sections); its sentences are text with
 * placeholders in braces and optional groups in brackets:
 *
 *   "全年召开研究部署会议{meetings.total}[，其中{meetings.by_type:parts}]。"
 *
 * A sentence appears only when every placeholder outside brackets has a value; a bracketed group
 * appears only when every placeholder inside it has one. So no sentence ever prints a figure the data
 * lacks. Placeholders: an indicator id (its figure), `id:parts` (its breakdown), `r.field` (a field of
 * the record a list is walking; `r.field|单位` for counts, `r.start~end` for date spans, `r.produced` for the outputs recorded for it), and context
 * names (`unit`, `partner`, `year`, `year-1`, …) that the report supplies.
 */
export type Node = { kind: 'text'; text: string } | { kind: 'ph'; name: string } | { kind: 'group'; nodes: Node[] };

export class TemplateError extends Error {
  constructor(readonly where: string, message: string) {
    super(`${where}: ${message}`);
    this.name = 'TemplateError';
  }
}

/** Parses one sentence; throws TemplateError on unbalanced braces or brackets. */
export function parseSentence(src: string, where = 'template'): Node[] {
  const stack: Node[][] = [[]];
  let i = 0;
  let text = '';
  const flush = () => { if (text) { stack[stack.length - 1]!.push({ kind: 'text', text }); text = ''; } };
  while (i < src.length) {
    const c = src[i]!;
    if (c === '{') {
      const j = src.indexOf('}', i);
      if (j < 0) throw new TemplateError(where, `unclosed '{' at ${i + 1} in "${src}"`);
      flush();
      stack[stack.length - 1]!.push({ kind: 'ph', name: src.slice(i + 1, j).trim() });
      i = j + 1;
      continue;
    }
    if (c === '[') { flush(); stack.push([]); i++; continue; }
    if (c === ']') {
      if (stack.length === 1) throw new TemplateError(where, `']' without '[' at ${i + 1} in "${src}"`);
      flush();
      const nodes = stack.pop()!;
      stack[stack.length - 1]!.push({ kind: 'group', nodes });
      i++;
      continue;
    }
    text += c;
    i++;
  }
  if (stack.length !== 1) throw new TemplateError(where, `unclosed '[' in "${src}"`);
  flush();
  return stack[0]!;
}

/** Names of every placeholder in a sentence, groups included. */
export function placeholders(nodes: Node[]): string[] {
  return nodes.flatMap((n) => (n.kind === 'ph' ? [n.name] : n.kind === 'group' ? placeholders(n.nodes) : []));
}

/** A resolved piece of a sentence: text, or a figure with its provenance reference. */
export type Piece = ({ kind: 'text'; text: string } | { kind: 'figure'; text: string; ref: string }) & { /** Came from a placeholder. */ ph?: boolean };

/**
 * Renders a parsed sentence. `resolve` returns the pieces of a placeholder or null when it has no
 * value; the sentence (or group) then disappears as a whole.
 */
export async function render(nodes: Node[], resolve: (name: string) => Promise<Piece[] | null>): Promise<Piece[] | null> {
  const out: Piece[] = [];
  for (const n of nodes) {
    if (n.kind === 'text') out.push({ kind: 'text', text: n.text });
    else if (n.kind === 'ph') {
      const r = await resolve(n.name);
      if (r === null) return null;
      out.push(...r);
    } else {
      const r = await render(n.nodes, resolve);
      if (r) out.push(...r);
    }
  }
  return out;
}

/** The block kinds a template may hold; see config/<year>/report.yaml. */
export interface TemplateBlock {
  h1?: string; h2?: string; h3?: string;
  p?: string | string[];
  each?: string; list?: string;
  where?: Record<string, unknown>;
  item?: string; sep?: string; last?: string;
  table?: { indicator?: string; ledger?: string; where?: Record<string, unknown>; caption: string; columns: Array<string | { head: string; cell: string; align?: 'left' | 'right' | 'center' }>; total?: boolean };
  narrative?: 'highlights' | 'problem' | 'plan';
  targets?: 'table' | 'missed' | 'unknown';
  checks?: 'warning';
  /** The unit's own figures (elements it defined itself) of this section; `other` takes those of sections no block names. */
  extras?: string;
  /** Only for units of these levels (default: every level). */
  level?: UnitLevel | UnitLevel[];
  /** Wording of the target and check blocks: heading, intro sentence, per-status words (see report.yaml). */
  heading?: string;
  intro?: string;
  caption?: string;
  columns?: string[];
  status?: Partial<Record<'met' | 'missed' | 'no_data' | 'no_target' | 'to_date', string>>;
  claims?: Partial<Record<'exceeded' | 'met', string>>;
}

export type UnitLevel = 'county' | 'prefecture' | 'province';
export const UNIT_LEVELS: readonly UnitLevel[] = ['county', 'prefecture', 'province'];

/** Fixed words the report uses around figures: a self-assessed claim, the total row, the table prefix. */
export interface TemplateWords { claim?: Partial<Record<'exceeded' | 'met', string>>; total?: string; table?: string; /** The notice opening a report built from a generated dataset ({seed}, {counties}). */ synthetic?: string }

export interface ReportTemplate {
  title: string;
  subtitle?: string;
  words?: TemplateWords;
  /** The sections a unit's own figures can be placed in (key → name), each printed by an `extras:` block. */
  sections?: Record<string, string>;
  blocks: TemplateBlock[];
}

/** Whether a block applies to a unit of this level. */
export function forLevel(b: TemplateBlock, level: UnitLevel): boolean {
  return b.level === undefined || (Array.isArray(b.level) ? b.level.includes(level) : b.level === level);
}

const CN_NUM = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十', '十一', '十二', '十三', '十四', '十五', '十六', '十七', '十八', '十九', '二十'];

/** Heading numbers as official documents write them: 一、 （一） 1、, restarting under each parent. */
export function headingNumber(level: 1 | 2 | 3, n: number): string {
  if (level === 1) return `${CN_NUM[n - 1] ?? n}、`;
  if (level === 2) return `（${CN_NUM[n - 1] ?? n}）`;
  return `${n}、`;
}

/** Checks a template's shape and every sentence's syntax, naming the block of each problem. */
export function checkTemplate(t: unknown, where: string): ReportTemplate {
  if (!t || typeof t !== 'object' || !Array.isArray((t as ReportTemplate).blocks) || typeof (t as ReportTemplate).title !== 'string')
    throw new TemplateError(where, 'a report template needs a title and a list of blocks');
  const tpl = t as ReportTemplate;
  tpl.blocks.forEach((b, i) => {
    const w = `${where} blocks[${i}]`;
    if (!b || typeof b !== 'object') throw new TemplateError(w, 'a block must be a mapping');
    for (const s of blockSentences(b)) {
      if (typeof s !== 'string') throw new TemplateError(w, `a sentence must be text, not ${JSON.stringify(s)}`);
      parseSentence(s, w);
    }
    const kinds = ['h1', 'h2', 'h3', 'p', 'each', 'list', 'table', 'narrative', 'targets', 'checks', 'extras'].filter((k) => k in b);
    if (b.extras !== undefined && b.extras !== 'other' && !Object.hasOwn(tpl.sections ?? {}, b.extras))
      throw new TemplateError(w, `extras '${String(b.extras)}' is not a section the template lists under sections (or other)`);
    if (!kinds.length) throw new TemplateError(w, 'block has no known kind');
    const levels = b.level === undefined ? [] : Array.isArray(b.level) ? b.level : [b.level];
    for (const l of levels) if (!UNIT_LEVELS.includes(l)) throw new TemplateError(w, `level '${String(l)}' is not one of ${UNIT_LEVELS.join(', ')}`);
    if (b.narrative !== undefined && !['highlights', 'problem', 'plan'].includes(b.narrative)) throw new TemplateError(w, `narrative '${String(b.narrative)}' is not one of highlights, problem, plan`);
    if (b.targets !== undefined && !['table', 'missed', 'unknown'].includes(b.targets)) throw new TemplateError(w, `targets '${String(b.targets)}' is not one of table, missed, unknown`);
  });
  return tpl;
}

/** Every sentence of a block (headings, paragraphs, items, captions, cells, target and check wording). */
export function blockSentences(b: TemplateBlock): unknown[] {
  return [b.h1, b.h2, b.h3, ...(Array.isArray(b.p) ? b.p : b.p !== undefined ? [b.p] : []), b.item, b.heading, b.intro, b.caption, b.table?.caption,
    ...(b.table?.columns ?? []).map((c) => (typeof c === 'string' ? undefined : c.cell))].filter((s) => s !== undefined);
}
