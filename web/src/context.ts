import { createContext, useContext } from 'react';
import type { Categories, County, Meta, SessionView } from './api.ts';

export interface AppState {
  session: SessionView;
  meta: Meta;
  categories: Categories;
  counties: County[];
  county: string;
  year: number;
  /** Bumped after writes so that pages showing derived figures reload. */
  version: number;
  bump: () => void;
  /** Shows another county (of those listed), keeping the year where it has one. */
  pickCounty: (code: string) => void;
}

export const AppContext = createContext<AppState | null>(null);
export function useApp(): AppState {
  const s = useContext(AppContext);
  if (!s) throw new Error('useApp outside the signed-in app');
  return s;
}
