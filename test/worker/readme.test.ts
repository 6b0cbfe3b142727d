import { expect, it } from 'vitest';
import readme from '../../README.md?raw';
import { snippet } from '../../tag/snippet';
import { get } from './support/ingest';

it('the README shows exactly the snippet the tag ships', () => {
  expect(readme).toContain(snippet({ src: 'https://t.example.com/s.js', writeKey: 'YOUR_WRITE_KEY' }));
});

it('the demo page embeds the same snippet, pointing at this collector', async () => {
  const res = await get('/demo');
  expect(res.status).toBe(200);
  const html = await res.text();
  expect(html).toContain(snippet({ src: 'http://collector.test/s.js', writeKey: 'test-write-key' }));
});
