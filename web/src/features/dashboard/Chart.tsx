import { BarChart, PieChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { Empty } from 'antd';
import { useEffect, useRef } from 'react';

echarts.use([BarChart, PieChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

/** An ECharts canvas that follows its option and its container's size. */
export function Chart({ option, height = 260, testId, empty }: { option: echarts.EChartsCoreOption; height?: number; testId?: string; empty?: boolean }) {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  useEffect(() => {
    chart.current = echarts.init(ref.current!);
    const ro = new ResizeObserver(() => chart.current?.resize());
    ro.observe(ref.current!);
    return () => { ro.disconnect(); chart.current?.dispose(); };
  }, []);
  useEffect(() => { chart.current?.setOption(option, true); }, [option]);
  return (
    <div style={{ position: 'relative' }}>
      <div ref={ref} style={{ height, width: '100%', visibility: empty ? 'hidden' : 'visible' }} data-testid={testId} />
      {empty && <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} style={{ position: 'absolute', inset: 0, display: 'flex', flexDirection: 'column', justifyContent: 'center', margin: 0 }} />}
    </div>
  );
}
