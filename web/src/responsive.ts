import { Grid } from 'antd';

/**
 * Whether the window is phone-sized (narrower than antd's `md`, 768 px): the shell then puts the
 * menu in a drawer and pages show cards instead of wide tables. Before the first measurement it
 * answers from the window width, so a phone never renders the desktop layout first.
 */
export function useNarrow(): boolean {
  const screens = Grid.useBreakpoint();
  if (screens.md === undefined) return typeof window !== 'undefined' && window.innerWidth < 768;
  return !screens.md;
}
