import { Badge } from 'antd';
import { useEffect, useState } from 'react';
import { api } from '../../api.ts';
import { useApp } from '../../context.ts';
import { defaultAsOf, type WarningsReport } from './types.ts';

/** The navigation entry's label with the number of warnings of the chosen county not yet acknowledged. */
export function WarningsMenuLabel({ label }: { label: string }) {
  const { county, year, version } = useApp();
  const [n, setN] = useState(0);
  useEffect(() => {
    if (!county || !year) return;
    let live = true;
    api.get<WarningsReport>(`/api/warnings/${county}?asOf=${defaultAsOf(year)}`).then(
      (r) => { if (live) setN(r.counties.flatMap((c) => c.warnings).filter((w) => !w.ack).length); },
      () => { if (live) setN(0); },
    );
    return () => { live = false; };
  }, [county, year, version]);
  return (
    <span data-testid="warnings-nav">
      {label}
      {n > 0 && <Badge count={n} size="small" style={{ marginInlineStart: 8 }} data-testid="warnings-badge" />}
    </span>
  );
}
