/**
 * `npm run blueprint -- validate|preview|show …`: the logic, with files and streams passed in so
 * the worker tests can run it in workerd. scripts/blueprint.ts is the Node shell around it.
 */
import { z } from 'zod';
import { type Preview, preview, type PreviewOptions } from '../worker/ingest/preview';
import { BlueprintError, PRESETS, resolveBlueprints } from '../worker/blueprints/registry';
import type { Blueprint } from '../worker/blueprints/schema';
import { isPhoneCountry, PHONE_VALIDATIONS } from '../worker/identity/phone';
import { ANONYMOUS_POLICIES } from '../worker/identity/resolveCustomer';
import { MOE_PREFIX_POLICIES, NESTED_POLICIES } from '../worker/moengage/guardAttributes';

export interface CliIo {
  readFile(path: string): string;
  /** Piped standard input, or undefined when it is a terminal. */
  stdin(): string | undefined;
  out(text: string): void;
  err(text: string): void;
  /** blueprints/custom.json as bundled into the Worker (so `extends` and names resolve as deployed). */
  bundled: { path: string; value: unknown };
  /** Same file? (the CLI shell compares resolved paths) */
  isBundledPath(path: string): boolean;
}

export const USAGE = `usage: npm run blueprint -- <command>

  validate <file.json>                 check a custom blueprint file (one blueprint or an array)
  preview <blueprint> [message.json]   print the MoEngage request(s) a message would produce
  show <blueprint>                     print a blueprint as resolved (presets: ${Object.keys(PRESETS).join(', ')})

<blueprint> is a preset name, a blueprint in blueprints/custom.json, or a .json file.
[message.json] holds one message, an array, or {"batch": [...]}; without it, standard input or
the seed's Order Completed example. Preview options (as the per-connection settings):
  --anonymous=hold|customer|drop   --phone-validation=possible|valid   --phone-country=GB
  --visitor-country=US   --moe-prefix=rename|drop   --nested=flatten|object
  --workspace=ID   --now=2026-11-28T10:00:00Z   --json`;

/** The seed 004 example (datafly.track("Order Completed", …) of user u_8842). */
export const SEED_MESSAGE = {
  type: 'track',
  userId: 'u_8842',
  event: 'Order Completed',
  properties: { order_id: 'ORD-1001', revenue: 89.99, currency: 'GBP', coupon: 'WELCOME10' },
  context: { traits: { email: 'jane@example.com', phone: '+447700900123', first_name: 'Jane', last_name: 'Doe' } },
};

const Flags = z.strictObject({
  anonymous: z.enum(ANONYMOUS_POLICIES).optional(),
  'phone-validation': z.enum(PHONE_VALIDATIONS).optional(),
  'phone-country': z.string().refine(isPhoneCountry, 'a two-letter country code (GB, US, DE …)').optional(),
  'visitor-country': z.string().refine(isPhoneCountry, 'a two-letter country code (GB, US, DE …)').optional(),
  'moe-prefix': z.enum(MOE_PREFIX_POLICIES).optional(),
  nested: z.enum(NESTED_POLICIES).optional(),
  workspace: z.string().min(1).optional(),
  now: z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'an ISO 8601 date-time').optional(),
  json: z.literal(true).optional(),
});

class UsageError extends Error {}

function splitArgs(args: readonly string[]): { positional: string[]; flags: Record<string, string | true> } {
  const positional: string[] = [];
  const flags: Record<string, string | true> = {};
  for (const arg of args) {
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const [name, ...value] = arg.slice(2).split('=');
    flags[name as string] = value.length ? value.join('=') : true;
  }
  return { positional, flags };
}

function parseJsonFile(io: CliIo, path: string): unknown {
  let text: string;
  try {
    text = io.readFile(path);
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new BlueprintError([`${path}: not valid JSON (${error instanceof Error ? error.message : String(error)})`]);
  }
}

/** Every known blueprint: presets, the bundled file, and optionally one more file. */
function knownBlueprints(io: CliIo, file?: string): { known: Record<string, Blueprint>; fromFile: string[] } {
  const sources: { origin: string; value: unknown }[] = [];
  if (!file || !io.isBundledPath(file)) sources.push({ origin: io.bundled.path, value: io.bundled.value });
  let fromFile: string[] = [];
  if (file) {
    const value = parseJsonFile(io, file);
    sources.push({ origin: file, value });
    const items = Array.isArray(value) ? value : [value];
    fromFile = items.map((i) => (i && typeof i === 'object' ? String((i as { name?: unknown }).name) : ''));
  }
  return { known: resolveBlueprints(sources), fromFile };
}

function resolveBlueprint(io: CliIo, ref: string): Blueprint {
  if (ref.endsWith('.json')) {
    const { known, fromFile } = knownBlueprints(io, ref);
    if (fromFile.length !== 1) throw new UsageError(`${ref} holds ${fromFile.length} blueprints; preview needs one (or name one from blueprints/custom.json)`);
    return known[fromFile[0] as string] as Blueprint;
  }
  const { known } = knownBlueprints(io);
  const blueprint = known[ref];
  if (!blueprint) throw new UsageError(`unknown blueprint "${ref}" (known: ${Object.keys(known).join(', ')}; or give a .json file)`);
  return blueprint;
}

function summarize(blueprint: Blueprint): string {
  const rules = Object.entries(blueprint.events);
  const on = rules.filter(([, r]) => r.enabled !== false).map(([k, r]) => (r.action && r.action !== k ? `${k} → ${r.action}` : k));
  const off = rules.filter(([, r]) => r.enabled === false).map(([k]) => k);
  const filters = rules.filter(([, r]) => r.filter).map(([k, r]) => `${k}: ${r.filter}`);
  return [
    `✓ ${blueprint.name}: ${on.length} events delivered (${on.join(', ')})`,
    off.length ? `  disabled: ${off.join(', ')}` : '',
    filters.length ? `  filters: ${filters.join('; ')}` : '',
    blueprint.group && blueprint.group.enabled !== false ? '  group calls → company attributes' : '',
  ]
    .filter(Boolean)
    .join('\n');
}

function messagesOf(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (value && typeof value === 'object' && Array.isArray((value as { batch?: unknown }).batch)) return (value as { batch: unknown[] }).batch;
  return [value];
}

function describeMessage(message: unknown): string {
  const m = (message && typeof message === 'object' ? message : {}) as Record<string, unknown>;
  const what = m.type === 'track' ? String(m.event) : String(m.type ?? 'message');
  return m.messageId ? `${what} (${String(m.messageId)})` : what;
}

function printPreview(io: CliIo, message: unknown, result: Preview): void {
  io.out(`── ${describeMessage(message)} → ${result.status}${result.status === 'dropped' ? ` (${result.reason}: ${result.detail})` : ''}`);
  if (result.status === 'invalid') {
    for (const issue of result.issues) io.out(`   ${issue.path}: ${issue.message}`);
    return;
  }
  if (result.status === 'held') io.out(`   ${result.detail}`);
  for (const request of result.requests) io.out(`${request.method} ${request.path}\n${JSON.stringify(request.body, null, 2)}`);
  for (const o of result.omissions) io.out(`   omitted ${o.reason}: ${o.detail}`);
}

function previewCommand(io: CliIo, positional: string[], rawFlags: Record<string, string | true>): number {
  const [ref, messageFile] = positional;
  if (!ref) throw new UsageError('preview needs a blueprint (preset name, custom name or .json file)');
  const flags = Flags.safeParse(rawFlags);
  if (!flags.success) {
    throw new UsageError(
      flags.error.issues
        .map((i) => (i.code === 'unrecognized_keys' ? `unknown option ${i.keys.map((k) => `--${k}`).join(', ')}` : `--${i.path.join('.')}: ${i.message}`))
        .join('\n'),
    );
  }
  const f = flags.data;
  const blueprint = resolveBlueprint(io, ref);
  const options: PreviewOptions = {
    anonymous: f.anonymous,
    phoneValidation: f['phone-validation'],
    defaultPhoneCountry: f['phone-country'],
    visitorCountry: f['visitor-country'],
    moePrefix: f['moe-prefix'],
    nestedAttributes: f.nested,
    workspaceId: f.workspace,
    now: f.now ? Date.parse(f.now) : undefined,
  };
  let input: unknown;
  if (messageFile) input = parseJsonFile(io, messageFile);
  else {
    const piped = io.stdin();
    if (piped !== undefined && piped.trim() !== '') {
      try {
        input = JSON.parse(piped);
      } catch (error) {
        throw new BlueprintError([`standard input: not valid JSON (${error instanceof Error ? error.message : String(error)})`]);
      }
    } else {
      io.err('(no message given: previewing the seed’s Order Completed example)');
      input = SEED_MESSAGE;
    }
  }
  const messages = messagesOf(input);
  const results = messages.map((m) => preview(m, blueprint, options));
  if (f.json) io.out(JSON.stringify(results.length === 1 ? results[0] : results, null, 2));
  else messages.forEach((m, i) => printPreview(io, m, results[i] as Preview));
  return results.some((r) => r.status === 'invalid') ? 1 : 0;
}

/** Runs one CLI invocation; returns the exit code (0 ok, 1 invalid blueprint or message, 2 usage). */
export function runBlueprintCli(args: readonly string[], io: CliIo): number {
  const [command, ...rest] = args;
  const { positional, flags } = splitArgs(rest);
  try {
    switch (command) {
      case 'validate': {
        const [file] = positional;
        if (!file) throw new UsageError('validate needs a file: npm run blueprint -- validate blueprints/my-shop.json');
        const { known, fromFile } = knownBlueprints(io, file);
        for (const name of fromFile) io.out(summarize(known[name] as Blueprint));
        return 0;
      }
      case 'preview':
        return previewCommand(io, positional, flags);
      case 'show': {
        const [ref] = positional;
        if (!ref) throw new UsageError('show needs a blueprint name or .json file');
        io.out(JSON.stringify(resolveBlueprint(io, ref), null, 2));
        return 0;
      }
      case undefined:
      case 'help':
      case '--help':
        io.out(USAGE);
        return command ? 0 : 2;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof BlueprintError) {
      io.err(`✗ ${error.problems.length} problem${error.problems.length === 1 ? '' : 's'}:`);
      for (const problem of error.problems) io.err(`  ${problem}`);
      return 1;
    }
    if (error instanceof UsageError) {
      io.err(`${error.message}\n\n${USAGE}`);
      return 2;
    }
    throw error;
  }
}
