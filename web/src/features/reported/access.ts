import type { UserView } from '../../api.ts';

/**
 * Mirrors the server's rule for reported values and narrative, so that nobody is offered an action
 * that would be refused: administrators, and county users of the county. The server still decides.
 */
export function mayWriteCounty(u: UserView, county: string): boolean {
  return u.role === 'admin' || ((u.role === 'county_admin' || u.role === 'county_clerk') && u.units.some((x) => county.startsWith(x)));
}
