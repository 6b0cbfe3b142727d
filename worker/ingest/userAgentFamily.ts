/**
 * What the rejection log keeps of a User-Agent: the browser or client family and its major version,
 * and the platform (`Chrome 124 on Windows`, `curl 8`, `Googlebot 2`). Enough to tell a broken tag
 * release from a script or a crawler; not the full string, which with its minor versions, device
 * models and custom tokens can single out a person (and can carry anything a client puts there).
 */
const BROWSERS: [RegExp, string][] = [
  [/\bEdgA?\/(\d+)/, 'Edge'],
  [/\bOPR\/(\d+)/, 'Opera'],
  [/\bSamsungBrowser\/(\d+)/, 'Samsung Internet'],
  [/\bFxiOS\/(\d+)/, 'Firefox'],
  [/\bFirefox\/(\d+)/, 'Firefox'],
  [/\bCriOS\/(\d+)/, 'Chrome'],
  [/\bHeadlessChrome\/(\d+)/, 'HeadlessChrome'],
  [/\bChrome\/(\d+)/, 'Chrome'],
  [/\bVersion\/(\d+)[\d.]* (?:Mobile\/\w+ )?Safari\//, 'Safari'],
];

const PLATFORMS: [RegExp, string][] = [
  [/Windows/, 'Windows'],
  [/Android/, 'Android'],
  [/iPhone|iPad|iPod/, 'iOS'],
  [/Mac OS X|Macintosh/, 'macOS'],
  [/CrOS/, 'ChromeOS'],
  [/Linux/, 'Linux'],
];

/** Crawlers name themselves in a product token (`Googlebot/2.1`, `bingbot/2.0`, `GPTBot/1.0`). */
const BOT_TOKEN = /\b([A-Za-z][\w-]{0,39}(?:bot|crawler|spider|Bot|Crawler|Spider))\/(\d+)/;
/** Any other client: its first product token (`curl/8.4.0`, `analytics-node/3.1.0`, `okhttp/4.12`). */
const PRODUCT_TOKEN = /^([A-Za-z][\w.-]{0,39})\/v?(\d+)/;

export function userAgentFamily(ua: string | null): string | null {
  const text = (ua ?? '').trim().slice(0, 1000);
  if (!text) return null;
  const bot = BOT_TOKEN.exec(text);
  if (bot) return `${bot[1]} ${bot[2]}`;
  const platform = PLATFORMS.find(([pattern]) => pattern.test(text))?.[1];
  for (const [pattern, name] of BROWSERS) {
    const found = pattern.exec(text);
    if (found) return `${name} ${found[1]}${platform ? ` on ${platform}` : ''}`;
  }
  const product = PRODUCT_TOKEN.exec(text);
  if (product && product[1] !== 'Mozilla') return `${product[1]} ${product[2]}`;
  return platform ? `other on ${platform}` : 'other';
}
