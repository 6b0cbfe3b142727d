/** Prometheus text exposition (worker/metrics/prometheus.ts): exact output, table-driven. */
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { describe, expect, it } from 'vitest';
import { type Family, renderPrometheus } from '../../../worker/metrics/prometheus';

describe('renderPrometheus', () => {
  const cases: { name: string; families: Family[]; text: string }[] = [
    {
      name: 'a counter with labels, HELP and TYPE first',
      families: [{ name: 'edgetag_events_total', help: 'Events.', type: 'counter', samples: [{ labels: { connection: 'main', status: 'dead', reason: 'expired' }, value: 3 }] }],
      text: '# HELP edgetag_events_total Events.\n# TYPE edgetag_events_total counter\nedgetag_events_total{connection="main",status="dead",reason="expired"} 3\n',
    },
    {
      name: 'a gauge without samples still declares itself',
      families: [{ name: 'g', help: 'x', type: 'gauge', samples: [] }],
      text: '# HELP g x\n# TYPE g gauge\n',
    },
    {
      name: 'escapes: backslash and newline in HELP; also quotes in label values',
      families: [{ name: 'g', help: 'a\\b\nc', type: 'gauge', samples: [{ labels: { error: 'say "hi"\\\n' }, value: 1.5 }] }],
      text: '# HELP g a\\\\b\\nc\n# TYPE g gauge\ng{error="say \\"hi\\"\\\\\\n"} 1.5\n',
    },
    {
      name: 'special values',
      families: [{ name: 'g', help: 'x', type: 'gauge', samples: [{ labels: {}, value: Infinity }, { labels: { a: 'b' }, value: NaN }] }],
      text: '# HELP g x\n# TYPE g gauge\ng +Inf\ng{a="b"} NaN\n',
    },
    {
      name: 'a histogram: cumulative buckets, +Inf, _sum and _count per series',
      families: [{ name: 'h', help: 'x', type: 'histogram', buckets: [1, 5], series: [{ labels: { c: 'a' }, counts: [2, 3, 1], sum: 9.5 }] }],
      text: '# HELP h x\n# TYPE h histogram\nh_bucket{c="a",le="1"} 2\nh_bucket{c="a",le="5"} 5\nh_bucket{c="a",le="+Inf"} 6\nh_sum{c="a"} 9.5\nh_count{c="a"} 6\n',
    },
  ];
  it.each(cases)('$name', ({ families, text }) => {
    const out = renderPrometheus(families);
    expect(out).toBe(text);
    expect(() => parsePrometheusTextFormat(out)).not.toThrow();
  });

  it('refuses names Prometheus would refuse', () => {
    expect(() => renderPrometheus([{ name: 'bad-name', help: '', type: 'gauge', samples: [] }])).toThrow(/invalid metric name/);
    expect(() => renderPrometheus([{ name: 'g', help: '', type: 'gauge', samples: [{ labels: { 'bad-label': 'x' }, value: 1 }] }])).toThrow(/invalid label name/);
    expect(() => renderPrometheus([{ name: 'g', help: '', type: 'gauge', samples: [{ labels: { __reserved: 'x' }, value: 1 }] }])).toThrow(/invalid label name/);
  });
});
