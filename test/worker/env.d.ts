// Lets `env` from `cloudflare:test` / `cloudflare:workers` carry the Worker's own bindings.
declare namespace Cloudflare {
  interface Env extends import('../../worker/env').Env {}
}
