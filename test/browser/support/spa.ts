/**
 * A single-page app for the autoPage tests: a small client-side router on the History API, written
 * the way router libraries behave — links are intercepted and `pushState`d, an old path redirects with
 * `replaceState`, back/forward re-render on `popstate`, filters change the query with `replaceState`,
 * and the view and `document.title` change a moment after the URL (in a later task, as a framework
 * renders). `window.afterNavigate(path)`, if a test sets it, runs after each render (where apps call
 * their own `tag.page(...)`).
 */
import { snippet } from '../../../tag/snippet';

export const SPA_ROUTES: Record<string, string> = {
  '/app/': 'Home',
  '/app/products': 'Products',
  '/app/products/42': 'Product 42',
  '/app/new': 'New Arrivals',
};

/** The app at any /app/… URL; `tag` embeds the tag (the README's snippet, or a module script). */
export function spaPage(tag: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Loading…</title>
${tag}
</head><body>
<nav>
  <a data-link href="/app/">Home</a> <a data-link href="/app/products">Products</a>
  <a data-link href="/app/products/42">Product 42</a> <a data-link href="/app/old">Old arrivals</a>
  <a id="filter" href="#">In stock only</a> <a id="reviews" href="#reviews">Reviews</a> <a id="away" href="/blank">leave</a>
</nav>
<main id="view"></main>
<script>
  var routes = ${JSON.stringify(SPA_ROUTES)};
  var redirects = { '/app/old': '/app/new' };
  function render() {
    var path = location.pathname;
    if (redirects[path]) { history.replaceState(history.state, '', redirects[path]); return render(); }
    var title = routes[path] || 'Not found';
    setTimeout(function () {
      document.title = title;
      document.getElementById('view').textContent = title;
      if (window.afterNavigate) window.afterNavigate(path);
    }, 10);
  }
  window.navigate = function (href) { history.pushState({ at: Date.now() }, '', href); render(); };
  document.addEventListener('click', function (e) {
    var a = e.target.closest('a');
    if (!a) return;
    if (a.hasAttribute('data-link')) { e.preventDefault(); navigate(a.getAttribute('href')); }
    if (a.id === 'filter') { e.preventDefault(); history.replaceState(history.state, '', location.pathname + '?stock=1'); }
  });
  addEventListener('popstate', render);
  render();
</script>
</body></html>`;
}

/** The README's snippet with autoPage, in a script element. */
export const spaSnippet = (writeKey: string, global?: string): string => `<script>\n${snippet({ src: '/s.js', writeKey, global, autoPage: true })}\n</script>`;
