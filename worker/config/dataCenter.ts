/**
 * MoEngage data centers: the number is the cluster in the dashboard URL (dashboard-02 → 02) and
 * in the API host (api-02.moengage.com). MoEngage's own pages write it `01`, `DC-01`, `DC 1` or
 * `dc01`; every such spelling means the same cluster.
 */
export const DATA_CENTERS = ['01', '02', '03', '04', '05', '06', '101'] as const;
export type DataCenter = (typeof DATA_CENTERS)[number];

const SPELLING = /^(?:dc)?[\s_-]*0*(\d{1,3})$/i;

export type DataCenterResult = { ok: true; dataCenter: DataCenter } | { ok: false; problem: string };

/** `02`, `2`, `DC-02`, `dc02`, `DC 2`, `101`, `DC-101` → the cluster number MoEngage's hosts use. */
export function parseDataCenter(raw: string): DataCenterResult {
  const match = SPELLING.exec(raw.trim());
  const n = match ? Number(match[1]) : NaN;
  const dataCenter = n === 101 ? '101' : n >= 1 && n <= 6 ? (`0${n}` as DataCenter) : undefined;
  if (dataCenter) return { ok: true, dataCenter };
  return {
    ok: false,
    problem: `${JSON.stringify(raw)} is not a MoEngage data center: use ${DATA_CENTERS.join(', ')} (DC-02 and dc02 are read as 02), the number in your dashboard URL (dashboard-02 → 02)`,
  };
}
