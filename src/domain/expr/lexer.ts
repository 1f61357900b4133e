/**
 * Tokenizer for the expression language. Whitespace and newlines separate tokens and are otherwise
 * ignored; `#` starts a comment that runs to the end of the line.
 */
import type { ParseError, Pos } from './ast.ts';

export type TokenKind = 'ident' | 'number' | 'string' | 'punct' | 'eof';

export interface Token {
  kind: TokenKind;
  /** The token as written (strings include their quotes; empty at end of input). */
  text: string;
  /** For strings, the content with escapes resolved; otherwise the same as `text`. */
  value: string;
  pos: Pos;
}

/** Where the parsed text starts in a larger document (1-based), e.g. a formula inside a YAML file. */
export interface BaseOffset {
  line: number;
  column: number;
}

/** A syntax error with its position; thrown inside the lexer and parser, returned to callers as a value. */
export class SyntaxFault extends Error {
  constructor(readonly error: ParseError) {
    super(error.message);
    this.name = 'SyntaxFault';
  }
}

export function fault(pos: Pos, message: string, messageZh: string): SyntaxFault {
  return new SyntaxFault({ message, messageZh, line: pos.line, column: pos.column });
}

const PUNCT2 = ['!=', '<=', '>='];
const PUNCT1 = '(),.+-*/=<>';
const ESCAPES: Record<string, string> = { '\\': '\\', "'": "'", '"': '"' };

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
const isIdentStart = (c: string | undefined) => c !== undefined && /[A-Za-z_]/.test(c);
const isIdentPart = (c: string | undefined) => c !== undefined && /[A-Za-z0-9_]/.test(c);

function describeChar(c: string): { en: string; zh: string } {
  const code = c.codePointAt(0)!;
  if (code >= 0xff01 && code <= 0xff5e) {
    const ascii = String.fromCharCode(code - 0xfee0);
    return { en: `'${c}' (full-width; write '${ascii}')`, zh: `“${c}”（全角字符，应写作“${ascii}”）` };
  }
  if (c === '!') return { en: "'!' (did you mean '!='?)", zh: '“!”（是否应为“!=”？）' };
  if (code < 0x20 || code === 0x7f) return { en: `control character U+${code.toString(16).toUpperCase().padStart(4, '0')}`, zh: `控制字符 U+${code.toString(16).toUpperCase().padStart(4, '0')}` };
  return { en: `'${c}'`, zh: `“${c}”` };
}

/**
 * Splits `src` into tokens ending with one `eof` token. Throws SyntaxFault for an unterminated
 * string, an unknown escape or a character that cannot start a token.
 */
export function lex(src: string, base: BaseOffset = { line: 1, column: 1 }): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const posAt = (offset: number): Pos => {
    const column = offset - lineStart + 1;
    return { line: base.line + line - 1, column: line === 1 ? base.column + column - 1 : column, offset };
  };
  while (i < src.length) {
    const c = src[i]!;
    if (c === '\n') {
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v' || c === '\u3000' || c === '\u00a0' || c === '\ufeff') {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    }
    const start = i;
    const pos = posAt(start);
    if (isIdentStart(c)) {
      while (isIdentPart(src[i])) i++;
      const text = src.slice(start, i);
      tokens.push({ kind: 'ident', text, value: text, pos });
      continue;
    }
    if (isDigit(c)) {
      while (isDigit(src[i])) i++;
      if (src[i] === '.' && isDigit(src[i + 1])) {
        i++;
        while (isDigit(src[i])) i++;
      }
      const text = src.slice(start, i);
      tokens.push({ kind: 'number', text, value: text, pos });
      continue;
    }
    if (c === "'" || c === '"') {
      let value = '';
      i++;
      for (;;) {
        const d = src[i];
        if (d === undefined || d === '\n')
          throw fault(pos, `unterminated string: expected closing ${c} before ${d === undefined ? 'end of input' : 'end of line'}`, `字符串未结束：${d === undefined ? '输入结束' : '行尾'}前缺少结束引号 ${c}`);
        if (d === c) {
          i++;
          break;
        }
        if (d === '\\') {
          const e = src[i + 1];
          const resolved = e === undefined ? undefined : ESCAPES[e];
          if (resolved === undefined) {
            const ep = posAt(i);
            throw fault(ep, `unknown escape '\\${e ?? ''}' in string (only \\\\, \\' and \\" are allowed)`, `字符串中的转义“\\${e ?? ''}”无效（仅允许 \\\\、\\' 和 \\"）`);
          }
          value += resolved;
          i += 2;
          continue;
        }
        value += d;
        i++;
      }
      tokens.push({ kind: 'string', text: src.slice(start, i), value, pos });
      continue;
    }
    const two = src.slice(i, i + 2);
    if (PUNCT2.includes(two)) {
      i += 2;
      tokens.push({ kind: 'punct', text: two, value: two, pos });
      continue;
    }
    if (PUNCT1.includes(c)) {
      i++;
      tokens.push({ kind: 'punct', text: c, value: c, pos });
      continue;
    }
    const ch = String.fromCodePoint(src.codePointAt(i)!);
    const d = describeChar(ch);
    throw fault(pos, `unexpected character ${d.en}`, `无法识别的字符${d.zh}`);
  }
  tokens.push({ kind: 'eof', text: '', value: '', pos: posAt(src.length) });
  return tokens;
}

/** Tokenizes without throwing: the tokens, or the first lexical error with its position. */
export function tokenize(src: string, base?: BaseOffset): { ok: true; tokens: Token[] } | { ok: false; error: ParseError } {
  try {
    return { ok: true, tokens: lex(src, base) };
  } catch (e) {
    if (e instanceof SyntaxFault) return { ok: false, error: e.error };
    throw e;
  }
}
