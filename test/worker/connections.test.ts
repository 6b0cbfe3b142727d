/**
 * Connection settings that decide where MoEngage requests go: the data center (no silent default),
 * one connection per workspace, Portfolio's project_code on the endpoints MoEngage documents it for.
 */
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../worker/config/ConfigError';
import { type Connection, readConnections } from '../../worker/config/connections';
import { parseDataCenter } from '../../worker/config/dataCenter';
import type { Env } from '../../worker/env';
import worker from '../../worker/index';
import { deleteUserPayload, isUnknownUserAnswer } from '../../worker/moengage/deleteUser';
import { deleteUserUrl, endpointUrl } from '../../worker/moengage/endpoints';

const flat = (vars: Record<string, string>) => ({ MOENGAGE_WORKSPACE_ID: 'ws', MOENGAGE_DATA_API_KEY: 'k', ...vars }) as unknown as Env;
const json = (entries: Record<string, unknown>[], vars: Record<string, string> = {}) =>
  ({ KEY_A: 'a', KEY_B: 'b', KEY_C: 'c', MOENGAGE_CONNECTIONS: JSON.stringify(entries), ...vars }) as unknown as Env;

function configError(envValue: Env): ConfigError {
  try {
    readConnections(envValue);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('MOENGAGE_DATA_CENTER: 01–06 and 101, however MoEngage’s pages spell them', () => {
  it.each([
    ['01', '01'],
    ['1', '01'],
    ['02', '02'],
    ['DC-02', '02'],
    ['dc02', '02'],
    ['DC02', '02'],
    ['dc-2', '02'],
    ['DC 3', '03'],
    ['dc_04', '04'],
    [' 05 ', '05'],
    ['DC-06', '06'],
    ['101', '101'],
    ['DC-101', '101'],
    ['dc101', '101'],
  ])('%j → %s', (raw, dataCenter) => {
    expect(parseDataCenter(raw)).toEqual({ ok: true, dataCenter });
  });

  it.each(['00', '07', '7', '10', '100', '102', 'DC-', 'EU', 'us', '', 'dc-0x2', '02a', 'api-02'])('%j is not a data center', (raw) => {
    expect(parseDataCenter(raw)).toMatchObject({ ok: false, problem: expect.stringContaining('use 01, 02, 03, 04, 05, 06, 101') });
  });

  it('the spelling reaches the connection (flat settings and MOENGAGE_CONNECTIONS)', () => {
    expect(readConnections(flat({ MOENGAGE_DATA_CENTER: 'DC-02' }))[0]?.dataCenter).toBe('02');
    expect(readConnections(json([{ id: 'a', workspaceId: 'wa', dataApiKeySecret: 'KEY_A', dataCenter: 'dc03' }]))[0]?.dataCenter).toBe('03');
    expect(endpointUrl(readConnections(flat({ MOENGAGE_DATA_CENTER: 'DC-101' }))[0]!, 'event')).toBe('https://api-101.moengage.com/v1/event/ws');
  });

  it('unset without MOENGAGE_API_BASE is a misconfiguration naming the setting, not a silent 01', () => {
    const error = configError(flat({}));
    expect(error.setting).toBe('MOENGAGE_DATA_CENTER');
    expect(error.message).toBe('MOENGAGE_DATA_CENTER: is not set: set it to your MoEngage data center (01, 02, 03, 04, 05, 06, 101, the number in your dashboard URL: dashboard-02 → 02), or set MOENGAGE_API_BASE');
    expect(configError(json([{ id: 'a', workspaceId: 'wa', dataApiKeySecret: 'KEY_A' }])).message).toContain('MOENGAGE_CONNECTIONS[0]: dataCenter: is not set');
  });

  it('a wrong value is a misconfiguration that names the setting but not the value', () => {
    const error = configError(flat({ MOENGAGE_DATA_CENTER: 'EU-west' }));
    expect(error.setting).toBe('MOENGAGE_DATA_CENTER');
    expect(error.message).toContain('is not a MoEngage data center: use 01, 02, 03, 04, 05, 06, 101');
    expect(error.message).not.toContain('EU-west');
  });

  it('with MOENGAGE_API_BASE (the sandbox) no data center is needed, and none is invented', () => {
    const [connection] = readConnections(flat({ MOENGAGE_API_BASE: 'http://127.0.0.1:8788' }));
    expect(connection?.dataCenter).toBeUndefined();
    expect(endpointUrl(connection!, 'customer')).toBe('http://127.0.0.1:8788/v1/customer/ws');
  });

  it('the collector answers 503 misconfigured when it is missing', async () => {
    const { MOENGAGE_API_BASE: _, ...withoutBase } = env as unknown as Record<string, unknown>;
    const ctx = createExecutionContext();
    const res = await worker.fetch(new Request('http://collector.test/v1/batch', { method: 'POST', body: '{}' }) as never, withoutBase as never, ctx);
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: 'misconfigured', detail: expect.stringMatching(/^MOENGAGE_DATA_CENTER: is not set/) });
  });
});

describe('one connection per workspace and data center', () => {
  it('refuses two connections to the same workspace on the same data center, naming both ids', () => {
    const error = configError(
      json([
        { id: 'shop', workspaceId: 'WS1', dataApiKeySecret: 'KEY_A', dataCenter: '02' },
        { id: 'shop-b2b', workspaceId: 'WS1', dataApiKeySecret: 'KEY_B', dataCenter: 'DC-02', blueprint: 'b2b-saas' },
      ]),
    );
    expect(error.setting).toBe('MOENGAGE_CONNECTIONS');
    expect(error.problems).toEqual([
      'connections "shop" and "shop-b2b" both send to workspace WS1 on data center 02, so every event would reach MoEngage twice; remove one, or set "allowDuplicateWorkspace": true on one of them if that is meant',
    ]);
  });

  it('refuses the same workspace behind the same API base URL', () => {
    const error = configError(
      json([
        { id: 'a', workspaceId: 'WS1', dataApiKeySecret: 'KEY_A', apiBase: 'http://moengage.sandbox/' },
        { id: 'b', workspaceId: 'WS1', dataApiKeySecret: 'KEY_B', apiBase: 'http://moengage.sandbox' },
      ]),
    );
    expect(error.problems[0]).toContain('connections "a" and "b" both send to workspace WS1 on the same API base URL');
  });

  it('the collector answers 503 misconfigured naming both ids', async () => {
    const ctx = createExecutionContext();
    const res = await worker.fetch(
      new Request('http://collector.test/v1/batch', { method: 'POST', body: '{}' }) as never,
      { ...env, KEY_X: 'x', MOENGAGE_CONNECTIONS: JSON.stringify([{ id: 'one', workspaceId: 'demo-workspace', dataApiKeySecret: 'KEY_X' }, { id: 'two', workspaceId: 'demo-workspace', dataApiKeySecret: 'KEY_X' }]) } as never,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: 'misconfigured', detail: expect.stringContaining('connections "one" and "two" both send to workspace demo-workspace') });
  });

  it.each([
    ['another data center', [{ dataCenter: '01' }, { dataCenter: '02' }]],
    ['another workspace', [{ dataCenter: '01' }, { dataCenter: '01', workspaceId: 'WS2' }]],
    ['allowDuplicateWorkspace on the first', [{ dataCenter: '01', allowDuplicateWorkspace: true }, { dataCenter: '01' }]],
    ['allowDuplicateWorkspace on the second', [{ dataCenter: '01' }, { dataCenter: '01', allowDuplicateWorkspace: true }]],
  ])('accepts %s', (_name, [a, b]) => {
    const connections = readConnections(
      json([
        { id: 'a', workspaceId: 'WS1', dataApiKeySecret: 'KEY_A', ...a },
        { id: 'b', workspaceId: 'WS1', dataApiKeySecret: 'KEY_B', ...b },
      ]),
    );
    expect(connections.map((c) => c.id)).toEqual(['a', 'b']);
  });

  it('names every pair when there are several', () => {
    const error = configError(
      json([
        { id: 'a', workspaceId: 'WS1', dataApiKeySecret: 'KEY_A', dataCenter: '01' },
        { id: 'b', workspaceId: 'WS1', dataApiKeySecret: 'KEY_B', dataCenter: '01' },
        { id: 'c', workspaceId: 'WS1', dataApiKeySecret: 'KEY_C', dataCenter: '01' },
      ]),
    );
    expect(error.problems.map((p) => p.slice(0, 28))).toEqual(['connections "a" and "b" both', 'connections "a" and "c" both']);
  });
});

describe('Portfolio projectCode → MoEngage’s project_code where MoEngage documents it', () => {
  const portfolio = (projectCode?: string): Connection =>
    readConnections(json([{ id: 'a', workspaceId: 'WS 1', dataApiKeySecret: 'KEY_A', dataCenter: '02', ...(projectCode ? { projectCode } : {}) }]))[0]!;

  it('on Track User, Create Event and Bulk Import; not on Merge User (undocumented there)', () => {
    const c = portfolio('brand a/1');
    expect(endpointUrl(c, 'event')).toBe('https://api-02.moengage.com/v1/event/WS%201?project_code=brand%20a%2F1');
    expect(endpointUrl(c, 'customer')).toBe('https://api-02.moengage.com/v1/customer/WS%201?project_code=brand%20a%2F1');
    expect(endpointUrl(c, 'transition')).toBe('https://api-02.moengage.com/v1/transition/WS%201?project_code=brand%20a%2F1');
    expect(endpointUrl(c, 'merge')).toBe('https://api-02.moengage.com/v1/customer/merge?app_id=WS%201');
    expect(deleteUserUrl(c)).toBe('https://api-02.moengage.com/v1/customer/delete?app_id=WS%201');
  });

  it('is optional: without it the URLs are MoEngage’s plain ones', () => {
    const c = portfolio();
    expect(c.projectCode).toBeUndefined();
    expect(endpointUrl(c, 'event')).toBe('https://api-02.moengage.com/v1/event/WS%201');
  });

  it('comes from MOENGAGE_PROJECT_CODE for the flat settings; a blank one is refused', () => {
    expect(readConnections(flat({ MOENGAGE_DATA_CENTER: '01', MOENGAGE_PROJECT_CODE: 'brand-a' }))[0]?.projectCode).toBe('brand-a');
    expect(configError(json([{ id: 'a', workspaceId: 'WS1', dataApiKeySecret: 'KEY_A', dataCenter: '01', projectCode: '  ' }])).message).toContain('projectCode');
  });

  it('the debugger’s preview shows the URLs with ?project_code=', async () => {
    const ctx = createExecutionContext();
    const res = await worker.fetch(
      new Request('http://collector.test/debugger/api/preview', {
        method: 'POST',
        headers: { authorization: 'Bearer test-debugger-token', 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'identify', userId: 'u_1', traits: { email: 'a@b.test' } }),
      }) as never,
      { ...env, MOENGAGE_PROJECT_CODE: 'brand-a' } as never,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    const body = (await res.json()) as { connections: { urls: string[] }[] };
    expect(body.connections[0]?.urls).toEqual(['http://moengage.sandbox/v1/customer/demo-workspace?project_code=brand-a']);
  });
});

describe('Delete User payload (no caller yet: the erasure pipeline comes later)', () => {
  it('one user by customer_id, as MoEngage documents', () => {
    expect(deleteUserPayload('u_8842')).toEqual({ identity_type: 'customer_id', identity_value: 'u_8842' });
    expect(() => deleteUserPayload('  ')).toThrow(RangeError);
  });

  it.each<[number, unknown, boolean]>([
    [400, { status: 'fail', error: { message: "User doesn't exists with customer id u_1", type: 'Not Found', request_id: 'x' } }, true],
    [400, { status: 'fail', error: { message: 'bad', type: 'InvalidAttributeError' } }, false],
    [404, { status: 'fail', error: { type: 'Not Found' } }, false],
    [200, { status: 'success' }, false],
    [400, 'Not Found', false],
  ])('%i %j is MoEngage’s “no such user”: %s', (status, body, unknown) => {
    expect(isUnknownUserAnswer(status, body)).toBe(unknown);
  });
});
