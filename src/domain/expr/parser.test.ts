import { describe, expect, it } from 'vitest';
import type { Cond, Expr, Literal, YearRef } from './ast.ts';
import { parse } from './index.ts';

/** A fully parenthesised rendering of a tree, to assert structure without positions. */
function show(e: Expr): string {
  const yr = (y: YearRef) => (y.kind === 'absolute' ? `${y.year}` : y.offset === 0 ? 'year' : `year${y.offset > 0 ? '+' : ''}${y.offset}`);
  switch (e.kind) {
    case 'number': return e.value.toString();
    case 'year': return 'year';
    case 'neg': return `(-${show(e.arg)})`;
    case 'binary': return `(${show(e.left)} ${e.op} ${show(e.right)})`;
    case 'count': return `count(${e.ledger}${e.where ? ` where ${showCond(e.where)}` : ''})${e.by ? ` by ${e.by}` : ''}`;
    case 'sum': return `sum(${e.ledger}.${e.field}${e.where ? ` where ${showCond(e.where)}` : ''})${e.by ? ` by ${e.by}` : ''}`;
    case 'value': return `value(${e.element}, ${yr(e.year)}${e.dim !== undefined ? `, dim=${JSON.stringify(e.dim)}` : ''})`;
    case 'values': return `values(${e.element}, ${yr(e.year)})${e.byDim ? ' by dim' : ''}`;
    case 'ref': return `ref(${e.id}, ${yr(e.year)})`;
    case 'fn': return `${e.name}(${e.args.map(show).join(', ')})`;
  }
}

function showLit(l: Literal): string {
  return l.kind === 'string' ? JSON.stringify(l.value) : l.kind === 'number' ? l.value.toString() : String(l.value);
}

function showCond(c: Cond): string {
  switch (c.kind) {
    case 'and':
    case 'or': return `[${c.args.map(showCond).join(` ${c.kind} `)}]`;
    case 'not': return `not ${showCond(c.arg)}`;
    case 'cmp': return `${c.field} ${c.op} ${showLit(c.value)}`;
    case 'in': return `${c.field} ${c.negated ? 'not in' : 'in'} (${c.values.map(showLit).join(', ')})`;
    case 'null': return `${c.field} is ${c.negated ? 'not ' : ''}null`;
  }
}

function ok(src: string): Expr {
  const r = parse(src);
  if (!r.ok) throw new Error(`${r.error.line}:${r.error.column} ${r.error.message}`);
  return r.ast;
}

const p = (src: string) => show(ok(src));

function err(src: string, base?: { line?: number; column?: number }) {
  const r = parse(src, base);
  if (r.ok) throw new Error(`expected a syntax error for ${src}`);
  return r.error;
}

describe('arithmetic', () => {
  it('gives * and / precedence over + and -, left-associative', () => {
    expect(p('1 + 2 * 3')).toBe('(1 + (2 * 3))');
    expect(p('1 * 2 + 3')).toBe('((1 * 2) + 3)');
    expect(p('1 - 2 - 3')).toBe('((1 - 2) - 3)');
    expect(p('8 / 4 / 2')).toBe('((8 / 4) / 2)');
    expect(p('1 - 2 * 3 / 4 + 5')).toBe('((1 - ((2 * 3) / 4)) + 5)');
    expect(p('(1 + 2) * 3')).toBe('((1 + 2) * 3)');
    expect(p('((((7))))')).toBe('7');
  });

  it('binds unary minus tighter than binary operators', () => {
    expect(p('-1 + 2')).toBe('((-1) + 2)');
    expect(p('2 * -3')).toBe('(2 * (-3))');
    expect(p('--4')).toBe('(-(-4))');
    expect(p('1 - -1')).toBe('(1 - (-1))');
    expect(p('-(1 + 2)')).toBe('(-(1 + 2))');
  });

  it('reads decimals exactly and year as the evaluation year', () => {
    const e = ok('0.1');
    expect(e.kind === 'number' && e.value.toString()).toBe('0.1');
    expect(p('year - 2000')).toBe('(year - 2000)');
  });

  it('ignores whitespace, newlines and comments', () => {
    const src = `# disbursement rate
      ref(funds.disbursed)   # numerator
      /
      ref(funds.allocated) # denominator
      * 100 # as percent`;
    expect(p(src)).toBe('((ref(funds.disbursed, year) / ref(funds.allocated, year)) * 100)');
    expect(p('1+2#no space needed')).toBe('(1 + 2)');
    expect(p('\t1\r\n+\u30002')).toBe('(1 + 2)');
  });
});

describe('calls', () => {
  it('count with where and by', () => {
    expect(p('count(meeting)')).toBe('count(meeting)');
    expect(p('count(meeting) by type')).toBe('count(meeting) by type');
    expect(p("count(visit where direction in ('east_to_west', 'west_to_east'))")).toBe('count(visit where direction in ("east_to_west", "west_to_east"))');
  });

  it('sum over ledger.field', () => {
    expect(p('sum(consumption_sale.amount) by channel')).toBe('sum(consumption_sale.amount) by channel');
    expect(p("sum(fund_allocation.amount where category = 'disability')")).toBe('sum(fund_allocation.amount where category = "disability")');
    const e = ok('sum(insurance.premium)');
    expect(e).toMatchObject({ kind: 'sum', ledger: 'insurance', field: 'premium', ledgerPos: { line: 1, column: 5 }, fieldPos: { line: 1, column: 15 } });
  });

  it('value with year offsets, absolute years and dims', () => {
    expect(p('value(edu.undergrad_line_rate)')).toBe('value(edu.undergrad_line_rate, year)');
    expect(p('value(edu.undergrad_line_rate, year - 1)')).toBe('value(edu.undergrad_line_rate, year-1)');
    expect(p('value(x, year + 1)')).toBe('value(x, year+1)');
    expect(p('value(x, year)')).toBe('value(x, year)');
    expect(p('value(x, 2020)')).toBe('value(x, 2020)');
    expect(p("value(labour.placed, dim = 'partner_region')")).toBe('value(labour.placed, year, dim="partner_region")');
    expect(p('value(labour.placed, year - 2, dim = "省内")')).toBe('value(labour.placed, year-2, dim="省内")');
  });

  it('values summed or by dim', () => {
    expect(p('values(meeting.count)')).toBe('values(meeting.count, year)');
    expect(p('values(meeting.count) by dim')).toBe('values(meeting.count, year) by dim');
    expect(p('values(meeting.count, year - 1) by dim')).toBe('values(meeting.count, year-1) by dim');
  });

  it('ref with multi-part ids and years', () => {
    expect(p('ref(labour.job_fairs.by_mode)')).toBe('ref(labour.job_fairs.by_mode, year)');
    expect(p('ref(labour.to_partner) - ref(labour.to_partner, year - 1)')).toBe('(ref(labour.to_partner, year) - ref(labour.to_partner, year-1))');
  });

  it('min, max and coalesce with any number of arguments', () => {
    expect(p('min(1, 2)')).toBe('min(1, 2)');
    expect(p('max(1)')).toBe('max(1)');
    expect(p('coalesce(value(a.b), 0) + 1')).toBe('(coalesce(value(a.b, year), 0) + 1)');
    expect(p('max(1 + 2, 3 * 4, -5)')).toBe('max((1 + 2), (3 * 4), (-5))');
  });

  it('keeps the call position at the function name', () => {
    expect(ok('  count(x)')).toMatchObject({ kind: 'count', pos: { line: 1, column: 3, offset: 2 } });
  });
});

describe('conditions', () => {
  const where = (c: string) => {
    const e = ok(`count(t where ${c})`);
    if (e.kind !== 'count' || !e.where) throw new Error('no where');
    return showCond(e.where);
  };

  it('gives not > and > or', () => {
    expect(where('a = 1 or b = 2 and c = 3')).toBe('[a = 1 or [b = 2 and c = 3]]');
    expect(where('(a = 1 or b = 2) and c = 3')).toBe('[[a = 1 or b = 2] and c = 3]');
    expect(where('not a = 1 and b = 2')).toBe('[not a = 1 and b = 2]');
    expect(where('not (a = 1 and b = 2)')).toBe('not [a = 1 and b = 2]');
    expect(where('not not a = 1')).toBe('not not a = 1');
    expect(where('a = 1 and b = 2 and c = 3')).toBe('[a = 1 and b = 2 and c = 3]');
  });

  it('reads every comparison form', () => {
    expect(where("a != 'x'")).toBe('a != "x"');
    expect(where('a < 1')).toBe('a < 1');
    expect(where('a <= 1.5')).toBe('a <= 1.5');
    expect(where('a > -3')).toBe('a > -3');
    expect(where('a >= 0')).toBe('a >= 0');
    expect(where('demo_village = true')).toBe('demo_village = true');
    expect(where('demo_village != false')).toBe('demo_village != false');
    expect(where("status not in ('a', \"b\")")).toBe('status not in ("a", "b")');
    expect(where('n in (1, 2, 3)')).toBe('n in (1, 2, 3)');
    expect(where('coop_funds is not null')).toBe('coop_funds is not null');
    expect(where('coop_funds is null')).toBe('coop_funds is null');
  });

  it('accepts Chinese in string literals, and escapes', () => {
    expect(where("platform = '津陇共振兴'")).toBe('platform = "津陇共振兴"');
    expect(where('name = "甘肃省“东西部协作”"')).toBe('name = "甘肃省“东西部协作”"');
    expect(where("name = 'it\\'s'")).toBe('name = "it\'s"');
    expect(where('name = "a\\\\b\\"c"')).toBe('name = "a\\\\b\\"c"');
    expect(where("name = ''")).toBe('name = ""');
  });

  it('keeps number literals exact with their text', () => {
    const e = ok('count(t where amount >= -12.50)');
    expect(e.kind === 'count' && e.where).toMatchObject({ kind: 'cmp', value: { kind: 'number', text: '-12.50' } });
    expect(e.kind === 'count' && e.where?.kind === 'cmp' && e.where.value.kind === 'number' && e.where.value.value.toString()).toBe('-12.5');
  });

  it('lets fields share names with contextual words', () => {
    expect(where("year = 2022 and dim = 'x'")).toBe('[year = 2022 and dim = "x"]');
  });
});

describe('syntax errors', () => {
  it.each([
    // [source, line, column, message]
    ['', 1, 1, 'expected an expression but found end of input'],
    ['   # only a comment', 1, 20, 'expected an expression but found end of input'],
    ['(1 + 2', 1, 7, "expected ')' but found end of input"],
    ['count(meeting', 1, 14, "expected 'where' or ')' but found end of input"],
    ["count(t where a = 'x'", 1, 22, "expected 'and', 'or' or ')' but found end of input"],
    ['1 +', 1, 4, 'expected an expression but found end of input'],
    ['1 + * 2', 1, 5, "expected an expression but found '*'"],
    ['1 2', 1, 3, 'expected an operator or end of input but found number 2'],
    ['count(x))', 1, 9, "expected an operator or end of input but found ')'"],
    ['count(x) foo', 1, 10, "expected an operator or end of input but found 'foo'"],
    ['value(x) by dim', 1, 10, "expected an operator or end of input but found 'by'"],
    ['foo(1)', 1, 1, "unknown function 'foo': expected one of count, sum, value, values, ref, min, max, coalesce"],
    ['average(x)', 1, 1, "unknown function 'average': expected one of count, sum, value, values, ref, min, max, coalesce"],
    ['foo + 1', 1, 1, "expected a number, '(', a function such as sum(…) or 'year' but found 'foo'"],
    ['count + 1', 1, 7, "expected '(' after 'count' but found '+'"],
    ['sum(deal.)', 1, 10, "expected a field name after 'deal.' but found ')'"],
    ['sum(deal)', 1, 9, "expected '.' and a field after 'deal' (sum reads ledger.field) but found ')'"],
    ['sum(deal. where x = 1)', 1, 11, "expected a field name after 'deal.' but found 'where'"],
    ['count()', 1, 7, "expected a ledger name but found ')'"],
    ['count(where a = 1)', 1, 7, "expected a ledger name but found 'where'"],
    ['count(t) by', 1, 12, "expected a field name after 'by' but found end of input"],
    ['value(edu.)', 1, 11, "expected a name after '.' in 'edu.' but found ')'"],
    ['value()', 1, 7, "expected an element id but found ')'"],
    ['value(x, year - )', 1, 17, "expected a whole number of years after 'year -' but found ')'"],
    ['value(x, year - 1.5)', 1, 17, "expected a whole number of years after 'year -' but found number 1.5"],
    ["value(x, 'a')", 1, 10, "expected 'year', 'year - N' or a year such as 2021 but found string 'a'"],
    ['value(x, dim = 3)', 1, 16, "expected a quoted dim value after 'dim =' but found number 3"],
    ["value(x, dim = 'a', year)", 1, 19, "expected ')' (dim = '…' comes last) but found ','"],
    ['value(x, year, year)', 1, 16, "expected dim = '…' but found 'year'"],
    ['values(x) by type', 1, 14, "expected 'dim' after 'by' (values(…) is broken down by dim only) but found 'type'"],
    ['ref(a.b c)', 1, 9, "expected ',' or ')' but found 'c'"],
    ['min(1 2)', 1, 7, "expected an operator, ',' or ')' but found number 2"],
    ['min()', 1, 5, "expected an expression but found ')'"],
    ['count(t where)', 1, 14, "expected a field name, 'not' or '(' but found ')'"],
    ['count(t where a)', 1, 16, "expected a comparison after field 'a' ('=', '!=', '<', '<=', '>', '>=', 'in', 'not in' or 'is null') but found ')'"],
    ['count(t where a == 1)', 1, 18, "expected a literal (a quoted string, a number, true or false) but found '='"],
    ['count(t where a = b)', 1, 19, "expected a literal (a quoted string, a number, true or false) but found 'b'"],
    ['count(t where a = null)', 1, 19, "expected a literal but found 'null' (test for missing values with 'is null')"],
    ['count(t where a is 1)', 1, 20, "expected 'null' or 'not null' after 'is' but found number 1"],
    ['count(t where a is not)', 1, 23, "expected 'null' after 'is not' but found ')'"],
    ['count(t where a not like 1)', 1, 21, "expected 'in' after 'not' but found 'like'"],
    ["count(t where a in 'x')", 1, 20, "expected '(' to start the list after 'in' but found string 'x'"],
    ['count(t where a in ())', 1, 21, "expected a literal (a quoted string, a number, true or false) but found ')'"],
    ["count(t where a in ('x' 'y'))", 1, 25, "expected ',' or ')' in the list but found string 'y'"],
    ["count(t where a in ('x',))", 1, 25, "expected a literal (a quoted string, a number, true or false) but found ')'"],
    ["count(t where a in ('x'", 1, 24, "expected ',' or ')' in the list but found end of input"],
    ["count(t where a not in ('x', )", 1, 30, "expected a literal (a quoted string, a number, true or false) but found ')'"],
    ["count(t where (a = 'x')", 1, 24, "expected 'and', 'or' or ')' but found end of input"],
    ["count(t where a = 'x' b = 1)", 1, 23, "expected 'and', 'or' or ')' but found 'b'"],
  ])('%j → %i:%i %s', (src, line, column, message) => {
    const e = err(src);
    expect(e.message).toBe(message);
    expect([e.line, e.column]).toEqual([line, column]);
    expect(e.messageZh).toMatch(/[\u4e00-\u9fff]/);
  });

  it('reports lexical errors', () => {
    expect(err("count(t where a = 'abc)")).toMatchObject({ line: 1, column: 19, message: "unterminated string: expected closing ' before end of input" });
    expect(err('count(t where a = "abc\n") + 1')).toMatchObject({ line: 1, column: 19, message: 'unterminated string: expected closing " before end of line' });
    expect(err("value(x, dim = 'a\\nb')")).toMatchObject({ line: 1, column: 18, message: "unknown escape '\\n' in string (only \\\\, \\' and \\\" are allowed)" });
    expect(err('1 @ 2')).toMatchObject({ line: 1, column: 3, message: "unexpected character '@'" });
    expect(err('count（x）')).toMatchObject({ line: 1, column: 6, message: "unexpected character '（' (full-width; write '(')" });
    expect(err('count(t where a ! 1)')).toMatchObject({ column: 17, message: "unexpected character '!' (did you mean '!='?)" });
    expect(err('合计 + 1')).toMatchObject({ column: 1, message: "unexpected character '合'" });
    expect(err('1 + 😀')).toMatchObject({ column: 5, message: "unexpected character '😀'" });
    expect(err('1 +\u0001')).toMatchObject({ column: 4, message: 'unexpected character control character U+0001' });
  });

  it('counts lines and columns across newlines and comments', () => {
    const src = [
      'sum(fund_allocation.amount  # total',
      "     where category = 'x'",
      '     and (purpose in (1, 2',
      '  ) # missing close',
    ].join('\n');
    expect(err(src)).toMatchObject({ line: 4, column: 20, message: "expected 'and', 'or' or ')' but found end of input" });
    expect(err('1 +\n\n   )')).toMatchObject({ line: 3, column: 4 });
    expect(err('1 +\r\n  )')).toMatchObject({ line: 2, column: 3 });
    // Columns count UTF-16 units: each Chinese character is one column.
    expect(err("count(t where a = '中文' b)")).toMatchObject({ line: 1, column: 24 });
  });

  it('shifts positions by a base offset, the column only on the first line', () => {
    expect(err('(1 + 2', { line: 10, column: 14 })).toMatchObject({ line: 10, column: 20 });
    expect(err('1 +\n  )', { line: 10, column: 14 })).toMatchObject({ line: 11, column: 3 });
    expect(err('1 2', { line: 5 })).toMatchObject({ line: 5, column: 3 });
    const r = parse('1 +\n count(x)', { line: 7, column: 12 });
    expect(r.ok && r.ast.kind === 'binary' && [r.ast.pos, r.ast.right.pos]).toEqual([
      { line: 7, column: 14, offset: 2 },
      { line: 8, column: 2, offset: 5 },
    ]);
  });

  it('renders errors in Chinese', () => {
    expect(err('(1 + 2').messageZh).toBe('此处应为“)”，但遇到输入结束');
    expect(err('foo(1)').messageZh).toBe('未知函数“foo”，可用函数为 count、sum、value、values、ref、min、max、coalesce');
    expect(err("count(t where a = 'abc)").messageZh).toBe("字符串未结束：输入结束前缺少结束引号 '");
    expect(err('count（x）').messageZh).toBe('无法识别的字符“（”（全角字符，应写作“(”）');
  });

  it('returns an error instead of overflowing on deep nesting', () => {
    expect(err(`${'('.repeat(10_000)}1${')'.repeat(10_000)}`).message).toMatch(/nested more than 200 levels/);
    expect(err(`${'-'.repeat(10_000)}1`).message).toMatch(/nested more than 200 levels/);
    expect(err(`count(t where ${'not '.repeat(10_000)} a = 1)`).message).toMatch(/nested more than 200 levels/);
    expect(p(`${'('.repeat(150)}1${')'.repeat(150)}`)).toBe('1');
  });

  it('never throws on arbitrary input', () => {
    const alphabet = ["count(", "sum(", "value(", "x", ".", ",", ")", "(", " where ", "'s'", '"', "1", "-", "*", " by ", " in ", " not ", " is ", "null", "#", "\n", "year", "=", "中"];
    let seed = 42;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let n = 0; n < 3000; n++) {
      let s = '';
      const len = Math.floor(rnd() * 12);
      for (let k = 0; k < len; k++) s += alphabet[Math.floor(rnd() * alphabet.length)];
      const r = parse(s);
      if (!r.ok) {
        expect(r.error.line).toBeGreaterThanOrEqual(1);
        expect(r.error.column).toBeGreaterThanOrEqual(1);
        expect(r.error.message).toMatch(/^(expected|unknown|unexpected|unterminated|expression nested)/);
      }
    }
  });
});
