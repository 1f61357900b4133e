import type { Generated } from 'kysely';

/** Row types of the fixed tables. Ledger tables are typed from their declarations (see ledger-repo.ts). */
export interface OrgUnitRow {
  code: string;
  name: string;
  level: 'province' | 'prefecture' | 'county' | 'township' | 'village' | 'custom';
  parent_code: string | null;
  /** 1 for units without a GB/T 2260 code (开发区, 经开区), added under a parent by a user. */
  custom?: number;
}

export interface Database {
  org_unit: OrgUnitRow;
  cooperation_pair: { id: Generated<number>; east_code: string; west_code: string; since_year: number | null; until_year: number | null; since?: string | null };
  ledger_state: {
    county_code: string; year: number; ledger: string; completeness: 'complete' | 'partial';
    status: 'draft' | 'submitted' | 'approved' | 'returned'; comment: string | null; updated_by: string | null; updated_at: string;
  };
  reported_value: {
    id: Generated<number>; county_code: string; year: number; element: string; dim: string; value: string;
    qual: string; value_max: string | null; note: string | null; version: Generated<number>; updated_at: string; scale?: string; unit_word?: string | null;
  };
  target: {
    id: Generated<number>; org_code: string; year: number; indicator: string; op: string; value: string | null;
    value_max: string | null; reported_status: string | null; set_by: string | null; note: string | null;
    version: Generated<number>; updated_at: string;
  };
  target_claim: { org_code: string; year: number; indicator: string; status: string; note: string | null; updated_by: string | null; updated_at: string };
  narrative: {
    id: Generated<number>; county_code: string; year: number; section: string; seq: number; title: string | null;
    body: string; note: string | null; version: Generated<number>; updated_at: string;
  };
  report_meta: { county_code: string; year: number; issuer: string; report_date: string; partner_code: string | null };
  audit_log: {
    id: Generated<number>; at: string; actor: string; action: string; entity: string; entity_id: string | null;
    county_code: string | null; year: number | null; before_json: string | null; after_json: string | null;
    /** Hash chain (migration 20261201_0020_security): position, previous entry's hash, this entry's hash. */
    seq: number | null; prev_hash: string | null; hash: string | null;
  };
  audit_chain: { id: number; seq: number; hash: string };
  deployment_meta: { key: string; value: string; updated_at: string };
}
