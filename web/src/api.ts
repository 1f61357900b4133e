/** The one way the web app talks to the server: JSON over /api, the session cookie, and the CSRF header. */

import type { Label } from '../../src/api/contract.ts';

export type { Label };

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

// ---- shapes served by the API: inferred from the server's response schemas, types only

export type {
  AuditEntry, AuditList, Categories, ConfigView, County, Dashboard, DocumentAudit, Evidence, FieldDecl, ImportJob, ImportOutcome, ReportJob,
  Indicator, IndicatorRanking, IndicatorsAndRules, LedgerDecl, LedgerRecord, LedgerRecords, LedgerState, Meta, Narrative, NarrativeParagraph,
  NewPassword, NewToken, OpenedYear, ProblemDrafts, RankedCounty, ReportableElement, ReportedList, ReportedValue,
  ReportTemplateView, RoundingRule, RuleResult as Rule, SessionView, TargetedIndicator, TokenView, UnitName, UserListEntry,
  UserView, WarningsReport,
} from '../../src/api/contract.ts';
