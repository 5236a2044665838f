// The dashboard: every view is a query of the JSON API; the URL holds the view.
"use strict";

const WORDS = {
  en: {title: "mineralflow", switch: "中文", scenario: "Scenario", reference: "Reference",
       commodity: "Commodity", year: "Year", stage: "Stage", run: "Run", csv: "CSV of this chart",
       shares: "China's share by stage (%)", prices: "Prices inside and outside China (USD/kg)",
       map: "Output by country", reliance: "Net import reliance by consumer (%)",
       dependence: "Dependence on China by consumer (traced origin, %)",
       sankey: "Flows by country and stage (each stage's unit)", other: "other",
       solving: "solving", done: "done", failed: "failed", "Rare Earths": "Rare earths",
       editor: "Edit the scenario", editor_help: "Change any field; the scenario is checked as you type, and the message names the field.",
       run_edited: "Run the edited scenario", valid: "valid", claims: "Check an article's figures",
       check: "Check", claim: "Claim", verdict: "Verdict", reference_value: "Reference", source: "Source",
       Aluminium: "Aluminium", ref: "reference", CHN: "China", outside: "outside China", line: "line {n}", preparing: "preparing"},
  zh: {title: "mineralflow", switch: "English", scenario: "情景", reference: "参照情景",
       commodity: "商品", year: "年份", stage: "环节", run: "运行", csv: "本图数据（CSV）",
       shares: "中国在各环节的份额（%）", prices: "中国境内与境外价格（美元/公斤）",
       map: "各国产量", reliance: "各消费国净进口依赖度（%）",
       dependence: "各消费国对中国的依赖度（按来源追溯，%）",
       sankey: "各国各环节流向（按各环节单位）", other: "其他",
       solving: "求解中", done: "完成", failed: "失败", "Rare Earths": "稀土",
       editor: "编辑情景", editor_help: "可修改任意字段；输入时即时检查，提示会指出出错的字段。",
       run_edited: "运行修改后的情景", valid: "有效", claims: "核查文章中的数字",
       check: "核查", claim: "表述", verdict: "结论", reference_value: "参考值", source: "来源",
       Aluminium: "铝", ref: "参照", CHN: "中国", outside: "中国境外", line: "第{n}行", preparing: "准备中"},
};
//: the prices each commodity shows, and the region standing for the market outside China
const KEY_PRICES = {"Rare Earths": ["Oxide|Nd", "Oxide|Dy", "Oxide|Tb"], Aluminium: ["Aluminium", "Alumina"]};
const OUTSIDE = "USA";
//: one colour per series, the same for a scenario's line and its reference's
const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
                 "#7f7f7f", "#bcbd22", "#17becf"];

const view = Object.fromEntries(new URLSearchParams(location.search));
view.lang = view.lang === "zh" ? "zh" : "en";
const runs = {};  // scenario name -> run id

function t(key) { return (WORDS[view.lang] || WORDS.en)[key] || key; }

let names = {stages: {}, commodities: {}, elements: {}, regions: {}, units: {}, verdicts: {}};

async function loadNames() {
  // stage, country, unit and verdict names in the view's language, from the server
  names = await api("/api/words?lang=" + view.lang);
}

const stageName = (s) => names.stages[s] || s;
const regionName = (code) => names.regions[code] || code;
const unitName = (u) => names.units[u] || u;

function productName(product) {
  // "Oxide|Nd" -> "Nd oxide" / "氧化钕"; "Aluminium" -> "Aluminium" / "铝"
  const [form, element] = product.split("|");
  if (!element) return names.commodities[form] || names.stages[form] || form;
  const what = names.elements[element] || element;
  return view.lang === "zh" ? (form === "Oxide" ? "氧化" + what : what + form) : `${element} ${form.toLowerCase()}`;
}

function api(path, options = {}) {
  const headers = Object.assign({}, options.headers || {});
  if (view.token) headers["x-mineralflow-token"] = view.token;
  return fetch(path, Object.assign({}, options, {headers})).then(async (answer) => {
    const body = await answer.json();
    if (!answer.ok) throw new Error(body.error ? body.error.message : answer.statusText);
    return body;
  });
}

function query(params) {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    for (const v of [].concat(value)) q.append(key, v);
  }
  if (view.token) q.append("token", view.token);
  return q.toString();
}

function saveView() {
  for (const id of ["scenario", "reference", "commodity", "year", "stage"]) {
    view[id] = document.getElementById(id).value;
  }
  const shown = Object.assign({}, view);
  delete shown.token;
  history.replaceState(null, "", "?" + new URLSearchParams(shown).toString());
}

function applyLanguage() {
  document.documentElement.lang = view.lang === "zh" ? "zh-CN" : "en";
  for (const node of document.querySelectorAll("[data-t]")) node.textContent = t(node.dataset.t);
  for (const option of document.getElementById("commodity").options) option.textContent = t(option.value);
}

async function solve(name) {
  const job = await api("/api/runs", {method: "POST", headers: {"content-type": "application/json"},
                                      body: JSON.stringify({scenario: name})});
  let state = job;
  while (state.state === "queued" || state.state === "running") {
    showProgress(name, state.progress);
    await new Promise((r) => setTimeout(r, 500));
    state = await api("/api/jobs/" + job.job);
  }
  showProgress(name, 1);
  if (state.state !== "done") throw new Error(name + ": " + state.error);
  runs[name] = state.run_id;
  return state.run_id;
}

const solving = {};  // scenario name -> share of its years solved

function showProgress(name, share) {
  solving[name] = share || 0;
  // a run calibrates before it solves its first year: "preparing" until then
  const parts = Object.entries(solving).map(([n, p]) => `${n} ${p ? Math.round(100 * p) + " %" : t("preparing")}`);
  document.getElementById("status").textContent = `${t("solving")}: ${parts.join(", ")}`;
}

async function run() {
  if (view.edited && document.getElementById("scenario").value.endsWith("-edited")) return runEdited();
  for (const key of Object.keys(solving)) delete solving[key];
  saveView();
  const status = document.getElementById("status");
  status.textContent = t("solving") + " …";
  try {
    await Promise.all([solve(view.scenario), solve(view.reference)]);
    status.textContent = t("done");
    await draw();
  } catch (error) {
    status.textContent = t("failed") + ": " + error.message;
  }
}

function rows(params) {
  return api("/api/results?" + query(params));
}

function csvLink(id, params) {
  document.getElementById(id).href = "/api/results?" + query(Object.assign({format: "csv"}, params));
}

function series(data, variable, region, run) {
  const part = data.filter((r) => r.variable === variable && r.region === region && r.scenario === run)
    .sort((a, b) => a.year - b.year);
  return {x: part.map((r) => r.year), y: part.map((r) => r.value)};
}

function plot(id, traces, layout) {
  Plotly.react(id, traces, Object.assign({margin: {t: 10, r: 10}, legend: {orientation: "h"}}, layout),
               {locale: view.lang === "zh" ? "zh-CN" : "en", displaylogo: false});
}

async function bands(variable, region) {
  // the 5-95 % range of the scenario's stored ensemble of the same inputs, if there is one
  const found = await api(`/api/runs/${runs[view.scenario]}/ensembles`);
  if (!found.length) return [];
  return rows({run: found[0].run_id, variable: [variable + "|p05", variable + "|p95"], region});
}

function bandTraces(data, variable, colour, label) {
  const low = data.filter((r) => r.variable === variable + "|p05").sort((a, b) => a.year - b.year);
  const high = data.filter((r) => r.variable === variable + "|p95").sort((a, b) => a.year - b.year);
  if (!low.length) return [];
  return [{x: low.map((r) => r.year), y: low.map((r) => r.value), mode: "lines", line: {width: 0},
           showlegend: false, hoverinfo: "skip", legendgroup: variable, meta: "band"},
          {x: high.map((r) => r.year), y: high.map((r) => r.value), mode: "lines", line: {width: 0},
           fill: "tonexty", fillcolor: colour + "33", name: label, legendgroup: variable,
           meta: "band"}];
}

async function drawShares(both, names) {
  const params = {run: both, variable: `Share|${view.commodity}|*`, region: "CHN"};
  const data = (await rows(params)).filter((r) => !/\|p\d\d$/.test(r.variable));
  const ranges = await bands(`Share|${view.commodity}|*`, "CHN");
  csvLink("shares-csv", params);
  const stages = [...new Set(data.map((r) => r.variable))].sort();
  fillStages(stages.map((v) => v.split("|").pop()));
  const traces = [];
  stages.forEach((variable, i) => traces.push(
    ...bandTraces(ranges, variable, PALETTE[i % PALETTE.length], stageName(variable.split("|").pop()) + " 5-95 %")));
  stages.forEach((variable, i) => names.forEach((name, j) => {
    const s = series(data, variable, "CHN", name);
    traces.push({x: s.x, y: s.y, name: stageName(variable.split("|").pop()) + (j ? ` (${t("ref")})` : ""),
                 line: {dash: j ? "dash" : "solid", color: PALETTE[i % PALETTE.length]},
                 legendgroup: variable, mode: "lines"});
  }));
  plot("shares", traces, {yaxis: {title: "%"}});
}

async function drawPrices(both, names) {
  const variables = KEY_PRICES[view.commodity].map((p) => `Price|${view.commodity}|${p}`);
  const params = {run: both, variable: variables, region: ["CHN", OUTSIDE]};
  const data = await rows(params);
  csvLink("prices-csv", params);
  const traces = [];
  for (const variable of variables) for (const region of ["CHN", OUTSIDE]) {
    const s = series(data, variable, region, names[0]);
    const where = region === "CHN" ? t("CHN") : t("outside") + ` (${regionName(region)})`;
    const product = variable.split("|").slice(2).join("|");
    traces.push({x: s.x, y: s.y, name: `${productName(product)}: ${where}`, mode: "lines",
                 line: {dash: region === "CHN" ? "solid" : "dot",
                        color: PALETTE[variables.indexOf(variable) % PALETTE.length]}});
  }
  plot("prices", traces, {yaxis: {title: "USD/kg", type: "log"}});
}

async function drawMap(both, names) {
  const params = {run: both[0], variable: `Production|${view.commodity}|${view.stage}`, year: view.year};
  const data = (await rows(params)).filter((r) => r.region.length === 3 && r.region !== "ROW" && r.region !== "WLD");
  csvLink("map-csv", params);
  plot("map", [{type: "choropleth", locations: data.map((r) => r.region), z: data.map((r) => r.value),
                text: data.map((r) => `${regionName(r.region)}: ${Math.round(r.value).toLocaleString()} ${unitName(r.unit)}`),
                hoverinfo: "text", colorscale: "Blues", reversescale: true,
                colorbar: {title: data.length ? unitName(data[0].unit) : ""}}],
       {geo: {projection: {type: "natural earth"}, showframe: false,
              lonaxis: {range: [-180, 180]}, lataxis: {range: [-58, 85]}}});
}

async function drawReliance(both, names) {
  const params = {run: both, variable: `Net Import Reliance|${view.commodity}|${view.stage}`, year: view.year};
  const data = await rows(params);
  csvLink("reliance-csv", params);
  const traces = names.map((name, j) => {
    const part = data.filter((r) => r.scenario === name && r.region !== "World");
    return {type: "bar", x: part.map((r) => regionName(r.region)), y: part.map((r) => r.value),
            name: j ? `${name} (${t("ref")})` : name};
  });
  plot("reliance", traces, {barmode: "group", yaxis: {title: "%"}});
}

async function drawDependence(both, names) {
  const params = {run: both, variable: `Dependence|${view.commodity}|${view.stage}|CHN`, year: view.year};
  const data = await rows(params);
  csvLink("dependence-csv", params);
  const traces = names.map((name, j) => {
    const part = data.filter((r) => r.scenario === name && r.region !== "CHN");
    return {type: "bar", x: part.map((r) => regionName(r.region)), y: part.map((r) => r.value),
            name: j ? `${name} (${t("ref")})` : name};
  });
  plot("dependence", traces, {barmode: "group", yaxis: {title: "%", range: [0, 100]}});
}

//: flows below this share of their stage's total are drawn as one "other" end
const SMALL_FLOW = 0.01;

function sankeyLinks(data) {
  const links = data.map((r) => {
    const [, , from, to] = r.variable.split("|");
    const [origin, destination] = r.region.split(">");
    return {from, to, origin, destination, value: r.value, unit: r.unit};
  });
  const total = {};
  for (const l of links) total[l.from] = (total[l.from] || 0) + l.value;
  for (const l of links) if (l.value < SMALL_FLOW * total[l.from]) { l.origin = t("other"); l.destination = t("other"); }
  return links;
}

function stageDepth(links) {
  const depth = {};
  for (let pass = 0; pass < 10; pass++) {
    for (const l of links) {
      depth[l.from] = depth[l.from] || 0;
      depth[l.to] = Math.max(depth[l.to] || 0, depth[l.from] + 1);
    }
  }
  return depth;
}

async function drawSankey(both) {
  const params = {run: both[0], variable: `Flow|${view.commodity}|*`, year: view.year};
  const data = await rows(params);
  csvLink("sankey-csv", params);
  const links = sankeyLinks(data), depth = stageDepth(links);
  const deepest = Math.max(1, ...Object.values(depth));
  const nodes = [], at = {};
  const node = (stage, country) => {
    const key = stage + "|" + country;
    if (!(key in at)) { at[key] = nodes.length; nodes.push({label: `${stageName(stage)}: ${regionName(country)}`, x: 0.01 + 0.98 * depth[stage] / deepest}); }
    return at[key];
  };
  const source = links.map((l) => node(l.from, l.origin)), target = links.map((l) => node(l.to, l.destination));
  plot("sankey", [{type: "sankey", arrangement: "snap",
                   node: {label: nodes.map((n) => n.label), x: nodes.map((n) => n.x),
                          y: nodes.map((_, i) => 0.01 + 0.98 * (i % 12) / 12), pad: 6},
                   link: {source, target, value: links.map((l) => l.value),
                          customdata: links.map((l) => unitName(l.unit)),
                          hovertemplate: "%{source.label} → %{target.label}: %{value:,.0f} %{customdata}<extra></extra>"}}], {});
}

function fillStages(stages) {
  const select = document.getElementById("stage");
  if ([...select.options].map((o) => o.value).join() === stages.join()) {
    for (const option of select.options) option.textContent = stageName(option.value);
    return;
  }
  const keep = view.stage;
  select.innerHTML = stages.map((s) => `<option value="${s}">${stageName(s)}</option>`).join("");
  select.value = stages.includes(keep) ? keep : (stages.includes("Mining") ? "Mining" : stages[0]);
  view.stage = select.value;
}

async function draw() {
  saveView();
  const names = [view.scenario, view.reference];
  const both = names.map((n) => runs[n]);
  if (both.some((r) => !r)) return;
  await drawShares(both, names);
  saveView();
  await Promise.all([drawPrices(both, names), drawMap(both, names), drawReliance(both, names),
                     drawDependence(both, names), drawSankey(both)]);
}

let checking = 0;

async function checkEdited() {
  const editor = document.getElementById("editor"), message = document.getElementById("editor-message");
  const mine = ++checking;
  const answer = await fetch("/api/scenarios/validate" + (view.token ? "?token=" + view.token : ""),
                             {method: "POST", headers: {"content-type": "text/plain"}, body: editor.value});
  if (mine !== checking) return null;  // a later keystroke is being checked
  const body = await answer.json();
  const ok = answer.ok;
  editor.classList.toggle("invalid", !ok);
  message.classList.toggle("ok", ok);
  const where = ok || !body.error.line ? "" : t("line").replace("{n}", body.error.line) + ": ";
  message.textContent = ok ? t("valid") : where + body.error.message;
  markLine(ok ? null : body.error.line, ok ? "" : body.error.message);
  document.getElementById("run-edited").disabled = !ok;
  return ok ? body : null;
}

function lineHeight() {
  return parseFloat(getComputedStyle(document.getElementById("editor")).lineHeight) || 18;
}

function drawGutter() {
  // line numbers beside the editor, scrolled with it; the marked line stays marked
  const editor = document.getElementById("editor"), gutter = document.getElementById("editor-lines");
  const count = editor.value.split("\n").length;
  if (gutter.children.length !== count) {
    gutter.replaceChildren(...Array.from({length: count}, (_, i) => {
      const span = document.createElement("span"); span.textContent = i + 1; return span;
    }));
  }
  for (const [i, span] of [...gutter.children].entries()) span.classList.toggle("error", i + 1 === marked.line);
  gutter.scrollTop = editor.scrollTop;
  const marker = document.getElementById("editor-marker");
  marker.hidden = !marked.line;
  if (marked.line) {
    marker.textContent = marked.message;
    marker.style.top = `${5 + (marked.line - 1) * lineHeight() - editor.scrollTop}px`;
  }
}

const marked = {line: null, message: ""};

function markLine(line, text) {
  // the message sits on the line of the field it is about
  marked.line = line; marked.message = text;
  const editor = document.getElementById("editor");
  if (line) {
    const top = (line - 1) * lineHeight(), bottom = top + 3 * lineHeight();
    if (top < editor.scrollTop || bottom > editor.scrollTop + editor.clientHeight) {
      editor.scrollTop = Math.max(0, top - 2 * lineHeight());
    }
  }
  drawGutter();
}

async function loadEditor() {
  const shown = await api("/api/scenarios/" + encodeURIComponent(document.getElementById("scenario").value));
  document.getElementById("editor").value = shown.yaml.replace(/^name: (.*)$/m, "name: $1-edited");
  await checkEdited();
}

async function runEdited() {
  const checked = await checkEdited();
  if (!checked) return;
  const status = document.getElementById("status");
  status.textContent = t("solving") + " …";
  try {
    let state = await api("/api/runs", {method: "POST", headers: {"content-type": "application/json"},
                                        body: JSON.stringify({yaml: document.getElementById("editor").value})});
    while (state.state === "queued" || state.state === "running") {
      await new Promise((r) => setTimeout(r, 500));
      state = await api("/api/jobs/" + state.job);
    }
    if (state.state !== "done") throw new Error(state.error);
    runs[checked.name] = state.run_id;
    const select = document.getElementById("scenario");
    if (![...select.options].some((o) => o.value === checked.name)) {
      select.add(new Option(checked.name, checked.name));
    }
    select.value = checked.name;
    view.edited = await packText(document.getElementById("editor").value);
    if (!runs[document.getElementById("reference").value]) await solve(document.getElementById("reference").value);
    status.textContent = t("done");
    await draw();
  } catch (error) {
    status.textContent = t("failed") + ": " + error.message;
  }
}

// an edited scenario travels in the URL as deflated, base64url-coded YAML
async function packText(text) {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("deflate-raw"));
  const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

async function unpackText(packed) {
  const binary = atob(packed.replace(/-/g, "+").replace(/_/g, "/"));
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
  return await new Response(stream).text();
}

let checkedClaims = [];

async function checkArticle() {
  const checked = await api("/api/claims/check", {method: "POST", headers: {"content-type": "application/json"},
                                                  body: JSON.stringify({text: document.getElementById("article").value})});
  checkedClaims = checked.claims;
  showClaims();
}

function showClaims() {
  const cell = (text) => { const td = document.createElement("td"); td.textContent = text; return td; };
  const body = document.querySelector("#claims tbody");
  body.replaceChildren(...checkedClaims.map((c) => {
    const row = document.createElement("tr");
    const ref = c.reference;
    row.append(cell(c.quote), cell(names.verdicts[c.verdict] || c.verdict),
               cell(ref ? `${ref.value.toLocaleString()} ${ref.unit} (${ref.year})` : "–"),
               cell(ref ? (ref.edition || ref.source_id) : "–"));
    row.dataset.verdict = c.verdict;
    return row;
  }));
}

async function init() {
  const scenarios = await api("/api/scenarios");
  await loadNames();
  const options = scenarios.map((s) => `<option value="${s.name}">${s.name}</option>`).join("");
  for (const id of ["scenario", "reference"]) document.getElementById(id).innerHTML = options;
  document.getElementById("scenario").value = view.scenario || "russia-doubles-2030";
  document.getElementById("reference").value = view.reference || "baseline";
  document.getElementById("commodity").value = view.commodity || "Rare Earths";
  document.getElementById("year").value = view.year || "2030";
  if (view.stage) document.getElementById("stage").innerHTML = `<option>${view.stage}</option>`;
  const describe = () => {
    const s = scenarios.find((x) => x.name === document.getElementById("scenario").value);
    document.getElementById("description").textContent = s ? (view.lang === "zh" ? s.description_zh : s.description) : "";
  };
  document.getElementById("scenario").addEventListener("change", describe);
  document.getElementById("lang").addEventListener("click", async () => {
    view.lang = view.lang === "zh" ? "en" : "zh";
    applyLanguage(); describe(); saveView();
    await loadNames();
    const stage = document.getElementById("stage");
    for (const option of stage.options) option.textContent = stageName(option.value);
    showClaims(); draw();
  });
  document.getElementById("run").addEventListener("click", run);
  let typing = null;
  document.getElementById("editor").addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(checkEdited, 300);
    drawGutter();
  });
  document.getElementById("editor").addEventListener("scroll", drawGutter);
  document.getElementById("scenario").addEventListener("change", () => {
    if (!document.getElementById("scenario").value.endsWith("-edited")) { delete view.edited; loadEditor(); }
  });
  document.getElementById("run-edited").addEventListener("click", runEdited);
  document.getElementById("check").addEventListener("click", checkArticle);
  for (const id of ["commodity", "year", "stage"]) document.getElementById(id).addEventListener("change", draw);
  applyLanguage();
  describe();
  saveView();
  if (view.edited) {
    document.getElementById("editor").value = await unpackText(view.edited).catch(() => "");
    drawGutter();
    await runEdited();
    return;
  }
  await loadEditor();
  if (new URLSearchParams(location.search).has("scenario")) await run();
}

init();
