import type { EChartsCoreOption, ECharts } from 'echarts/core';
import { Empty, Spin } from 'antd';
import { useEffect, useRef, useState } from 'react';

type Echarts = typeof import('echarts/core');

/**
 * The chart library, loaded the first time a chart is shown (a file of its own in the built app):
 * the sign-in page and the dashboard's figures do not wait for it on a slow connection.
 */
let library: Promise<Echarts> | undefined;
function loadEcharts(): Promise<Echarts> {
  library ??= import('./echarts-setup.ts').then((m) => m.echarts);
  // A failed load (the connection dropped) is tried again by the next chart shown.
  library.catch(() => { library = undefined; });
  return library;
}

/** An ECharts canvas that follows its option and its container's size. */
export function Chart({ option, height = 260, testId, empty }: { option: EChartsCoreOption; height?: number; testId?: string; empty?: boolean }) {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<ECharts | null>(null);
  const [ready, setReady] = useState(false);
  useEffect(() => {
    let gone = false;
    let ro: ResizeObserver | undefined;
    void loadEcharts().then((echarts) => {
      if (gone || !ref.current) return;
      chart.current = echarts.init(ref.current);
      ro = new ResizeObserver(() => chart.current?.resize());
      ro.observe(ref.current);
      setReady(true);
    }, () => undefined);
    return () => { gone = true; ro?.disconnect(); chart.current?.dispose(); chart.current = null; };
  }, []);
  useEffect(() => { if (ready) chart.current?.setOption(option, true); }, [option, ready]);
  return (
    <div style={{ position: 'relative' }}>
      <div ref={ref} style={{ height, width: '100%', visibility: empty ? 'hidden' : 'visible' }} data-testid={testId} />
      {!ready && !empty && <Spin style={{ position: 'absolute', inset: 0, display: 'flex', alignItems: 'center', justifyContent: 'center' }} />}
      {empty && <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} style={{ position: 'absolute', inset: 0, display: 'flex', flexDirection: 'column', justifyContent: 'center', margin: 0 }} />}
    </div>
  );
}
