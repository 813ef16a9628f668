// The reviewer's desk: one claim at a time, a verdict from one key, the next claim without a page load.
// The next claim is fetched while the reviewer reads, so a verdict shows it at once; the verdict is saved
// in the background and a refusal puts its claim back on screen with the reason.
(() => {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const root = "/-/review";
  const token = document.querySelector("meta[name=csrftoken]").content;
  const filters = new URLSearchParams(location.search);
  const skipped = [];
  // Claims given a verdict on this page: left out of the next fetch, which may run before their save lands.
  let decided = [];
  let current = null;
  let upcoming = null; // a promise of the claim after the current one
  let busy = false;
  let saving = Promise.resolve();
  // Resolves once every verdict given so far is saved (or refused): tests and the benchmark wait on it.
  window.deskSaved = () => saving;
  // Milliseconds from each keypress to the next claim on screen, for the throughput benchmark.
  window.deskTimings = [];

  function status(message, isError) {
    const line = $("desk-status");
    line.textContent = message;
    line.className = isError ? "error" : "";
  }

  async function fetchNext(exclude) {
    const params = new URLSearchParams(filters);
    params.set("exclude", exclude.join(","));
    const response = await fetch(`${root}/next.json?${params}`, { credentials: "same-origin" });
    const body = await response.json();
    if (!body.ok) throw new Error(body.error);
    return body.claim;
  }

  async function post(path, fields) {
    const body = new URLSearchParams({ csrftoken: token, ...fields });
    const response = await fetch(`${root}/${path}`, {
      method: "POST", credentials: "same-origin", body,
      headers: { "x-csrftoken": token },
    });
    let answer;
    try {
      answer = await response.json();
    } catch {
      answer = { ok: false, error: `the server answered ${response.status}` };
    }
    if (!answer.ok) throw new Error(answer.error);
    return answer;
  }

  function prefetch() {
    const exclude = [...skipped, ...decided.slice(-50), ...(current ? [current.id] : [])];
    upcoming = fetchNext(exclude);
    upcoming.catch(() => {}); // shown when it is awaited
  }

  function text(element, value) {
    element.textContent = value === null || value === undefined ? "" : String(value);
  }

  function renderContext(context) {
    const paragraph = $("desk-context");
    paragraph.replaceChildren();
    paragraph.append(context.before);
    const sentence = document.createElement("span");
    sentence.className = "sentence";
    const mark = document.createElement("mark");
    mark.textContent = context.mention;
    sentence.append(context.sentence_before, mark, context.sentence_after);
    paragraph.append(sentence, context.after);
  }

  function renderHistory(reviews) {
    const body = $("desk-history").querySelector("tbody");
    body.replaceChildren();
    for (const review of reviews) {
      const row = body.insertRow();
      const fixes = ["value", "unit", "change", "subject", "speaker"]
        .filter((f) => review[`corrected_${f}`] !== null)
        .map((f) => `${f}: ${f === "value" ? review.corrected_value_shown : review[`corrected_${f}`]}`);
      for (const cell of [review.reviewed_at, review.reviewer, review.verdict, fixes.join("; "), review.note]) {
        text(row.insertCell(), cell);
      }
    }
    $("desk-history").hidden = reviews.length === 0;
    $("desk-no-history").hidden = reviews.length > 0;
  }

  function value(claim) {
    if (claim.value_shown !== null) return claim.value_shown;
    if (claim.low_shown !== null && claim.high_shown !== null) return `${claim.low_shown}–${claim.high_shown}`;
    return claim.text;
  }

  function render(claim) {
    current = claim;
    closeCorrection();
    $("desk-empty").hidden = claim !== null;
    $("desk-card").hidden = claim === null;
    if (claim === null) return;
    const card = $("desk-card");
    card.dataset.claim = claim.id;
    const title = $("desk-article-title");
    text(title, claim.article_title || claim.article_url || "(untitled article)");
    if (claim.article_url) title.href = claim.article_url; else title.removeAttribute("href");
    text($("desk-outlet"), claim.outlet || "unknown outlet");
    text($("desk-published"), (claim.published || "undated").slice(0, 10));
    $("desk-archive").hidden = !claim.archived;
    $("desk-archive-link").href = `${root}/archive/${claim.article_id}`;
    text($("desk-claim-id"), claim.id);
    $("desk-claim-link").href = `${$("desk").dataset.claims}/${claim.id}`;
    text($("desk-score"), claim.score === null ? "-" : claim.score.toFixed(2));
    renderContext(claim.context);
    const shown = { ...claim, value: value(claim) };
    for (const field of document.querySelectorAll("#desk-fields dd")) text(field, shown[field.dataset.field]);
    renderHistory(claim.reviews);
    card.dataset.shownAt = String(performance.now());
  }

  async function advance(startedAt) {
    let claim;
    try {
      claim = await upcoming;
    } catch (error) {
      status(`Could not load the next claim: ${error.message}`, true);
      return;
    }
    render(claim);
    window.deskTimings.push(performance.now() - startedAt);
    prefetch();
  }

  function verdict(kind, fields, startedAt) {
    const claim = current;
    decided.push(claim.id);
    const shown = advance(startedAt);
    // Saves go one after another, so an undo always comes after the verdict it takes back.
    saving = saving.then(() => post("verdict", { claim_id: claim.id, verdict: kind, ...fields })).then(
      () => status(`#${claim.id} ${kind.replace("_", " ")}.`),
      (error) => {
        status(`#${claim.id} not recorded: ${error.message}`, true);
        decided = decided.filter((id) => id !== claim.id);
        render(claim);
        prefetch();
      });
    return shown;
  }

  async function undo(startedAt) {
    await saving;
    try {
      const answer = await post("undo", {});
      decided = decided.filter((id) => id !== answer.claim.id);
      render(answer.claim);
      window.deskTimings.push(performance.now() - startedAt);
      status(`Undone: #${answer.claim.id} is ${answer.claim.status} again.`);
      prefetch();
    } catch (error) {
      status(`Nothing undone: ${error.message}`, true);
    }
  }

  function openCorrection() {
    const form = $("desk-correct");
    form.hidden = false;
    for (const field of ["unit", "change", "subject", "speaker"]) form.elements[field].value = current[field] || "";
    form.elements.value.value = current.value === null ? "" : String(current.value);
    form.elements.note.value = "";
    form.elements.speaker.focus();
  }

  function closeCorrection() {
    $("desk-correct").hidden = true;
    if (document.activeElement && $("desk-correct").contains(document.activeElement)) document.activeElement.blur();
  }

  function corrections() {
    // Only what the reviewer changed is sent: an unchanged field stays the extractor's.
    const form = $("desk-correct");
    const fields = {};
    for (const name of ["value", "unit", "change", "subject", "speaker"]) {
      const given = form.elements[name].value.trim();
      const before = name === "value" ? (current.value === null ? "" : String(current.value)) : current[name] || "";
      if (given !== before) fields[name] = given;
    }
    const note = form.elements.note.value.trim();
    if (note) fields.note = note;
    return fields;
  }

  async function act(action, startedAt = performance.now()) {
    if (action === "help") { $("desk-help").hidden = !$("desk-help").hidden; return; }
    if (action === "cancel") { closeCorrection(); return; }
    if (action === "undo") { if (!busy) { busy = true; await undo(startedAt); busy = false; } return; }
    if (!current || busy) return;
    busy = true;
    try {
      if (action === "verify") await verdict("verified", {}, startedAt);
      else if (action === "reject") await verdict("rejected", {}, startedAt);
      else if (action === "correct") openCorrection();
      else if (action === "skip") { skipped.push(current.id); status(`#${current.id} skipped.`); await advance(startedAt); }
    } finally {
      busy = false;
    }
  }

  const KEYS = { v: "verify", r: "reject", c: "correct", s: "skip", u: "undo", "?": "help" };

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "Escape") { $("desk-help").hidden = true; closeCorrection(); return; }
    if (event.target.closest("input, select, textarea")) return;
    const action = KEYS[event.key];
    if (!action) return;
    event.preventDefault();
    act(action, performance.now());
  });

  document.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-action]");
    if (button) act(button.dataset.action, performance.now());
  });

  $("desk-correct").addEventListener("submit", (event) => {
    event.preventDefault();
    if (!current || busy) return;
    const fields = corrections();
    const startedAt = performance.now();
    busy = true;
    closeCorrection();
    verdict("needs_correction", fields, startedAt).finally(() => { busy = false; });
  });

  (async () => {
    try {
      render(await fetchNext([]));
      prefetch();
    } catch (error) {
      status(`Could not load the queue: ${error.message}`, true);
    }
  })();
})();
