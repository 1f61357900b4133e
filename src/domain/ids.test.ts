import { describe, expect, it } from 'vitest';
import { creditCodeCheckChar, maskResidentId, residentIdCheckChar, validateCreditCode, validateResidentId } from './ids.ts';

const TODAY = { today: '2024-06-30' };

describe('validateCreditCode', () => {
  it.each(['91350100M000100Y43', '91620000MA7123456Q', '12623023000000000Q', '52623023MJX1234562'])('accepts %s', (code) => {
    expect(validateCreditCode(code)).toEqual({ ok: true, code });
  });

  it('trims and upper-cases', () => {
    expect(validateCreditCode('  91350100m000100y43\t')).toEqual({ ok: true, code: '91350100M000100Y43' });
  });

  it('computes the check character', () => {
    expect(creditCodeCheckChar('91350100M000100Y4')).toBe('3');
    expect(creditCodeCheckChar('12623023000000000')).toBe('Q');
  });

  it('rejects a wrong length', () => {
    const r = validateCreditCode('91350100M000100Y4');
    expect(r).toMatchObject({ ok: false, reason: expect.stringContaining('18 characters, got 17') });
    expect(validateCreditCode('')).toMatchObject({ ok: false, reasonZh: '统一社会信用代码应为18位，实际为0位' });
  });

  it('rejects characters outside the charset, naming the position', () => {
    const r = validateCreditCode('91350100MO00100Y43');
    expect(r).toMatchObject({ ok: false, reason: expect.stringContaining("character 10 ('O')") });
    expect(r.ok || r.reasonZh).toContain('第10位');
    for (const c of ['I', 'S', 'V', 'Z', '-', '中'])
      expect(validateCreditCode(`9135010${c}M000100Y43`).ok).toBe(false);
  });

  it('rejects a non-numeric division code', () => {
    expect(validateCreditCode('913501A0M000100Y4X')).toMatchObject({ ok: false, reason: expect.stringContaining('characters 3–8') });
  });

  it('rejects a wrong check character and says which is expected', () => {
    expect(validateCreditCode('91350100M000100Y44')).toEqual({
      ok: false,
      reason: "check character is wrong: expected '3', got '4'",
      reasonZh: '校验码错误：应为“3”，实际为“4”',
    });
  });

  it('detects every single-character substitution and adjacent transposition of a valid code', () => {
    const valid = '91350100M000100Y43';
    for (let i = 0; i < 18; i++) {
      for (const c of '0123456789ABCDEFGHJKLMNPQRTUWXY') {
        if (c === valid[i]) continue;
        expect(validateCreditCode(valid.slice(0, i) + c + valid.slice(i + 1)).ok).toBe(false);
      }
      if (i < 17 && valid[i] !== valid[i + 1]) {
        const swapped = valid.slice(0, i) + valid[i + 1] + valid[i] + valid.slice(i + 2);
        expect(validateCreditCode(swapped).ok).toBe(false);
      }
    }
  });
});

describe('validateResidentId', () => {
  it.each([
    ['11010519491231002X', '1949-12-31', '110105'],
    ['623023198506151236', '1985-06-15', '623023'],
    ['623023202002290012', '2020-02-29', '623023'],
    ['623023199901010067', '1999-01-01', '623023'],
    ['810000199912310012', '1999-12-31', '810000'],
  ])('accepts %s', (id, birthDate, regionCode) => {
    expect(validateResidentId(id, TODAY)).toEqual({ ok: true, id, birthDate, regionCode });
  });

  it('trims and upper-cases x', () => {
    expect(validateResidentId(' 11010519491231002x ', TODAY)).toMatchObject({ ok: true, id: '11010519491231002X' });
  });

  it('computes the check character', () => {
    expect(residentIdCheckChar('11010519491231002')).toBe('X');
    expect(residentIdCheckChar('62302319850615123')).toBe('6');
  });

  it('rejects wrong lengths, including old 15-digit numbers', () => {
    expect(validateResidentId('110105491231002', TODAY)).toMatchObject({ ok: false, reason: 'a resident ID has 18 characters, got 15' });
    expect(validateResidentId('', TODAY)).toMatchObject({ ok: false, reasonZh: '身份证号应为18位，实际为0位' });
  });

  it('rejects letters other than a final X', () => {
    expect(validateResidentId('1101051949123100X2', TODAY)).toMatchObject({ ok: false, reason: 'a resident ID is 17 digits followed by a digit or X' });
    expect(validateResidentId('11010519491231002Y', TODAY).ok).toBe(false);
  });

  it('rejects an implausible province prefix', () => {
    // 00, 10, 99 and 83 are not province codes on citizen IDs; check characters computed for each.
    for (const head of ['00', '10', '99', '83', '16']) {
      const body = `${head}010519491231002`;
      const r = validateResidentId(body + residentIdCheckChar(body), TODAY);
      expect(r).toMatchObject({ ok: false, reason: expect.stringContaining('province') });
    }
  });

  it('rejects dates that do not exist', () => {
    for (const date of ['19490230', '20210229', '19491301', '19490001', '19491200', '19000229']) {
      const body = `623023${date}001`;
      expect(validateResidentId(body + residentIdCheckChar(body), TODAY)).toMatchObject({ ok: false, reason: expect.stringContaining('not a real date') });
    }
  });

  it('rejects births before 1900 or after today', () => {
    const old = '62302318991231001';
    expect(validateResidentId(old + residentIdCheckChar(old), TODAY)).toMatchObject({ ok: false, reason: expect.stringContaining('before 1900') });
    const future = '62302320240701001';
    const id = future + residentIdCheckChar(future);
    expect(validateResidentId(id, TODAY)).toMatchObject({ ok: false, reason: 'birth date 2024-07-01 is in the future', reasonZh: '出生日期2024-07-01晚于当前日期' });
    expect(validateResidentId(id, { today: '2024-07-01' }).ok).toBe(true);
    expect(validateResidentId(id, { today: new Date('2024-06-30T15:59:59Z') }).ok).toBe(false);
    expect(validateResidentId(id, { today: new Date('2024-06-30T16:00:00Z') }).ok).toBe(true); // midnight in China
  });

  it('defaults today to now', () => {
    expect(validateResidentId('11010519491231002X').ok).toBe(true);
  });

  it('rejects a malformed today option', () => {
    expect(() => validateResidentId('11010519491231002X', { today: '30/06/2024' })).toThrow(RangeError);
  });

  it('rejects a wrong check character and says which is expected', () => {
    expect(validateResidentId('110105194912310021', TODAY)).toEqual({
      ok: false,
      reason: "check character is wrong: expected 'X', got '1'",
      reasonZh: '校验码错误：应为“X”，实际为“1”',
    });
  });

  it('detects every single-digit error in the first 17 digits', () => {
    const valid = '623023198506151236';
    for (let i = 6; i < 17; i++) {
      // Only positions whose change keeps a valid date reach the checksum; all must fail somewhere.
      for (const c of '0123456789') {
        if (c === valid[i]) continue;
        expect(validateResidentId(valid.slice(0, i) + c + valid.slice(i + 1), TODAY).ok).toBe(false);
      }
    }
  });
});

describe('maskResidentId', () => {
  it('keeps the first and last four characters', () => {
    expect(maskResidentId('623023198506151234')).toBe('6230**********1234');
    expect(maskResidentId('11010519491231002X')).toBe('1101**********002X');
  });

  it('masks short input entirely', () => {
    expect(maskResidentId('12345678')).toBe('********');
    expect(maskResidentId('')).toBe('');
  });
});
