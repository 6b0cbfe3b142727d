/**
 * Throughput vs MoEngage's limit, per minute, as inline SVG. The y axis is logarithmic: a quiet
 * site sends a handful of events a minute against a 30,000 limit, and both must be readable.
 */
import { h, svg } from './dom';
import { number } from './format';
import type { MinuteStats } from '../views';

const W = 640;
const H = 160;
const PAD = { left: 44, right: 8, top: 10, bottom: 22 };

export function throughputChart(series: MinuteStats[], limit: number, label: string): HTMLElement {
  const peak = Math.max(1, ...series.map((m) => Math.max(m.moengage.events, m.dropped, m.dead)));
  const top = Math.max(limit, peak) * 2;
  const y = (v: number) => PAD.top + (H - PAD.top - PAD.bottom) * (1 - Math.log10(v + 1) / Math.log10(top + 1));
  const slot = (W - PAD.left - PAD.right) / Math.max(1, series.length);
  const bar = Math.max(1, slot / 3 - 1);
  const x = (i: number) => PAD.left + i * slot;

  const ticks: SVGElement[] = [];
  for (let v = 1; v <= top; v *= 10) {
    ticks.push(
      svg('line', { x1: PAD.left, x2: W - PAD.right, y1: y(v), y2: y(v), class: 'grid' }),
      svg('text', { x: PAD.left - 4, y: y(v) + 3, 'text-anchor': 'end', class: 'tick' }, v >= 1000 ? `${v / 1000}k` : String(v)),
    );
  }
  const bars = series.flatMap((m, i) => [
    barOf(x(i), bar, y, m.moengage.events, 'b-delivered', `${time(m.minute)}: ${number(m.moengage.events)} events accepted by MoEngage`),
    barOf(x(i) + bar + 1, bar, y, m.dropped, 'b-dropped', `${time(m.minute)}: ${number(m.dropped)} dropped`),
    barOf(x(i) + 2 * (bar + 1), bar, y, m.dead, 'b-dead', `${time(m.minute)}: ${number(m.dead)} dead-lettered`),
  ]);
  const labels = series.flatMap((m, i) => (i % 5 === 0 || i === series.length - 1 ? [svg('text', { x: x(i), y: H - 6, class: 'tick' }, time(m.minute))] : []));
  const last = series[series.length - 1];
  const summary = `${label}: last minute ${number(last?.moengage.events ?? 0)} events accepted, ${number(last?.dropped ?? 0)} dropped, ${number(last?.dead ?? 0)} dead; MoEngage limit ${number(limit)} events per minute.`;

  const chart = svg(
    'svg',
    { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': summary, class: 'chart' },
    svg('title', {}, summary),
    ...ticks,
    ...bars,
    svg('line', { x1: PAD.left, x2: W - PAD.right, y1: y(limit), y2: y(limit), class: 'limit' }),
    svg('text', { x: W - PAD.right, y: y(limit) - 3, 'text-anchor': 'end', class: 'limit-label' }, `MoEngage limit ${number(limit)}/min`),
    ...labels,
  );
  return h(
    'figure',
    { class: 'throughput' },
    chart,
    h(
      'figcaption',
      {},
      h('span', { class: 'key b-delivered' }),
      ' accepted by MoEngage (events/min) ',
      h('span', { class: 'key b-dropped' }),
      ' dropped ',
      h('span', { class: 'key b-dead' }),
      ' dead-lettered · log scale · ',
      label,
    ),
  );
}

function barOf(x: number, width: number, y: (v: number) => number, value: number, cls: string, title: string): SVGElement {
  const top = y(value);
  return svg('rect', { x, y: top, width, height: Math.max(0, y(0) - top), class: cls }, svg('title', {}, title));
}

function time(minute: number): string {
  const d = new Date(minute);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}
