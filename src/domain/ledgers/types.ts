/**
 * The vocabulary of ledger declarations. A declaration is the single source for a ledger's
 * table columns, API schema, form, table columns in the UI, Excel template and importer.
 */

export interface Label {
  zh: string;
  en: string;
}

/** Storage and validation type of a field. Money is integer 分 in a `<name>_fen` column. */
export type FieldType = 'text' | 'int' | 'money' | 'date' | 'enum' | 'bool' | 'code';

/** How precisely a source states a figure: 约 (about), 余/以上 (more than), a range, or exactly. */
export type Qualifier = 'exact' | 'about' | 'over' | 'range';
export const QUALIFIERS: readonly Qualifier[] = ['exact', 'about', 'over', 'range'];

export interface FieldDecl {
  readonly name: string;
  readonly type: FieldType;
  readonly label: Label;
  readonly required?: boolean;
  /** For enum fields: the id of a category list configured per assessment year. */
  readonly categories?: string;
  /** The figure may carry a qualifier; adds `<col>_qual` and `<col>_max` columns. */
  readonly qualified?: boolean;
  /** Lower bound for int and money fields (default 0). */
  readonly min?: number;
  /** Upper bound for int and money fields. */
  readonly max?: number;
  /** Longest accepted text. */
  readonly maxLength?: number;
  /** Text containing a person's resident ID: stored only as keyed hash plus masked form. */
  readonly pii?: 'resident_id';
  /** A GB/T 2260 division code (township or village) inside the county. */
  readonly orgUnit?: boolean;
  /** The value must pass the unified social credit code checksum. */
  readonly creditCode?: boolean;
  readonly help?: Label;
}

export interface LedgerDecl {
  /** Identifier used in formulas, the API and file names, e.g. `donation`. */
  readonly kind: string;
  /** SQL table name; every ledger table also has id, county_code, year, note, version, timestamps. */
  readonly table: string;
  readonly label: Label;
  /** The department that usually keeps it; used for grouping in the UI and the workbook. */
  readonly group: 'organisation' | 'funds' | 'projects' | 'labour' | 'consumption' | 'social' | 'industry' | 'talent' | 'villages';
  readonly fields: readonly FieldDecl[];
  /** Fields that identify a record within a county-year; imports upsert on them. */
  readonly naturalKey: readonly string[];
  /** Which field's value gives a record its display name. */
  readonly titleField: string;
  /** Cross-field checks that zod cannot express per field; returns the offending field and reason. */
  readonly check?: (r: Record<string, unknown>) => Array<{ field: string; zh: string; en: string }>;
}

/** A whole-number field that holds a year (its lower bound is a year): printed without a thousands separator, never added up. */
export const isYearField = (f: FieldDecl): boolean => f.type === 'int' && (f.min ?? 0) >= 1900;

/**
 * Whether a field's values may be added up in a 合计 row: amounts and counts. Bounded whole numbers
 * (a year, months employed out of 12) describe one record and are left out.
 */
export const isAdditive = (f: FieldDecl): boolean => f.type === 'money' || (f.type === 'int' && f.max === undefined && !isYearField(f));

/** The SQL columns a field occupies, in order. */
export function columnsOf(f: FieldDecl): string[] {
  const col = f.type === 'money' ? `${f.name}_fen` : f.pii ? `${f.name}_hash` : f.name;
  const cols = [col];
  if (f.pii) cols.push(`${f.name}_masked`);
  if (f.qualified) cols.push(`${col}_qual`, `${col}_max`);
  return cols;
}

/** The columns every ledger table has besides its fields. */
export const COMMON_COLUMNS = ['id', 'county_code', 'year', 'note', 'version', 'created_at', 'updated_at'] as const;
