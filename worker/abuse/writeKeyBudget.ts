import type { Config } from '../config/config';
import type { Env } from '../env';
import { limitIngest } from './ingestRateLimit';
import type { RateDecision } from './slidingWindow';

/** Admitted; `overBudget`: only thanks to the address's share (the debugger marks these events). */
export type WriteKeyVerdict = { allowed: true; overBudget: boolean } | ({ allowed: false } & Omit<RateDecision, 'allowed'>);

/**
 * The write key is public (it is in every page's HTML), so its limit must not be a lever: a hard
 * per-key cap lets anyone with ~50 addresses spend it and have every real visitor refused.
 *
 * So the key's limit (INGEST_RATE_PER_WRITE_KEY) is a budget, not a wall. Under it, every address
 * is admitted (each still within INGEST_RATE_PER_IP). Over it, each address may still send its share,
 * INGEST_RATE_SHARE_PER_IP requests a minute, counted per key and address: a visitor's tag (one
 * batch a second at most) fits in it, an abuser's addresses are cut down to it. What the key admits
 * per minute is then at most its budget plus one share per address sending (the overshoot grows
 * with the addresses an abuser holds, not with how hard each of them pushes). A share of 0 makes
 * the key's limit a hard cap again.
 */
export async function limitWriteKey(writeKey: string, ip: string | undefined, env: Env, config: Config): Promise<WriteKeyVerdict> {
  const budget = await limitIngest('writeKey', writeKey, env, config);
  if (budget.allowed) return { allowed: true, overBudget: false };
  if (config.ingestRateSharePerIp === 0) return refusal(budget);
  const share = await limitIngest('share', `${writeKey}|${ip ?? 'unknown-address'}`, env, config);
  return share.allowed ? { allowed: true, overBudget: true } : refusal(share);
}

function refusal({ retryAfterSeconds, firstRefusal }: RateDecision): WriteKeyVerdict {
  return { allowed: false, retryAfterSeconds, firstRefusal };
}
