import { describe, expect, it } from 'vitest';
import { dateFieldFor, mergeWarningConfig, parseWarningLayer, warningRulesFor } from './warning-rules.ts';

describe('warning rules as configuration', () => {
  it('ships defaults for every province, with dates per ledger and per indicator', () => {
    const cfg = warningRulesFor(2022, '52');
    expect(cfg.sources).toEqual(['config/2021/warnings.yaml']);
    expect(cfg.rules.map((r) => r.kind)).toContain('pace');
    expect(dateFieldFor(cfg, 'funds.disbursed', 'fund_disbursement')).toBe('date');
    expect(dateFieldFor(cfg, 'projects.completed', 'project')).toBe('completion_date');
    expect(dateFieldFor(cfg, 'projects.planned', 'project')).toBeNull();
    expect(dateFieldFor(cfg, 'funds.allocated', 'fund_allocation')).toBeNull();
  });

  it('lets a layer replace a rule by id, turn one off, and change dates one by one', () => {
    const base = warningRulesFor(2022, '52');
    const layer = parseWarningLayer(`
dates: { project: completion_date }
rules:
  - { id: project.not_started, kind: project_not_started, severity: high, label: { zh: 项目5月底前须开工, en: Start by May }, by: '05-31' }
  - { id: ledger.stale, enabled: false }
`, 'provinces/52/warnings.yaml');
    const merged = mergeWarningConfig(base, layer, 'provinces/52/warnings.yaml');
    expect(merged.rules.find((r) => r.id === 'project.not_started')).toMatchObject({ by: '05-31', severity: 'high' });
    expect(merged.rules.some((r) => r.id === 'ledger.stale')).toBe(false);
    expect(merged.rules).toHaveLength(base.rules.length - 1);
    expect(merged.dates.project).toBe('completion_date');
    expect(merged.dates.fund_disbursement).toBe('date');
    expect(merged.sources).toEqual(['config/2021/warnings.yaml', 'provinces/52/warnings.yaml']);
  });

  it('refuses a bad layer with the place of the problem', () => {
    expect(() => parseWarningLayer("rules:\n  - { id: x, kind: project_not_started, severity: high, label: { zh: a, en: b }, by: '13-01' }\n", 'p.yaml'))
      .toThrow(/p\.yaml: rules\.0\.by: a day of the year as MM-DD/);
    expect(() => parseWarningLayer('rules:\n  - { id: x, kind: nonsense }\n', 'p.yaml')).toThrow(/p\.yaml: rules\.0/);
    expect(() => warningRulesFor(1999, '62')).toThrow(/no warning rules for 1999/);
  });
});
