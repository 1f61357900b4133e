import { describe, expect, it } from 'vitest';
import { CliError, describeFailure, EXIT, zipOutcome } from '../../src/cli/errors.ts';

describe('how `report --all` ends', () => {
  it('prints a summary when every report was written', () => {
    expect(zipOutcome('g.zip', { total: 3, failures: [] })).toBe('written g.zip: 3 reports\n');
  });

  it('fails with exit 3 and one line naming the counties when some reports could not be written', () => {
    const failures = [{ code: '620102', name: '甲县', zh: '内部错误', en: 'internal error' }, { code: '620103', name: '乙县', zh: '内部错误', en: 'internal error' }];
    const e = zipOutcome('g.zip', { total: 5, failures });
    expect(e).toBeInstanceOf(CliError);
    const { line, exit } = describeFailure(e);
    expect(exit).toBe(EXIT.checksFailed);
    expect(line).toBe('已写出 g.zip：3份报告，2个县未能生成（620102, 620103），名单见压缩包内 / written g.zip: 3 reports, 2 failed (620102, 620103); the list is inside the zip');
    expect(line).not.toContain('\n');
  });
});
