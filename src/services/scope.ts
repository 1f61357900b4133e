import type { Store } from '../store/db.ts';
import { keptUntilWrite } from '../store/kept.ts';
import { orgUnitExists, pairedWithAny } from '../store/orgunit-repo.ts';
import { forbidden, notFound } from './errors.ts';

/**
 * Who is acting and over which org units. Units are GB/T 2260 codes at their natural length
 * (province "62", prefecture "6230", county "623023"); a unit covers every code it prefixes.
 */
export type Role = 'county_clerk' | 'county_admin' | 'east_user' | 'province_user' | 'auditor' | 'admin';

export interface Actor {
  id: string;
  name: string;
  role: Role;
  units: readonly string[];
  /** For county clerks: the ledger kinds their department keeps; undefined means all. */
  ledgers?: readonly string[];
  /** Set for an API token limited to one county: nothing outside it is read or written. */
  onlyCounty?: string;
  /** Set for a read-only API token: every write is refused. */
  readOnly?: boolean;
}

/** The actor used by the CLI and the demo loader: whoever can run the CLI owns the database file. */
export const SYSTEM: Actor = { id: 'system', name: 'system', role: 'admin', units: [] };

/** True when the actor may read the county's data. Eastern users see the counties paired with their units. */
export async function canRead(store: Store, actor: Actor, county: string): Promise<boolean> {
  if (actor.onlyCounty !== undefined && county !== actor.onlyCounty) return false;
  if (actor.role === 'admin') return true;
  if (actor.units.some((u) => county.startsWith(u))) return true;
  if (actor.role === 'east_user' && actor.units.length > 0) return pairedWithAny(store.db, actor.units, county);
  return false;
}

/** Refuses with Forbidden unless the actor may read the county. */
export async function assertRead(store: Store, actor: Actor, county: string): Promise<void> {
  if (!(await canRead(store, actor, county))) throw forbidden('无权查看该县数据', 'not allowed to read this county');
  // A code the actor's scope covers but that names no division (a typo, a county of another
  // province not loaded) is "not found", not a failure further down.
  if (!(await keptUntilWrite(store, `unit:${county}`, () => orgUnitExists(store.db, county)))) throw notFound('未找到该县', 'county not found');
}

/**
 * Refuses unless the actor may read a roll-up: a province or prefecture as assertRead; the nation
 * (every county added up) administrators and holders of the national unit (''); an eastern unit's
 * paired counties administrators and the eastern users of that unit or one above it.
 */
export async function assertReadRollUp(store: Store, actor: Actor, scope: { unit: string } | { east: string }): Promise<void> {
  if ('unit' in scope && scope.unit !== '') return assertRead(store, actor, scope.unit);
  if (actor.onlyCounty !== undefined) throw forbidden('该令牌仅限一个县', 'this token is limited to one county');
  if (actor.role === 'admin') return;
  const allowed = 'east' in scope ? actor.role === 'east_user' && actor.units.some((u) => scope.east.startsWith(u)) : actor.units.includes('');
  if (!allowed) throw forbidden('east' in scope ? '无权查看该东部单位的协作县汇总' : '无权查看全国汇总', 'east' in scope ? "not allowed to read this eastern unit's paired counties" : 'not allowed to read the national roll-up');
}

/** Refuses with Forbidden unless the actor may change the county's ledger. Auditors and eastern users only read. */
export function assertWrite(actor: Actor, county: string, ledger?: string): void {
  if (actor.readOnly) throw forbidden('该令牌只读，不能修改数据', 'this token is read-only');
  if (actor.onlyCounty !== undefined && county !== actor.onlyCounty) throw forbidden('该令牌仅限另一个县', 'this token is limited to another county');
  if (actor.role === 'admin') return;
  const writes = actor.role === 'county_clerk' || actor.role === 'county_admin';
  if (!writes || !actor.units.some((u) => county.startsWith(u)))
    throw forbidden('无权修改该县数据', 'not allowed to change this county');
  if (actor.role === 'county_clerk' && ledger && actor.ledgers && !actor.ledgers.includes(ledger))
    throw forbidden('该台账不属于本部门', 'this ledger belongs to another department');
}

/**
 * For a thing looked up by id: passes when the actor may read its county, and otherwise answers the
 * same for "absent" and "outside your scope" — Forbidden with one message — so an id's existence
 * is not revealed to whoever may not read it. Unrestricted administrators, who may read everything,
 * get `absent` (NotFound) for an id that does not exist.
 */
export async function assertVisible(store: Store, actor: Actor, county: string | undefined, absent: () => Error): Promise<void> {
  if (county !== undefined && (await canRead(store, actor, county))) return;
  if (county === undefined && actor.role === 'admin' && actor.onlyCounty === undefined) throw absent();
  throw forbidden('不存在或无权查看', 'not found or not allowed');
}
