// The history of a pipeline on the dashboard page (loaded before app.js, whose helpers h, api,
// enc, errorBox and statusBadge it uses when called): the kept runs, the incremental cursors and
// the schema versions stored in the destination. Every value is put into the page as text.
"use strict";

const seconds = (s) => (s ? s.toFixed(2) : "0.00");

// Every kept run (traces/ of the working folder), newest first; a failed one with its error.
async function runsCard(profile, name) {
  const card = h("section", { class: "card", id: "runs-card" }, h("h2", {}, "Runs"));
  let d;
  try {
    d = await api(`/profiles/${enc(profile)}/pipelines/${enc(name)}/runs`);
  } catch (e) {
    card.append(errorBox(e, "runs-error"));
    return card;
  }
  if (d.runs.length === 0) {
    card.append(h("p", { class: "muted", id: "no-runs" }, "No runs recorded yet."));
    return card;
  }
  card.append(h("p", { class: "muted" }, `The newest ${d.runs.length} run${d.runs.length === 1 ? "" : "s"} (a pipeline keeps its last ${d.limit}).`));
  const rows = [];
  d.runs.forEach((r, i) => {
    rows.push(h("tr", { data: { run: String(i), outcome: r.outcome } },
      h("td", {}, r.started_at || "—"),
      h("td", {}, statusBadge(r.outcome)),
      h("td", { class: "num run-rows" }, String(r.rows ?? "")),
      ...["extract", "normalize", "load"].map((st) => h("td", { class: `num run-${st}` }, r.seconds ? seconds(r.seconds[st]) : "")),
      h("td", { class: "mono" }, (r.load_ids || []).join(", "))));
    if (r.error) {
      rows.push(h("tr", { class: "run-error-row", data: { run: String(i) } },
        h("td", { colspan: 7, class: "run-error", title: r.error }, r.error)));
    }
  });
  card.append(h("table", { class: "data", id: "runs" },
    h("thead", {}, h("tr", {}, ["started", "outcome", "rows", "extract s", "normalize s", "load s", "load ids"]
      .map((t, i) => h("th", { class: i >= 2 && i <= 5 ? "num" : null }, t)))),
    h("tbody", {}, rows)));
  return card;
}

const cursorValue = (v) => (v === null || v === undefined ? h("span", { class: "muted" }, "—") : typeof v === "string" ? v : JSON.stringify(v));

// The incremental cursors of the resources, from the local state.
function cursorsCard(cursors) {
  const card = h("section", { class: "card", id: "cursors-card" }, h("h2", {}, "Incremental cursors"));
  if (cursors.length === 0) {
    card.append(h("p", { class: "muted", id: "no-cursors" }, "No resource of this pipeline loads incrementally (or it has not run yet)."));
    return card;
  }
  card.append(h("table", { class: "data", id: "cursors" },
    h("thead", {}, h("tr", {}, ["resource", "cursor path", "last value", "initial value", "unique hashes"]
      .map((t, i) => h("th", { class: i === 4 ? "num" : null }, t)))),
    h("tbody", {}, cursors.map((c) => h("tr", { data: { resource: c.resource, cursor: c.cursor_path } },
      h("td", { class: "mono" }, c.resource),
      h("td", { class: "mono" }, c.cursor_path),
      h("td", { class: "mono cursor-last" }, cursorValue(c.last_value)),
      h("td", { class: "mono" }, cursorValue(c.initial_value)),
      h("td", { class: "num" }, String(c.unique_hashes)))))));
  return card;
}

// The versions of the schema stored in the destination (_dlt_version), with what changed.
async function schemaVersionsCard(profile, name) {
  const card = h("section", { class: "card", id: "schema-versions-card" }, h("h2", {}, "Schema versions in the destination"));
  let d;
  try {
    d = await api(`/profiles/${enc(profile)}/pipelines/${enc(name)}/schema/versions`);
  } catch (e) {
    card.append(errorBox(e, "schema-versions-error"));
    return card;
  }
  const change = (c) => c.change === "table added" ? `table ${c.table} added (${c.columns} columns)`
    : c.change === "table dropped" ? `table ${c.table} dropped`
    : c.change === "type changed" ? `${c.table}.${c.column}: ${c.from} → ${c.data_type}`
    : c.change === "column added" ? `${c.table}.${c.column} added (${c.data_type})`
    : `${c.table}.${c.column} dropped`;
  card.append(h("p", { class: "muted" }, `_dlt_version of ${d.dataset_name}: ${d.destination}`),
    d.versions.length === 0 ? h("p", { class: "muted" }, "No versions stored yet.") :
    h("table", { class: "data", id: "schema-versions" },
      h("thead", {}, h("tr", {}, ["schema", "version", "stored at", "hash", "changes"].map((t) => h("th", {}, t)))),
      h("tbody", {}, d.versions.map((v) => h("tr", { data: { version: v.version } },
        h("td", {}, v.schema_name), h("td", { class: "num" }, v.version), h("td", {}, v.inserted_at),
        h("td", { class: "mono" }, v.version_hash),
        h("td", { class: "changes" }, v.changes === null ? "—" : v.changes.length === 0 ? "no table or column changes"
          : h("ul", {}, v.changes.map((c) => h("li", {}, change(c))))))))));
  return card;
}
