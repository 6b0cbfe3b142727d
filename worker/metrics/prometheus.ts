/**
 * Pure: metric families in Prometheus' text exposition format (version 0.0.4), which Prometheus,
 * Grafana Agent/Alloy, the OpenTelemetry collector and Datadog's OpenMetrics check all scrape.
 * https://prometheus.io/docs/instrumenting/exposition_formats/
 */

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export type Labels = Record<string, string>;

export interface Sample {
  labels: Labels;
  value: number;
}

export type Family =
  | { name: string; help: string; type: 'counter' | 'gauge'; samples: Sample[] }
  | {
      name: string;
      help: string;
      type: 'histogram';
      /** Upper bounds, ascending, without +Inf. */
      buckets: readonly number[];
      /** Per label set: counts per bucket (not cumulative; the last one is +Inf), and the sum. */
      series: { labels: Labels; counts: number[]; sum: number }[];
    };

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

const escapeHelp = (text: string) => text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
const escapeValue = (text: string) => text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

function number(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function labelText(labels: Labels): string {
  const entries = Object.entries(labels);
  if (!entries.length) return '';
  for (const [name] of entries) if (!LABEL.test(name) || name.startsWith('__')) throw new Error(`invalid label name ${name}`);
  return `{${entries.map(([k, v]) => `${k}="${escapeValue(v)}"`).join(',')}}`;
}

function line(name: string, labels: Labels, value: number): string {
  return `${name}${labelText(labels)} ${number(value)}`;
}

export function renderPrometheus(families: readonly Family[]): string {
  const out: string[] = [];
  for (const f of families) {
    if (!NAME.test(f.name)) throw new Error(`invalid metric name ${f.name}`);
    out.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`);
    if (f.type !== 'histogram') {
      for (const s of f.samples) out.push(line(f.name, s.labels, s.value));
      continue;
    }
    for (const s of f.series) {
      let cumulative = 0;
      f.buckets.forEach((bound, i) => {
        cumulative += s.counts[i] ?? 0;
        out.push(line(`${f.name}_bucket`, { ...s.labels, le: number(bound) }, cumulative));
      });
      cumulative += s.counts[f.buckets.length] ?? 0;
      out.push(line(`${f.name}_bucket`, { ...s.labels, le: '+Inf' }, cumulative));
      out.push(line(`${f.name}_sum`, s.labels, s.sum));
      out.push(line(`${f.name}_count`, s.labels, cumulative));
    }
  }
  return `${out.join('\n')}\n`;
}
