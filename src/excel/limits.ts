/**
 * The limits an import works within, so that no file — however large, deep or hostile — can take
 * the server's memory or time: every limit reached is a located problem with a clear message, and
 * nothing of the import is written.
 */
export interface ImportLimits {
  /** Characters in one cell (Excel's own limit; a longer cell cannot have come from Excel). */
  cellChars: number;
  /** Data rows in one import, over all its files. */
  rows: number;
  /** Wall-clock seconds an import may take, reading and writing together. */
  seconds: number;
}

export const DEFAULT_LIMITS: ImportLimits = { cellChars: 32_767, rows: 2_000_000, seconds: 900 };

/** Characters of a cell's value a problem report repeats; the rest is cut, with the length said. */
export const ECHO_CHARS = 200;

/** A value cut to what a problem report may repeat: never the whole of an oversized cell. */
export function echo(value: string, max = ECHO_CHARS): string {
  if (value.length <= max) return value;
  return `${value.slice(0, max)}…（共${value.length}个字符 / ${value.length} characters）`;
}

/** The problem with the texts (value, reasons) cut to bounded lengths; an error body never echoes unbounded input. */
export function bounded<T extends { value: string; zh: string; en: string }>(p: T): T {
  if (p.value.length <= ECHO_CHARS && p.zh.length <= 2 * ECHO_CHARS && p.en.length <= 2 * ECHO_CHARS) return p;
  return { ...p, value: echo(p.value), zh: echo(p.zh, 2 * ECHO_CHARS), en: echo(p.en, 2 * ECHO_CHARS) };
}
