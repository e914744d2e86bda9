/**
 * A self-contained API reference page rendered from the OpenAPI document: no scripts, no CDN, so it
 * works offline, in the local host and behind strict content policies alike (docs/decisions/003).
 */
import { createHash } from 'node:crypto';

/** The page's only style sheet, inline: the policy below allows exactly these bytes. */
const STYLE = `body{font:15px/1.5 system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;color:#1b1f24}
code,pre{font:13px ui-monospace,monospace}pre{background:#f4f6f8;padding:.5rem;overflow:auto;max-height:20rem;margin:0}
.op{border-top:1px solid #d0d7de;padding:.5rem 0}.m{display:inline-block;min-width:4.5rem;text-align:center;border-radius:4px;color:#fff;padding:0 .4rem}
.get{background:#0969da}.post{background:#1a7f37}.put{background:#9a6700}.patch{background:#8250df}.delete{background:#cf222e}
table{border-collapse:collapse;width:100%;margin:.5rem 0}td,th{border:1px solid #d0d7de;padding:.25rem .5rem;vertical-align:top;text-align:left}`;

/**
 * The tightest policy that keeps the page working: nothing may load or run except the one inline style
 * sheet, allowed by its hash (so even an injected <style> or style attribute is inert); no scripts at all,
 * no framing, no forms, no <base>. Links to /v1/openapi.json are navigations, which CSP does not govern.
 */
export const REFERENCE_PAGE_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`,
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = { [key: string]: Json };

const isObj = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value);
const escape = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function schemaBlock(schema: Json | undefined): string {
  if (schema === undefined) return '';
  const text = escape(JSON.stringify(schema, null, 2)).replace(/&#34;#\/components\/schemas\/(\w+)&#34;/g, '<a href="#schema-$1">&#34;#/components/schemas/$1&#34;</a>');
  return `<pre>${text}</pre>`;
}

function operationHtml(method: string, path: string, op: Obj): string {
  const security = Array.isArray(op.security) ? (op.security.some((s) => isObj(s) && Object.keys(s).length === 0) ? 'optional bearer token' : 'bearer token') : 'public';
  const params = Array.isArray(op.parameters) ? op.parameters.filter(isObj) : [];
  const paramRows = params.map((p) => `<tr><td><code>${escape(String(p.name))}</code></td><td>${escape(String(p.in))}</td><td>${p.required ? 'yes' : ''}</td><td>${schemaBlock(p.schema)}</td></tr>`).join('');
  const body = isObj(op.requestBody) && isObj(op.requestBody.content) ? op.requestBody.content['application/json'] : undefined;
  const responses = isObj(op.responses) ? op.responses : {};
  const responseRows = Object.entries(responses)
    .map(([status, response]) => {
      const content = isObj(response) && isObj(response.content) ? Object.values(response.content)[0] : undefined;
      return `<tr><td>${escape(status)}</td><td>${escape(String(isObj(response) ? response.description : ''))}</td><td>${isObj(content) ? schemaBlock(content.schema) : ''}</td></tr>`;
    })
    .join('');
  return `<section class="op" id="${escape(String(op.operationId))}">
<h3><span class="m ${method}">${method.toUpperCase()}</span> <code>${escape(path)}</code></h3>
<p>${escape(String(op.summary ?? ''))} <em>(${security})</em></p>
${paramRows ? `<table><tr><th>parameter</th><th>in</th><th>required</th><th>schema</th></tr>${paramRows}</table>` : ''}
${isObj(body) ? `<h4>Request body</h4>${schemaBlock(body.schema)}` : ''}
<table><tr><th>status</th><th>meaning</th><th>body</th></tr>${responseRows}</table>
</section>`;
}

export function referencePage(document: object): string {
  const doc = document as Obj;
  const info = isObj(doc.info) ? doc.info : {};
  const byTag = new Map<string, string[]>();
  for (const [path, item] of Object.entries(isObj(doc.paths) ? doc.paths : {})) {
    if (!isObj(item)) continue;
    for (const [method, op] of Object.entries(item)) {
      if (!isObj(op)) continue;
      const tag = Array.isArray(op.tags) ? String(op.tags[0]) : 'Other';
      byTag.set(tag, [...(byTag.get(tag) ?? []), operationHtml(method, path, op)]);
    }
  }
  const schemas = isObj(doc.components) && isObj(doc.components.schemas) ? doc.components.schemas : {};
  const nav = [...byTag.keys()].map((tag) => `<a href="#tag-${escape(tag)}">${escape(tag)}</a>`).join(' · ');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escape(String(info.title ?? 'API'))} reference</title>
<style>${STYLE}</style></head>
<body><h1>${escape(String(info.title ?? 'API'))} <small>${escape(String(info.version ?? ''))}</small></h1>
<p>${escape(String(info.description ?? ''))} Machine-readable: <a href="/v1/openapi.json">/v1/openapi.json</a>. Errors are <code>application/problem+json</code> with a stable <code>code</code>.</p>
<nav>${nav}</nav>
${[...byTag.entries()].map(([tag, ops]) => `<h2 id="tag-${escape(tag)}">${escape(tag)}</h2>${ops.join('\n')}`).join('\n')}
<h2>Schemas</h2>
${Object.entries(schemas).map(([name, schema]) => `<h3 id="schema-${escape(name)}">${escape(name)}</h3>${schemaBlock(schema)}`).join('\n')}
</body></html>`;
}
