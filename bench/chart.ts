/**
 * Renders the scale benchmark's curve (the JSON line `npm run bench -- scale` ends with) as an SVG
 * chart with ECharts' server-side renderer: milliseconds against counties for each method.
 * Run: npx tsx bench/chart.ts result.json docs/performance-scale.svg
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as echarts from 'echarts';

interface Point { engine: string; counties: number; engine_ms: number; handsql_ms: number; ownsql_ms?: number; duckdb_ms: number | null; percounty_ms: number | null }

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  process.stderr.write('usage: tsx bench/chart.ts result.json out.svg\n');
  process.exit(1);
}
const text = readFileSync(input, 'utf8').trim().split('\n').filter((l) => l.startsWith('{"counties"')).at(-1)!;
const points = (JSON.parse(text) as { points: Point[] }).points;
const series: Array<{ name: string; data: Array<[number, number]> }> = [];
const add = (name: string, engine: string, pick: (p: Point) => number | null) => {
  const data = points.filter((p) => p.engine === engine && pick(p) !== null).map((p) => [p.counties, pick(p)!] as [number, number]);
  if (data.length) series.push({ name, data });
};
add('engine, SQLite', 'sqlite', (p) => p.engine_ms);
add('hand-written statements, bare driver, SQLite', 'sqlite', (p) => p.handsql_ms);
add("engine's own statements, bare driver, SQLite", 'sqlite', (p) => p.ownsql_ms ?? null);
add('hand-written statements, DuckDB', 'sqlite', (p) => p.duckdb_ms);
add('county by county (before), SQLite', 'sqlite', (p) => p.percounty_ms);
add('engine, PostgreSQL', 'postgres', (p) => p.engine_ms);
add('hand-written statements, PostgreSQL', 'postgres', (p) => p.handsql_ms);
add("engine's own statements, PostgreSQL", 'postgres', (p) => p.ownsql_ms ?? null);
add('county by county (before), PostgreSQL', 'postgres', (p) => p.percounty_ms);

const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: 820, height: 480 });
chart.setOption({
  animation: false,
  title: { text: 'Full 2022 catalogue (indicators and rules) for N synthetic counties', left: 'center', textStyle: { fontSize: 14 } },
  legend: { top: 28, textStyle: { fontSize: 11 } },
  grid: { top: 115, left: 70, right: 30, bottom: 50 },
  xAxis: { type: 'value', name: 'counties', nameLocation: 'middle', nameGap: 30 },
  yAxis: { type: 'value', name: 'ms (best of 2)', nameLocation: 'middle', nameGap: 50 },
  series: series.map((s) => ({ type: 'line', name: s.name, data: s.data, symbolSize: 7, label: { show: true, fontSize: 10 } })),
});
writeFileSync(output, chart.renderToSVGString());
chart.dispose();
process.stdout.write(`written ${output}\n`);
