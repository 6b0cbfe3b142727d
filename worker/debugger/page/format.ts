import type { EventStatus } from '../views';

export const STATUSES: readonly EventStatus[] = ['delivered', 'queued', 'retrying', 'held', 'paused', 'dropped', 'dead'];

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

export function clock(at: number): string {
  const d = new Date(at);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

export function dateTime(at: number): string {
  const d = new Date(at);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${clock(at)}`;
}

export function ago(at: number, now = Date.now()): string {
  const s = Math.round((now - at) / 1000);
  if (s < 0) return `in ${duration(-s)}`;
  return `${duration(s)} ago`;
}

export function duration(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
  return `${Math.floor(seconds / 86_400)} d ${Math.floor((seconds % 86_400) / 3600)} h`;
}

export const number = (n: number) => n.toLocaleString('en-GB');

export function json(value: unknown): string {
  return JSON.stringify(value, null, 2) ?? 'null';
}

/** A status code and its meaning, as MoEngage's answer column shows it. */
export function answerText(status: number): string {
  if (status === 0) return 'no answer';
  return String(status);
}
