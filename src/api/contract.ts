/**
 * The response contract of the JSON API, shared by the server and the web app.
 *
 * Each schema here is what one or more routes answer: the server declares it as the route's
 * `response` (so the OpenAPI document is generated from it and tests check every answer against it),
 * and the web app takes its types with `z.infer` through type-only imports, so nothing but types
 * crosses into the browser bundle. Pure zod: this module imports nothing from the server.
 *
 * Objects are not strict: an answer may carry fields a schema does not name, but never lacks or
 * mistypes one it names. Money is integer fen wherever a field holds an amount.
 */
import { z } from 'zod';

export const Label = z.object({ zh: z.string(), en: z.string() });
export type Label = z.infer<typeof Label>;

/** How precise a stated figure is: exactly, 约 (about), 余 (over), or a range. */
export const Qualifier = z.enum(['exact', 'about', 'over', 'range']);

// ------------------------------------------------------------------ session and accounts

export const UserView = z.object({
  id: z.number(), username: z.string(), displayName: z.string(), role: z.string(), units: z.array(z.string()),
  ledgers: z.array(z.string()).nullable(), disabled: z.boolean(), lockedAt: z.string().nullable(), demo: z.boolean(), createdAt: z.string(),
});
export type UserView = z.infer<typeof UserView>;

/** An account as the accounts list shows it: each unit's code with its division name. */
export const UserListEntry = UserView.extend({ unitNames: z.array(z.object({ code: z.string(), name: z.string().nullable() })) });
export type UserListEntry = z.infer<typeof UserListEntry>;

export const SessionView = z.object({ user: UserView, csrf: z.string().nullable(), roleLabel: Label });
export type SessionView = z.infer<typeof SessionView>;

export const TokenView = z.object({
  id: z.number(), name: z.string(), prefix: z.string(), createdAt: z.string(), lastUsedAt: z.string().nullable(), revokedAt: z.string().nullable(),
  readOnly: z.boolean(), county: z.string().nullable(), expiresAt: z.string().nullable(),
});
export type TokenView = z.infer<typeof TokenView>;

/** A new API token: the secret, shown once, and its view. */
export const NewToken = z.object({ token: z.string(), view: TokenView });
export type NewToken = z.infer<typeof NewToken>;

/** A password reset to a new random one, shown once. */
export const NewPassword = z.object({ password: z.string() });
export type NewPassword = z.infer<typeof NewPassword>;

// ------------------------------------------------------------------ meta

export const FieldDecl = z.object({
  name: z.string(), type: z.enum(['text', 'int', 'money', 'date', 'enum', 'bool', 'code']), label: Label,
  required: z.boolean().optional(), categories: z.string().optional(),
  qualified: z.boolean().optional(), min: z.number().optional(), max: z.number().optional(), maxLength: z.number().optional(),
  pii: z.string().optional(), orgUnit: z.boolean().optional(), creditCode: z.boolean().optional(), help: Label.optional(),
});
export type FieldDecl = z.infer<typeof FieldDecl>;

export const LedgerDecl = z.object({
  kind: z.string(), label: Label, group: z.string(), fields: z.array(FieldDecl), naturalKey: z.array(z.string()), titleField: z.string(),
});
export type LedgerDecl = z.infer<typeof LedgerDecl>;

export const Meta = z.object({
  ledgers: z.array(LedgerDecl), roles: z.record(z.string(), Label), statuses: z.record(z.string(), Label),
  /** Set when the database holds a generated (synthetic) dataset, not real reports. */
  synthetic: z.object({ seed: z.number(), counties: z.number(), year: z.number() }).nullable(),
});
export type Meta = z.infer<typeof Meta>;

export const Health = z.object({ ok: z.boolean(), engine: z.string() });

export const Category = z.object({ value: z.string(), zh: z.string(), en: z.string(), retired: z.boolean().optional() });
/** Category lists by name, in force for a year (and a unit). */
export const Categories = z.record(z.string(), z.array(Category));
export type Categories = z.infer<typeof Categories>;

export const UnitName = z.object({ code: z.string(), name: z.string() });
export type UnitName = z.infer<typeof UnitName>;
export const MyUnits = z.array(UnitName);

export const County = z.object({ code: z.string(), name: z.string(), years: z.array(z.number()) });
export type County = z.infer<typeof County>;
export const Counties = z.array(County);

// ------------------------------------------------------------------ ledgers

/** A ledger record: declared fields (money in integer fen) plus id, county_code, year, version, note, timestamps. */
export const LedgerRecord = z.looseObject({ id: z.number(), version: z.number(), county_code: z.string(), year: z.number() })
  .describe('A ledger record: declared fields (money in integer fen) plus id, county_code, year, version, note, timestamps');
export type LedgerRecord = z.infer<typeof LedgerRecord>;

export const LedgerRecords = z.object({ rows: z.array(LedgerRecord), total: z.number(), totals: z.record(z.string(), z.number().nullable()) });
export type LedgerRecords = z.infer<typeof LedgerRecords>;

// ------------------------------------------------------------------ workflow and audit

export const LedgerState = z.object({
  ledger: z.string(), label: Label, status: z.enum(['draft', 'submitted', 'approved', 'returned']), completeness: z.string(),
  comment: z.string().nullable(), updatedBy: z.string().nullable(), updatedByName: z.string().nullable(), updatedAt: z.string().nullable(), allowed: z.array(z.string()),
});
export type LedgerState = z.infer<typeof LedgerState>;

export const AuditEntry = z.object({
  id: z.number(), at: z.string(), actor: z.string(),
  /** The account's display name; null for the system and for accounts that no longer exist. */
  actorName: z.string().nullable(),
  action: z.string(), entity: z.string(), entityId: z.string().nullable(),
  county: z.string().nullable(), year: z.number().nullable(), before: z.unknown(), after: z.unknown(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;
export const AuditList = z.object({ rows: z.array(AuditEntry), total: z.number() });
export type AuditList = z.infer<typeof AuditList>;

// ------------------------------------------------------------------ indicators and dashboard

export const Indicator = z.object({
  id: z.string(), label: Label, unit: z.string(), formula: z.string(), value: z.string().nullable(), display: z.string().nullable(),
  /** True for an indicator the province, prefecture or county defined for itself (an own element), not the national catalogue. */
  own: z.boolean().optional(),
  /** The figure in English words and units ("about CNY 0.12 million"). */
  displayEn: z.string().nullable().optional(),
  raw: z.number().nullable(), qual: Qualifier, source: z.enum(['records', 'reported', 'none']),
  breakdown: z.array(z.object({
    key: z.string(), label: z.string(), labelEn: z.string().optional(), raw: z.number().nullable(), display: z.string(), displayEn: z.string().optional(),
  })).optional(),
  target: z.object({
    op: z.string(), value: z.string().nullable(), valueMax: z.string().nullable(), display: z.string(), displayEn: z.string().optional(), orgCode: z.string(),
    reportedStatus: z.string().nullable(), note: z.string().nullable(), claimNote: z.string().nullable().optional(),
  }).optional(),
  /** `to_date`: a figure for part of the year, shown beside the year's target and not judged by it. */
  status: z.enum(['met', 'missed', 'no_target', 'no_data', 'to_date']),
  flags: z.array(Label),
  partial: z.boolean().optional(),
  /** For a prefecture or province: what its counties add up to, beside its own stated figure. */
  /** What the parts add up to (a prefecture's counties, a province's prefectures, the nation's provinces), beside the unit's own stated figure. */
  rolledUp: z.object({ display: z.string(), displayEn: z.string(), parts: z.number(), level: z.enum(['county', 'prefecture', 'province']), counties: z.number() }).nullable().optional(),
  exactText: z.string().nullable().optional(),
  /** Present for a figure to date (a quarter, a month, a day): the period, its last day and the undated records left out. */
  toDate: z.object({
    period: z.string(), end: z.string(), label: Label, undated: z.number(), byLedger: z.record(z.string(), z.number()),
    note: Label.nullable(), elapsed: z.string(), ofTarget: z.string().nullable(), onPace: z.boolean().nullable(),
  }).optional(),
});
export type Indicator = z.infer<typeof Indicator>;

/** The period an answer is for; absent for the whole year. */
export const PeriodView = z.object({ key: z.string(), end: z.string(), label: Label });
export type PeriodView = z.infer<typeof PeriodView>;

export const RuleResult = z.object({
  id: z.string(), label: Label, ok: z.boolean().nullable(), left: z.string().nullable(), right: z.string().nullable(), op: z.string(), detail: Label,
});
export type RuleResult = z.infer<typeof RuleResult>;

export const IndicatorsAndRules = z.object({ period: PeriodView.optional(), indicators: z.array(Indicator), rules: z.array(RuleResult) });
export type IndicatorsAndRules = z.infer<typeof IndicatorsAndRules>;

export const Dashboard = z.object({
  county: UnitName, year: z.number(), period: PeriodView.optional(),
  indicators: z.array(Indicator), rules: z.array(RuleResult),
  states: z.array(z.object({ ledger: z.string(), label: Label, status: z.string() })),
});
export type Dashboard = z.infer<typeof Dashboard>;

export const RankedCounty = z.object({
  code: z.string(), name: z.string(), met: z.number(), missed: z.number(), withTarget: z.number(),
  disbursementRate: z.number().nullable(), rank: z.number(),
  /** Only for a period to date: targets whose figure keeps pace with the part of the year gone, those behind, and their sum. */
  onPace: z.number().optional(), behind: z.number().optional(), paced: z.number().optional(),
});
export type RankedCounty = z.infer<typeof RankedCounty>;
export const Overview = z.array(RankedCounty);

/** Counties ranked by one indicator: each with its figure (null and last without one); equal figures share a rank. */
export const IndicatorRanking = z.object({
  indicator: z.object({ id: z.string(), label: Label, unit: z.string() }),
  order: z.enum(['desc', 'asc']),
  /** The division ranked within ('' for every county the caller may read). */
  unit: z.string(),
  period: PeriodView.optional(),
  rows: z.array(z.object({
    code: z.string(), name: z.string(), rank: z.number().nullable(), raw: z.number().nullable(), display: z.string().nullable(),
    displayEn: z.string().nullable().optional(),
    status: z.enum(['met', 'missed', 'no_target', 'no_data', 'to_date']),
  })),
});
export type IndicatorRanking = z.infer<typeof IndicatorRanking>;

// ------------------------------------------------------------------ reported values and narrative

export const ReportedValue = z.object({
  id: z.number(), element: z.string(), label: Label, unit: z.string(), dim: z.string(), dimLabel: z.string().nullable(),
  value: z.string(), qual: Qualifier, valueMax: z.string().nullable(), display: z.string(), note: z.string().nullable(), version: z.number(),
  /** The day a figure stated as of a day refers to; null for the year's figure. */
  asOf: z.string().nullable(),
});
export type ReportedValue = z.infer<typeof ReportedValue>;

export const ReportableElement = z.object({
  id: z.string(), label: Label, unit: z.string(), unitLabel: Label,
  dims: z.array(z.object({ value: z.string(), zh: z.string(), en: z.string() })).nullable(),
});
export type ReportableElement = z.infer<typeof ReportableElement>;

export const ReportedList = z.object({ rows: z.array(ReportedValue), dated: z.array(ReportedValue), elements: z.array(ReportableElement) });
export type ReportedList = z.infer<typeof ReportedList>;

export const NARRATIVE_SECTIONS = ['highlights', 'problem', 'problem_note', 'plan'] as const;
export const NarrativeParagraph = z.object({
  id: z.number(), section: z.enum(NARRATIVE_SECTIONS), seq: z.number(), title: z.string().nullable(), body: z.string(),
  note: z.string().nullable(), version: z.number(), updatedAt: z.string(),
});
export type NarrativeParagraph = z.infer<typeof NarrativeParagraph>;

export const TargetedIndicator = z.object({ id: z.string(), label: Label, status: z.string(), display: z.string().nullable(), target: z.string() });
export type TargetedIndicator = z.infer<typeof TargetedIndicator>;
export const Narrative = z.object({ rows: z.array(NarrativeParagraph), indicators: z.array(TargetedIndicator) });
export type Narrative = z.infer<typeof Narrative>;

// ------------------------------------------------------------------ warnings

export const PaceView = z.object({
  indicator: z.string(), label: Label, target: z.object({ op: z.string(), display: z.string(), displayEn: z.string(), orgCode: z.string() }),
  yearStatus: z.string(), method: z.string(), methodText: Label, toDate: z.string().nullable(), toDateEn: z.string().nullable(),
  projection: z.string().nullable(), projectionEn: z.string().nullable(), reachDate: z.string().nullable(), reached: z.boolean(),
  gap: z.string().nullable(), gapEn: z.string().nullable(), gapShare: z.number().nullable(), onTrack: z.boolean().nullable(), undatedRecords: z.number(),
});
export type PaceView = z.infer<typeof PaceView>;

export const WarningRecord = z.object({ ledger: z.string(), ledgerLabel: Label, id: z.number(), title: z.string(), date: z.string().nullable() });
export type WarningRecord = z.infer<typeof WarningRecord>;

export const WarningView = z.object({
  key: z.string(), rule: z.string(), kind: z.string(), severity: z.enum(['high', 'medium', 'low']), county: z.string(), indicator: z.string().optional(),
  title: Label, detail: Label,
  records: z.array(WarningRecord),
  ack: z.object({ note: z.string(), by: z.string(), at: z.string(), version: z.number() }).optional(),
});
export type WarningView = z.infer<typeof WarningView>;

export const CountyWarnings = z.object({ code: z.string(), name: z.string(), pace: z.array(PaceView), warnings: z.array(WarningView), behind: z.number(), rank: z.number() });
export type CountyWarnings = z.infer<typeof CountyWarnings>;

export const WarningsReport = z.object({
  unit: z.string(), unitName: z.string(), year: z.number(), asOf: z.string(), rules: z.array(z.string()), counties: z.array(CountyWarnings),
});
export type WarningsReport = z.infer<typeof WarningsReport>;

export const WarningAck = z.object({ version: z.number() });
/** Draft 存在的问题 paragraphs written from the year's warnings. */
export const ProblemDrafts = z.array(z.object({ seq: z.number(), title: z.string(), body: z.string() }));
export type ProblemDrafts = z.infer<typeof ProblemDrafts>;

// ------------------------------------------------------------------ figure audit

const Location = z.object({ start: z.number(), end: z.number(), paragraph: z.number(), line: z.number(), column: z.number() });
export const RELATION_KINDS = ['sum', 'subset', 'rate', 'rate_base', 'pp_change', 'growth', 'per_unit', 'table_total', 'repeat', 'rollup'] as const;
export const ROUNDINGS = ['truncation', 'whole_percent', 'one_decimal'] as const;

export const FigureView = z.object({
  id: z.number(), text: z.string(), value: z.string(), max: z.string().nullable(), qual: z.enum(['exact', 'about', 'over', 'under', 'range']),
  dim: z.enum(['money', 'percent', 'pp', 'count']), unit: z.string(), label: z.string(), sentence: z.string(), location: Location,
});
export const RelationView = z.object({
  kind: z.enum(RELATION_KINDS), verdict: z.enum(['holds', 'holds_other_rounding', 'fails']), rounding: z.enum(ROUNDINGS).optional(),
  figures: z.array(z.object({ id: z.number(), text: z.string(), location: Location })), location: Location, detail: Label, correction: Label.nullable(),
});
export const DataCheck = z.object({
  figure: z.number(), text: z.string(), verdict: z.enum(['supported', 'contradicted', 'unchecked']),
  indicator: z.object({ id: z.string(), label: z.string(), display: z.string().nullable() }).optional(),
  detail: Label, trace: z.array(z.string()).optional(),
});
/** One document's figures, the relations between them and, when held against a county-year, the checks against its data. */
export const DocumentAudit = z.object({
  name: z.string(), text: z.string(), figures: z.array(FigureView), relations: z.array(RelationView), failures: z.number(),
  data: z.object({
    county: z.string(), year: z.number(), supported: z.number(), contradicted: z.number(), unchecked: z.number(), checks: z.array(DataCheck),
  }).optional(),
});
export type DocumentAudit = z.infer<typeof DocumentAudit>;

// ------------------------------------------------------------------ configuration

export const CategoryItem = z.object({ value: z.string(), zh: z.string(), en: z.string(), retired: z.boolean().optional() });
export const RoundingRule = z.object({ mode: z.enum(['half_up', 'truncate']), decimals: z.number() });
export type RoundingRule = z.infer<typeof RoundingRule>;
export const ConfigSource = z.union([
  z.object({ stored: z.literal(false) }),
  z.object({ stored: z.literal(true), unit: z.string(), year: z.number(), version: z.number(), updatedBy: z.string(), updatedAt: z.string() }),
]);
export const OwnElement = z.object({
  id: z.string(), zh: z.string(), en: z.string(), unit: z.string(), unitWord: Label.optional(),
  section: z.string(), retired: z.boolean().optional(), definedBy: z.string().optional(),
});
export const ConfigView = z.object({
  year: z.number(), unit: z.string(),
  categories: z.array(z.object({ name: z.string(), items: z.array(CategoryItem), source: ConfigSource, own: z.boolean() })),
  rounding: z.object({ rates: RoundingRule, indicators: z.record(z.string(), RoundingRule) }),
  ownRounding: z.object({ rates: RoundingRule.optional(), indicators: z.record(z.string(), RoundingRule).optional(), source: ConfigSource }).nullable(),
  elements: z.array(OwnElement),
  sections: z.array(z.object({ key: z.string(), zh: z.string() })),
  units: z.array(z.object({ key: z.string(), zh: z.string(), en: z.string() })),
});
export type ConfigView = z.infer<typeof ConfigView>;

export const ReportTemplateView = z.object({
  year: z.number(), unit: z.string(), yaml: z.string(), own: z.boolean(),
  source: z.union([
    z.object({ from: z.literal('stored'), unit: z.string(), year: z.number(), version: z.number(), updatedBy: z.string(), updatedAt: z.string() }),
    z.object({ from: z.literal('file'), unit: z.string(), path: z.string() }),
  ]),
});
export type ReportTemplateView = z.infer<typeof ReportTemplateView>;

export const OpenedYear = z.object({
  county: z.string(), year: z.number(), from: z.number().nullable(),
  carried: z.object({ pairings: z.number(), demoVillages: z.number(), projects: z.number(), cumulative: z.number(), reportInfo: z.boolean() }),
});
export type OpenedYear = z.infer<typeof OpenedYear>;

// ------------------------------------------------------------------ imports and evidence

export const ImportProblem = z.object({
  file: z.string(), sheet: z.string(), row: z.number().nullable(), column: z.string().nullable(), header: z.string().nullable(),
  field: z.string().nullable(), value: z.string(), zh: z.string(), en: z.string(),
});
export const ImportOutcome = z.object({
  committed: z.boolean(), dryRun: z.boolean(), ok: z.boolean(), rows: z.number(),
  errors: z.array(ImportProblem), errorCount: z.number(),
  notices: z.array(ImportProblem.omit({ header: true, field: true })),
  summary: z.array(z.object({ kind: z.string(), added: z.number(), updated: z.number(), unchanged: z.number() })),
  /** Per ledger: rows matched to existing records (on the whole key, or loosely on the key columns a sheet has), new, ambiguous. */
  preview: z.array(z.object({ kind: z.string(), matched: z.number(), matchedLoosely: z.number(), new: z.number(), ambiguous: z.number() })),
  sheets: z.array(z.object({ file: z.string(), sheet: z.string(), ledger: z.string().nullable(), headerRow: z.number().nullable(), rows: z.number() })),
  findings: z.array(z.object({
    code: z.literal('duplicate_person'), ledger: z.string(), masked: z.string(), newAbove: z.number(), zh: z.string(), en: z.string(),
    records: z.array(z.object({ id: z.number(), name: z.string().nullable(), startDate: z.string().nullable(), employer: z.string().nullable(), note: z.string().nullable() })),
  })),
  /** Annotated copies of the files with problems, base64-encoded .xlsx. */
  annotated: z.array(z.object({ file: z.string(), name: z.string(), marked: z.number(), base64: z.string() })),
});
export type ImportOutcome = z.infer<typeof ImportOutcome>;

export const ImportJob = z.object({
  id: z.string(), state: z.enum(['running', 'done', 'failed']), county: z.string(), year: z.number(), dryRun: z.boolean(),
  rows: z.number(), startedAt: z.string(), finishedAt: z.string().nullable(),
  result: ImportOutcome.nullable(),
  error: z.object({ code: z.string(), zh: z.string(), en: z.string() }).nullable(),
});
export type ImportJob = z.infer<typeof ImportJob>;

/** A background zip of every county's report under a unit. */
export const ReportJob = z.object({
  id: z.string(), state: z.enum(['running', 'done', 'failed', 'cancelled']),
  unit: z.string(), unitName: z.string(), year: z.number(), format: z.enum(['docx', 'md', 'html']), appendix: z.enum(['annex', 'inline', 'none']),
  total: z.number(), done: z.number(), current: z.array(z.object({ code: z.string(), name: z.string() })),
  failures: z.array(z.object({ code: z.string(), name: z.string(), zh: z.string(), en: z.string() })),
  startedAt: z.string(), finishedAt: z.string().nullable(), etaSeconds: z.number().nullable(),
  filename: z.string(), size: z.number().nullable(),
  error: z.object({ code: z.string(), zh: z.string(), en: z.string() }).nullable(),
});
export type ReportJob = z.infer<typeof ReportJob>;

export const Evidence = z.object({
  id: z.number(), county: z.string(), year: z.number(), ledger: z.string().nullable(), recordId: z.number().nullable(),
  indicator: z.string().nullable(), filename: z.string(), mime: z.string(), size: z.number(), sha256: z.string(),
  uploadedBy: z.string(), uploadedAt: z.string(),
});
export type Evidence = z.infer<typeof Evidence>;
