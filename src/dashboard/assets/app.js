// The dlt workspace dashboard: a small single-page app over the read-only JSON API of
// `dlt workspace show`. Routes live in the URL fragment:
//   #/profiles/<profile>                                 the workspace and a profile's pipelines
//   #/profiles/<profile>/pipelines/<name>[/<tab>]         a pipeline (overview|schema|data|query|loads|config)
//   #/profiles/<profile>/pipelines/<name>/query?sql=..&where=..&sort=..&dir=asc|desc   read-only SQL
//   #/profiles/<profile>/pipelines/<name>/tables/<table>?offset=N   rows of a table
// Every value is put into the page as text (never as HTML).
"use strict";

const main = document.getElementById("main");
const crumbs = document.getElementById("crumbs");
const profileSelect = document.getElementById("profile-select");
const PAGE_SIZE = 50;
let workspace = null;
let generation = 0;

class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

function h(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (k === "style") e.style.cssText = v;
    else if (k === "data") for (const [dk, dv] of Object.entries(v)) e.dataset[dk] = dv;
    else e.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

const enc = encodeURIComponent;
const profileRoute = (p) => `#/profiles/${enc(p)}`;
const profileLabel = (p) => (p === "-" ? "pipelines" : `profile ${p}`);
const pipelineRoute = (p, n, tab) => `${profileRoute(p)}/pipelines/${enc(n)}${tab && tab !== "overview" ? "/" + tab : ""}`;
const tableRoute = (p, n, t, offset) => `${profileRoute(p)}/pipelines/${enc(n)}/tables/${enc(t)}${offset ? "?offset=" + offset : ""}`;

async function api(path, signal) {
  const r = await fetch("/api" + path, { headers: { Accept: "application/json" }, cache: "no-store", signal });
  let body = null;
  try {
    body = await r.json();
  } catch (e) {
    body = { error: `${r.status} ${r.statusText}` };
  }
  if (!r.ok) throw new ApiError(body.error || `${r.status} ${r.statusText}`, r.status);
  return body;
}

function errorBox(e, id) {
  return h("div", { class: "error", id: id || null, role: "alert" }, e instanceof Error ? e.message : String(e));
}

function kv(pairs) {
  const dl = h("dl", { class: "kv" });
  for (const [k, v] of pairs) {
    if (v === undefined) continue;
    dl.append(h("dt", {}, k), h("dd", {}, v === null || v === "" ? h("span", { class: "muted" }, "—") : v));
  }
  return dl;
}

function statusBadge(status) {
  const cls = status === "completed" ? "ok" : status === "failed" ? "bad" : "";
  return h("span", { class: `badge ${cls}`, data: { status } }, status);
}

function setCrumbs(parts) {
  crumbs.replaceChildren();
  parts.forEach(([label, href], i) => {
    if (i > 0) crumbs.append(h("span", { class: "sep" }, "/"));
    crumbs.append(href ? h("a", { href }, label) : h("span", {}, label));
  });
}

function renderProfileSelect(current) {
  profileSelect.replaceChildren();
  const names = workspace.profiles.map((p) => p.name);
  if (!names.includes(current)) names.push(current);
  for (const name of names) {
    const p = workspace.profiles.find((x) => x.name === name);
    let label = name;
    if (name === workspace.active_profile) label += " (active)";
    if (p && p.pinned) label += " (pinned)";
    profileSelect.append(h("option", { value: name, selected: name === current }, label));
  }
  profileSelect.value = current;
}

profileSelect.addEventListener("change", () => {
  // Shows another profile's pipelines; the pin and the active profile stay as they are.
  location.hash = profileRoute(profileSelect.value);
});

// --- pages ---------------------------------------------------------------------------------

async function pageProfile(profile) {
  const data = await api(`/profiles/${enc(profile)}/pipelines`);
  const ws = workspace;
  if (!ws.workspace_mode) return pageClassic(data);
  setCrumbs([[`profile ${profile}`, null]]);
  const out = [h("h1", {}, `Workspace ${ws.name}`)];
  if (profile !== ws.active_profile) {
    out.push(h("div", { class: "notice", id: "viewing-other" },
      `Viewing profile ${profile}. The active profile is still ${ws.active_profile}` +
      (ws.pinned_profile ? ` (pinned: ${ws.pinned_profile})` : "") + ": choosing a profile here does not change the pin."));
  }
  const profiles = h("div", { id: "profiles" });
  for (const p of ws.profiles) {
    const cls = p.name === ws.active_profile ? "badge active" : p.configured ? "badge" : "badge muted";
    profiles.append(h("a", { href: profileRoute(p.name), class: cls, title: p.description }, p.name,
      p.pinned ? h("span", { class: "pin", title: "pinned profile" }, "pinned") : null));
  }
  out.push(h("div", { class: "grid" },
    h("section", { class: "card", id: "workspace-card" }, h("h2", {}, "Workspace"), kv([
      ["name", ws.name],
      ["workspace dir", h("code", {}, ws.run_dir)],
      ["settings dir", h("code", {}, ws.settings_dir)],
      ["active profile", h("span", { id: "active-profile" }, `${ws.active_profile} (selected by ${ws.selected_by})`)],
      ["pinned profile", ws.pinned_profile],
      ["profiles", profiles],
    ])),
    h("section", { class: "card", id: "profile-card" }, h("h2", {}, `Profile ${data.profile}`), kv([
      ["pipelines and working data", h("code", {}, data.working_dir)],
      ["locally loaded data", h("code", {}, data.local_dir)],
      ["policy", [data.read_only ? h("span", { class: "badge warn" }, "read-only") : null,
                  data.protected ? h("span", { class: "badge warn" }, "protected") : null,
                  !data.read_only && !data.protected ? "writable" : null]],
    ]))));
  out.push(pipelinesCard(profile, data, `Pipelines in profile ${data.profile}`));
  return out;
}

// Without a workspace there are no profiles: the pipelines of the classic working folder.
function pageClassic(data) {
  setCrumbs([["pipelines", null]]);
  return [
    h("h1", {}, `Pipelines in ${workspace.run_dir}`),
    h("div", { class: "notice", id: "classic-mode" },
      "No workspace here (classic mode): there are no profiles. Create .dlt/.workspace to use them."),
    pipelinesCard("-", data, `Pipelines in ${data.pipelines_dir}`),
  ];
}

function pipelinesCard(profile, data, title) {
  const card = h("section", { class: "card" }, h("h2", {}, title));
  if (data.pipelines.length === 0) {
    card.append(h("p", { class: "muted", id: "no-pipelines" }, `No pipelines in ${data.pipelines_dir} yet: run one with dlt run.`));
  } else {
    const tbody = h("tbody", { id: "pipelines" });
    for (const p of data.pipelines) {
      tbody.append(h("tr", { data: { pipeline: p.name } },
        h("td", {}, h("a", { href: pipelineRoute(profile, p.name), class: "pipeline-link", data: { name: p.name } }, p.name)),
        h("td", {}, statusBadge(p.status)),
        h("td", { class: "last-run" }, p.last_run || (p.synced_at ? `— (synced ${p.synced_at})` : "—")),
        h("td", {}, p.destination || "—"),
        h("td", {}, p.dataset_name || "—"),
        h("td", { class: "num" }, String(p.loaded_packages)),
        h("td", { class: "num" }, String(p.pending_packages))));
    }
    card.append(h("table", { class: "data" },
      h("thead", {}, h("tr", {}, ["pipeline", "status", "last run", "destination", "dataset", "loaded packages", "pending"]
        .map((t, i) => h("th", { class: i >= 5 ? "num" : null }, t)))),
      tbody));
  }
  return card;
}

function tabs(profile, name, current) {
  const nav = h("nav", { class: "tabs", id: "tabs" });
  for (const t of ["overview", "schema", "data", "query", "loads", "config"]) {
    nav.append(h("a", { href: pipelineRoute(profile, name, t), class: t === current ? "tab current" : "tab", data: { tab: t } }, t));
  }
  return nav;
}

function stepsTable(trace) {
  const steps = trace.steps || [];
  const total = steps.reduce((a, s) => a + (s.seconds || 0), 0) || 1;
  return h("table", { class: "data steps", id: "trace-steps" },
    h("thead", {}, h("tr", {}, h("th", {}, "step"), h("th", { class: "num" }, "seconds"), h("th", { class: "num" }, "rows"), h("th", {}, ""))),
    h("tbody", {}, steps.map((s) => h("tr", { data: { step: s.step } },
      h("td", {}, s.step),
      h("td", { class: "num" }, (s.seconds || 0).toFixed(3)),
      h("td", { class: "num" }, String(s.rows ?? "")),
      h("td", { class: "bar" }, h("div", { class: "fill", style: `width:${Math.max(1, (100 * (s.seconds || 0)) / total).toFixed(1)}%` }))))));
}

async function pageOverview(profile, name, p) {
  const d = p.destination || {};
  const out = [];
  out.push(h("div", { class: "grid" },
    h("section", { class: "card", id: "destination-card" }, h("h2", {}, "Destination"), kv([
      ["destination", h("span", { id: "destination" }, d.name || "—")],
      ["type", d.type],
      ["connection", d.description ? h("code", {}, d.description) : undefined],
      ["dataset", h("span", { id: "dataset" }, p.dataset_name || "—")],
      ["type from", d.type_origin],
      ["credentials from", d.credentials_origin],
      ["problem", d.error ? h("span", { class: "badge bad" }, d.error) : undefined],
    ])),
    h("section", { class: "card", id: "packages-card" }, h("h2", {}, "Load packages"), kv([
      ["completed", String(p.packages.loaded)],
      ["newest", p.packages.newest_loaded],
      ["pending", p.packages.pending.length ? p.packages.pending.map((x) => `${x.load_id} (${x.stage})`).join(", ") : "none"],
      ["schema", p.schema ? `${p.schema.name} v${p.schema.version}, ${p.schema.tables} data tables` : null],
      ["working folder", h("code", {}, p.dir)],
    ]))));
  const t = p.trace;
  const traceCard = h("section", { class: "card", id: "trace-card" }, h("h2", {}, "Last run"));
  if (!t) {
    traceCard.append(h("p", { class: "muted" }, "The pipeline has not run yet."));
  } else {
    traceCard.append(kv([
      ["outcome", statusBadge(t.outcome)],
      ["started", t.started_at],
      ["finished", t.finished_at],
      ["profile", t.profile ? `${t.profile}${t.profile_selected_by ? " (selected by " + t.profile_selected_by + ")" : ""}` : undefined],
      ["destination", t.destination],
      ["error", t.error ? h("span", { class: "badge bad" }, t.error) : undefined],
      ["load ids", (t.load_ids || []).join(", ")],
    ]));
    traceCard.append(h("h2", { style: "margin-top:12px" }, "Time per stage"), stepsTable(t));
    if ((t.config_origins || []).length) {
      traceCard.append(h("h2", { style: "margin-top:12px" }, "Configuration used"),
        h("table", { class: "data", id: "trace-config" },
          h("thead", {}, h("tr", {}, h("th", {}, "key"), h("th", {}, "from"))),
          h("tbody", {}, t.config_origins.map((o) => h("tr", {}, h("td", { class: "mono" }, o.key), h("td", {}, o.origin))))));
    }
  }
  out.push(traceCard);
  out.push(await runsCard(profile, name));
  out.push(cursorsCard(p.cursors || []));
  out.push(h("section", { class: "card", id: "state-card" }, h("h2", {}, "State"),
    p.state ? h("details", {}, h("summary", {}, "the local state document (state.json)"),
      h("pre", { class: "json", id: "state" }, JSON.stringify(p.state, null, 2))) : h("p", { class: "muted" }, "No local state yet.")));
  return out;
}

async function pageSchema(profile, name) {
  const s = await api(`/profiles/${enc(profile)}/pipelines/${enc(name)}/schema`);
  const byParent = new Map();
  for (const t of s.tables) {
    const key = t.parent || "";
    if (!byParent.has(key)) byParent.set(key, []);
    byParent.get(key).push(t);
  }
  const columnsTable = (t) => h("table", { class: "data columns" },
    h("thead", {}, h("tr", {}, h("th", {}, "column"), h("th", {}, "type"), h("th", {}, "nullable"), h("th", {}, "hints"))),
    h("tbody", {}, t.columns.map((c) => h("tr", { data: { column: c.name } },
      h("td", { class: "mono" }, c.name),
      h("td", {}, c.data_type + (c.precision !== undefined ? `(${c.precision}${c.scale !== undefined ? "," + c.scale : ""})` : "")),
      h("td", {}, c.nullable ? "yes" : "no"),
      h("td", {}, c.hints.join(", "))))));
  const tree = (parent, root) => {
    const ul = h("ul", { class: root ? "tree root" : "tree" });
    for (const t of byParent.get(parent) || []) {
      if (root && t.system) continue;
      ul.append(h("li", { data: { table: t.name } },
        h("details", { open: root },
          h("summary", {}, h("strong", { class: "mono" }, t.name), " ",
            h("span", { class: "muted" }, `${t.columns.length} columns`), " ",
            t.parent ? h("span", { class: "badge" }, `nested in ${t.parent}`) : h("span", { class: "badge" }, t.write_disposition),
            t.resource && !t.parent ? h("span", { class: "badge" }, `resource ${t.resource}`) : null),
          columnsTable(t)),
        tree(t.name, false)));
    }
    return ul;
  };
  const system = s.tables.filter((t) => t.system);
  return [
    h("section", { class: "card", id: "schema-card" },
      h("h2", {}, `Schema ${s.name}`),
      h("p", { class: "muted" }, `version ${s.version}, engine ${s.engine_version}, hash ${s.version_hash}`),
      h("div", { id: "schema-tree" }, tree("", true))),
    h("section", { class: "card" }, h("h2", {}, "System tables"),
      h("ul", { class: "tree root" }, system.map((t) => h("li", {}, h("details", {}, h("summary", { class: "mono" }, t.name), columnsTable(t)))))),
    await schemaVersionsCard(profile, name),
  ];
}

async function pageData(profile, name) {
  const d = await api(`/profiles/${enc(profile)}/pipelines/${enc(name)}/tables`);
  const rows = d.tables.map((t) => h("tr", { data: { table: t.name } },
    h("td", {}, t.exists
      ? h("a", { href: tableRoute(profile, name, t.name), class: "table-link mono", data: { table: t.name } }, t.name)
      : h("span", { class: "mono muted" }, t.name)),
    h("td", {}, t.parent ? `nested in ${t.parent}` : t.system ? "system" : "root"),
    h("td", { class: "num row-count" }, t.exists ? String(t.row_count) : "not created"),
    h("td", { class: "mono muted last-loaded" }, t.last_loaded_at || t.last_load_id || "")));
  return [h("section", { class: "card" },
    h("h2", {}, `Tables in dataset ${d.dataset_name}`),
    h("p", { class: "muted" }, d.destination),
    h("table", { class: "data" },
      h("thead", {}, h("tr", {}, h("th", {}, "table"), h("th", {}, "kind"), h("th", { class: "num" }, "rows"), h("th", {}, "last loaded"))),
      h("tbody", { id: "tables" }, rows)))];
}

async function pageLoads(profile, name) {
  const d = await api(`/profiles/${enc(profile)}/pipelines/${enc(name)}/loads`);
  return [h("section", { class: "card" },
    h("h2", {}, `Load history (_dlt_loads of ${d.dataset_name})`),
    h("p", { class: "muted" }, d.destination),
    d.loads.length === 0 ? h("p", { class: "muted" }, "No loads yet.") :
    h("table", { class: "data" },
      h("thead", {}, h("tr", {}, ["load id", "schema", "status", "inserted at", "schema version hash"].map((t) => h("th", {}, t)))),
      h("tbody", { id: "loads" }, d.loads.map((l) => h("tr", { data: { load: l.load_id } },
        h("td", { class: "mono" }, l.load_id), h("td", {}, l.schema_name),
        h("td", {}, l.status === "0" ? h("span", { class: "badge ok" }, "0 (completed)") : l.status),
        h("td", {}, l.inserted_at), h("td", { class: "mono" }, l.schema_version_hash))))))];
}

function pageConfig(profile, p) {
  return [h("section", { class: "card" },
    h("h2", {}, profile === "-" ? "Configuration" : `Configuration of profile ${profile}`),
    h("p", { class: "muted" }, "Resolved as a run resolves it. Secrets are shown as ***."),
    h("table", { class: "data" },
      h("thead", {}, h("tr", {}, ["key", "value", "from", "used by the last run"].map((t) => h("th", {}, t)))),
      h("tbody", { id: "config" }, p.config.map((c) => h("tr", { data: { key: c.key } },
        h("td", { class: "mono" }, c.key),
        h("td", { class: c.value === null ? "null" : "mono" }, c.value === null ? (c.error || "not set") : c.value),
        h("td", {}, c.origin || ""),
        h("td", {}, c.used_by_last_run ? "yes" : ""))))))];
}

// --- query ---------------------------------------------------------------------------------

const quoteIdent = (name) => `"${name.replaceAll('"', '""')}"`;
const queryRoute = (p, n, q) => {
  const params = new URLSearchParams();
  for (const k of ["sql", "where", "sort", "dir"]) if (q[k]) params.set(k, q[k]);
  return `${pipelineRoute(p, n, "query")}?${params.toString()}`;
};

// The statement sent: the user's SQL as written, wrapped only when a filter or a sort is asked
// for, so that the database sorts and filters all rows, not just the ones shown.
function effectiveSql(q) {
  if (!q.where && !q.sort) return q.sql;
  let sql = `SELECT * FROM (\n${q.sql.replace(/[\s;]+$/, "")}\n) AS q`;
  if (q.where) sql += ` WHERE ${q.where}`;
  if (q.sort) sql += ` ORDER BY ${quoteIdent(q.sort)} ${q.dir === "desc" ? "DESC" : "ASC"}`;
  return sql;
}

// RFC 4180 CSV of a result: a header line, NULL as an empty field, every text quoted as needed.
function toCsv(result) {
  const field = (v) => (v === null ? "" : /[",\r\n]/.test(v) || v === "" ? `"${v.replaceAll('"', '""')}"` : v);
  const lines = [result.columns.map((c) => field(c.name)).join(",")];
  for (const r of result.rows) lines.push(r.map(field).join(","));
  return lines.join("\r\n") + "\r\n";
}

const NUMERIC = new Set(["bigint", "double", "decimal", "wei"]);

// A grid of rows whose column widths depend on the column's type, not on the values of the page
// shown: paging or sorting never makes the columns jump.
function dataGrid(id, columns, rows, typeOf, headerCell) {
  const width = (c) => (NUMERIC.has(typeOf(c)) ? 8 : typeOf(c) === "bool" ? 6 : typeOf(c) === "timestamp" ? 15 : 14);
  const total = columns.reduce((a, c) => a + width(c), 0);
  return h("table", { class: "data grid", id, style: `width:max(100%, ${total}em)` },
    h("colgroup", {}, columns.map((c) => h("col", { style: `width:${((100 * width(c)) / total).toFixed(2)}%` }))),
    h("thead", {}, h("tr", {}, columns.map((c) => headerCell(c)))),
    h("tbody", {}, rows.map((r) => h("tr", {}, r.map((v, i) => v === null
      ? h("td", { class: "null" }, "null")
      : h("td", { class: NUMERIC.has(typeOf(columns[i])) ? "num" : null, title: v }, v))))));
}

let runningQuery = null;  // the AbortController of the query being fetched
function abortQuery() {
  if (runningQuery) runningQuery.abort();
  runningQuery = null;
}
window.addEventListener("pagehide", abortQuery);

async function pageQuery(profile, name, p, params) {
  const q = { sql: params.get("sql") || "", where: params.get("where") || "", sort: params.get("sort") || "", dir: params.get("dir") || "asc" };
  const sqlBox = h("textarea", { id: "sql-input", class: "mono", rows: 5, spellcheck: "false",
    placeholder: "SELECT * FROM <table> LIMIT 100   (tables of the dataset need no schema name)" });
  sqlBox.value = q.sql;
  const whereBox = h("input", { id: "where-input", class: "mono", type: "text", placeholder: "filter: a WHERE condition, e.g. id > 10 AND customer LIKE 'c1%'" });
  whereBox.value = q.where;
  const run = (extra) => {
    const next = { sql: sqlBox.value.trim(), where: whereBox.value.trim(), sort: q.sort, dir: q.dir, ...(extra || {}) };
    if (!next.sql) return;
    // Another statement has other columns: its sort starts over.
    if (next.sql !== q.sql && !(extra && "sort" in extra)) Object.assign(next, { sort: "", dir: "asc" });
    const target = queryRoute(profile, name, next);
    if (location.hash === target) route();  // the same query again: run it again
    else location.hash = target;
  };
  sqlBox.addEventListener("keydown", (e) => { if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) run(); });
  whereBox.addEventListener("keydown", (e) => { if (e.key === "Enter") run(); });
  const form = h("section", { class: "card", id: "query-card" },
    h("h2", {}, `SQL over dataset ${p.dataset_name || ""}`),
    h("p", { class: "muted" }, "Read-only: the database refuses writes and file access. Ctrl+Enter runs."),
    sqlBox, whereBox,
    h("div", { class: "pager" }, h("button", { id: "run-query", onclick: () => run() }, "Run")));
  if (!q.sql) return [form];
  let r;
  const queryPath = `/profiles/${enc(profile)}/pipelines/${enc(name)}/query?sql=${enc(effectiveSql(q))}`;
  // One query at a time: a new one (or leaving the page) aborts the one still running, and the
  // server then cancels its statement in the database.
  abortQuery();
  const mine = (runningQuery = new AbortController());
  try {
    r = await api(queryPath, mine.signal);
  } catch (e) {
    if (e.name === "AbortError") return [form, h("p", { class: "muted", id: "query-aborted" }, "The query was stopped.")];
    return [form, errorBox(e, "query-error")];
  } finally {
    if (runningQuery === mine) runningQuery = null;
  }
  const header = (c) => {
    const sorted = c.name === q.sort;
    const next = sorted && q.dir === "asc" ? "desc" : "asc";
    return h("th", { class: NUMERIC.has(c.type) ? "num sortable" : "sortable", title: `${c.type}: click to sort`,
      data: { column: c.name, sorted: sorted ? q.dir : "" },
      onclick: () => run({ sort: c.name, dir: next }) }, c.name, sorted ? (q.dir === "asc" ? " ▲" : " ▼") : "");
  };
  const csv = new Blob([toCsv(r)], { type: "text/csv" });
  const info = `${r.rows.length} row${r.rows.length === 1 ? "" : "s"}${r.truncated ? ` (the first ${r.limit}; more rows left out)` : ""} in ${r.elapsed_ms} ms`;
  return [form, h("section", { class: "card", id: "query-result-card" },
    h("div", { class: "pager" },
      h("span", { id: "query-info" }, info),
      Object.assign(h("a", { id: "download-csv", class: "button", href: URL.createObjectURL(csv), download: `${name}-query.csv` },
        "download CSV"), { csv }),
      // The server runs the statement again and writes the same rows with their types.
      h("a", { id: "download-parquet", class: "button", href: `/api${queryPath}&limit=${r.limit}&format=parquet`,
        download: `${name}-query.parquet` }, "download Parquet")),
    dataGrid("query-result", r.columns, r.rows, (c) => c.type, header))];
}

async function pagePipeline(profile, name, tab, params) {
  const p = await api(`/profiles/${enc(profile)}/pipelines/${enc(name)}`);
  setCrumbs([[profileLabel(profile), profileRoute(profile)], [name, tab === "overview" ? null : pipelineRoute(profile, name)],
             ...(tab === "overview" ? [] : [[tab, null]])]);
  const head = [h("h1", {}, "Pipeline ", h("span", { id: "pipeline-name" }, name)), tabs(profile, name, tab)];
  let body;
  try {
    if (tab === "overview") body = await pageOverview(profile, name, p);
    else if (tab === "schema") body = await pageSchema(profile, name);
    else if (tab === "data") body = await pageData(profile, name);
    else if (tab === "query") body = await pageQuery(profile, name, p, params);
    else if (tab === "loads") body = await pageLoads(profile, name);
    else if (tab === "config") body = pageConfig(profile, p);
    else body = [errorBox(`unknown page ${tab}`)];
  } catch (e) {
    body = [errorBox(e, "destination-error")];
  }
  return [...head, ...body];
}

async function pageTable(profile, name, table, params) {
  const offset = Math.max(0, parseInt(params.get("offset") || "0", 10) || 0);
  setCrumbs([[profileLabel(profile), profileRoute(profile)], [name, pipelineRoute(profile, name)],
             ["data", pipelineRoute(profile, name, "data")], [table, null]]);
  const head = [h("h1", {}, "Table ", h("span", { id: "table-name", class: "mono" }, table)), tabs(profile, name, "data")];
  let d;
  try {
    d = await api(`/profiles/${enc(profile)}/pipelines/${enc(name)}/tables/${enc(table)}/rows?offset=${offset}&limit=${PAGE_SIZE}`);
  } catch (e) {
    return [...head, errorBox(e, "destination-error")];
  }
  const last = Math.min(d.offset + d.rows.length, d.total);
  const pager = h("div", { class: "pager" },
    h("button", { id: "prev-page", disabled: d.offset === 0, onclick: () => { location.hash = tableRoute(profile, name, table, Math.max(0, d.offset - d.limit)); } }, "‹ previous"),
    h("span", { id: "rows-info" }, d.total === 0 ? "no rows" : `rows ${d.offset + 1}–${last} of ${d.total}`),
    h("button", { id: "next-page", disabled: last >= d.total, onclick: () => { location.hash = tableRoute(profile, name, table, d.offset + d.limit); } }, "next ›"));
  const grid = dataGrid("rows", d.columns, d.rows, (c) => c.data_type,
    (c) => h("th", { class: NUMERIC.has(c.data_type) ? "num" : null, title: c.data_type || "" }, c.name));
  return [...head, h("section", { class: "card" }, h("p", { class: "muted" }, `${d.dataset_name}.${d.table}`), pager, grid)];
}

// --- router --------------------------------------------------------------------------------

async function route() {
  const mine = ++generation;
  abortQuery();  // another page, or the same query again: the running one is not waited for
  const raw = location.hash.replace(/^#/, "");
  const [path, query] = raw.split("?");
  const parts = path.split("/").filter(Boolean).map((p) => { try { return decodeURIComponent(p); } catch (e) { return p; } });
  const params = new URLSearchParams(query || "");
  main.dataset.state = "loading";
  let content;
  try {
    if (!workspace) {
      workspace = await api("/workspace");
      document.getElementById("workspace-name").textContent = workspace.name;
      document.title = `dlt · ${workspace.name}`;
    }
    // "-" is the active profile; without a workspace (classic mode) it is the only one.
    const profile = parts[0] === "profiles" && parts[1] ? parts[1] : workspace.workspace_mode ? workspace.active_profile : "-";
    if (workspace.workspace_mode) renderProfileSelect(profile);
    else document.getElementById("profile-picker").hidden = true;
    if (parts.length <= 2) content = await pageProfile(profile);
    else if (parts[2] === "pipelines" && parts[3]) {
      if (parts[4] === "tables" && parts[5]) content = await pageTable(profile, parts[3], parts[5], params);
      else content = await pagePipeline(profile, parts[3], parts[4] || "overview", params);
    } else content = [errorBox(`no such page: ${raw}`)];
  } catch (e) {
    content = [errorBox(e, "page-error")];
  }
  if (mine !== generation) return;  // a newer navigation is on its way
  main.replaceChildren(...content);
  main.dataset.state = "ready";
  main.dataset.route = raw;
}

// The access token came in the address; the page keeps it in a cookie, so the address bar
// (history, screenshots) need not show it.
if (new URLSearchParams(location.search).has("token")) {
  history.replaceState(null, "", location.pathname + location.hash);
}
window.addEventListener("hashchange", route);
route();
