/** The one way the web app talks to the server: JSON over /api, the session cookie, and the CSRF header. */

export interface Label {
  zh: string;
  en: string;
}

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, readonly msg: Label, readonly details?: unknown) {
    super(msg.en);
  }
}

let csrf: string | null = null;
export function setCsrf(token: string | null): void {
  csrf = token;
}

async function request<T>(method: string, url: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (method !== 'GET' && csrf) headers['x-csrf-token'] = csrf;
  let payload: BodyInit | undefined;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const res = await fetch(url, { method, headers, body: payload, credentials: 'same-origin' });
  if (res.status === 204) return undefined as T;
  const type = res.headers.get('content-type') ?? '';
  if (!res.ok) {
    if (type.includes('json')) {
      const e = (await res.json()) as { error: { code: string; message: Label; details?: unknown } };
      throw new ApiError(res.status, e.error.code, e.error.message, e.error.details);
    }
    throw new ApiError(res.status, 'HTTP', { zh: `请求失败（${res.status}）`, en: `request failed (${res.status})` });
  }
  return (type.includes('json') ? await res.json() : await res.text()) as T;
}

export const api = {
  get: <T>(url: string) => request<T>('GET', url),
  post: <T>(url: string, body?: unknown) => request<T>('POST', url, body ?? {}),
  put: <T>(url: string, body?: unknown) => request<T>('PUT', url, body ?? {}),
  del: <T>(url: string) => request<T>('DELETE', url),
  upload: <T>(url: string, form: FormData) => request<T>('POST', url, form),
};

export const qs = (o: Record<string, string | number | undefined | null>) => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(o)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
};

// ---- shapes served by the API

export interface UserView {
  id: number;
  username: string;
  displayName: string;
  role: string;
  units: string[];
  ledgers: string[] | null;
  disabled?: boolean;
  lockedAt?: string | null;
  demo?: boolean;
  /** In the accounts list: each unit's code with its division name. */
  unitNames?: Array<{ code: string; name: string | null }>;
}
export interface TokenView {
  id: number;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  readOnly: boolean;
  county: string | null;
  expiresAt: string | null;
}
export interface SessionView {
  user: UserView;
  csrf: string | null;
  roleLabel: Label;
}
export interface FieldDecl {
  name: string;
  type: 'text' | 'int' | 'money' | 'date' | 'enum' | 'bool' | 'code';
  label: Label;
  required?: boolean;
  categories?: string;
  qualified?: boolean;
  min?: number;
  max?: number;
  maxLength?: number;
  pii?: string;
  help?: Label;
}
export interface LedgerDecl {
  kind: string;
  label: Label;
  group: string;
  fields: FieldDecl[];
  naturalKey: string[];
  titleField: string;
}
export interface Meta {
  ledgers: LedgerDecl[];
  roles: Record<string, Label>;
  statuses: Record<string, Label>;
  /** Set when the database holds a generated (synthetic) dataset, not real reports. */
  synthetic?: { seed: number; counties: number; year: number } | null;
}
export type Categories = Record<string, Array<{ value: string; zh: string; en: string; retired?: boolean }>>;
export type LedgerRecord = Record<string, unknown> & { id: number; version: number; county_code: string; year: number };
export interface County {
  code: string;
  name: string;
  years: number[];
}
export interface Indicator {
  id: string;
  label: Label;
  unit: string;
  formula: string;
  value: string | null;
  display: string | null;
  /** The figure in English words and units ("about CNY 0.12 million"). */
  displayEn?: string | null;
  raw: number | null;
  qual: string;
  source: string;
  breakdown?: Array<{ key: string; label: string; labelEn?: string; raw: number | null; display: string; displayEn?: string }>;
  target?: { op: string; value: string | null; valueMax: string | null; display: string; displayEn?: string; orgCode: string; reportedStatus: string | null; note: string | null };
  status: 'met' | 'missed' | 'no_target' | 'no_data';
  flags: Label[];
  /** For a prefecture or province: what its counties add up to, beside its own stated figure. */
  rolledUp?: { display: string; counties: number } | null;
  partial?: boolean;
}
export interface Rule {
  id: string;
  label: Label;
  ok: boolean | null;
  left: string | null;
  right: string | null;
  op: string;
  detail: Label;
}
export interface LedgerState {
  ledger: string;
  label: Label;
  status: 'draft' | 'submitted' | 'approved' | 'returned';
  completeness: string;
  comment: string | null;
  updatedBy: string | null;
  updatedByName: string | null;
  updatedAt: string | null;
  allowed: string[];
}
export interface Evidence {
  id: number;
  ledger: string | null;
  recordId: number | null;
  indicator: string | null;
  filename: string;
  mime: string;
  size: number;
  uploadedBy: string;
  uploadedAt: string;
}
export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  /** The account's display name; null for the system and for accounts that no longer exist. */
  actorName: string | null;
  action: string;
  entity: string;
  entityId: string | null;
  county: string | null;
  year: number | null;
  before: unknown;
  after: unknown;
}
