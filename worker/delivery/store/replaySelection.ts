/** What an operator's replay selects, and what it did (QueueStore.replay, POST /debugger/api/replay). */

export interface ReplaySelector {
  messageIds?: string[];
  reason?: string;
  all?: boolean;
}

export interface ReplayResult {
  /** Dead-lettered events queued again. */
  replayed: number;
  /** Paused events among the selection (they move when the connection resumes). */
  paused: number;
  /** Selected by messageId but not replayable (unknown, delivered, waiting…), with their status. */
  skipped: { messageId: string; status: string | null }[];
}
