/**
 * What a log line may say about an error: its name and where in our code it was thrown, never its
 * message (SECURITY.md "Logs": a message can quote input — a body, an email, a header — or a secret).
 * `{error: 'TypeError', where: 'QueueStore.replay (queueStore.ts:238)'}`.
 */
export function errorFacts(error: unknown): { error: string; where?: string } {
  if (!(error instanceof Error)) return { error: typeof error };
  const name = /^[\w$.]{1,64}$/.test(error.name) ? error.name : 'Error';
  const frame = (error.stack ?? '')
    .split('\n')
    .map((line) => /^\s+at (?:([\w$.<>[\] ]{1,120}) \()?(?:.*\/)?([\w$.-]{1,120}):(\d+):\d+\)?$/.exec(line))
    .find((m) => m !== null);
  if (!frame) return { error: name };
  const [, fn, file, lineNo] = frame;
  return { error: name, where: fn ? `${fn} (${file}:${lineNo})` : `${file}:${lineNo}` };
}
