// Liner's page script. The pages work without it (a plain GET form and links); with it you get
// results as you type that settle, keyboard use (/ and Ctrl-K or Cmd-K, ↑ ↓, Enter, Esc), More
// results in place, and the "Copy as Markdown" buttons. Results are HTML the server rendered and
// escaped (/results); this script only moves those nodes into the page and never builds HTML from
// text.
//
// Settling: while a question is being typed the page asks with typing=1 (the last word matched
// as a prefix, no answer card); once the text ends a sentence (? . !), or the typing pauses for
// SETTLE_MS, or on Enter, it asks for the settled results, and only those are announced to
// screen readers.
"use strict";

(() => {
  const DEBOUNCE_MS = 120; // between keys: one request per burst of typing
  const SETTLE_MS = 900; // a pause this long means the user is reading, not typing
  const box = document.getElementById("q");
  const region = document.getElementById("results");
  const status = document.getElementById("status");
  if (!box) return;

  let pending = null; // AbortController of the request in flight
  let typingTimer = 0;
  let settleTimer = 0;
  let shownQuery = region ? box.value : null; // the query whose results are on screen
  let shownSettled = true;
  let ownEntry = false; // whether the current history entry was pushed by this script

  // -- rendering ------------------------------------------------------------------------------

  const links = () => (region ? Array.from(region.querySelectorAll(".result-link")) : []);

  function enhance(root) {
    for (const button of root.querySelectorAll(".copy-button[hidden]")) button.hidden = false;
  }

  function nodesOf(html) {
    return Array.from(new DOMParser().parseFromString(html, "text/html").body.childNodes);
  }

  function showFragment(html, query, settled) {
    region.replaceChildren(...nodesOf(html));
    enhance(region);
    document.body.classList.toggle("home-page", !query.trim());
    shownQuery = query;
    shownSettled = settled;
    region.dataset.query = query;
    if (settled) announceResults();
  }

  function announceResults() {
    const state = region.querySelector("[data-settled]");
    if (!state || state.dataset.settled !== "true") return;
    const answer = region.querySelector(".answer-text");
    const count = region.querySelector(".result-count");
    const noAnswer = region.querySelector('[data-state="no-answer"]');
    const parts = [];
    if (answer) parts.push(`Answer: ${answer.textContent}.`);
    else if (noAnswer) parts.push("The documents do not answer this.");
    parts.push(count ? `${count.textContent.split("·")[0].trim()}.` : "No passages match.");
    announce(box.value.trim() ? parts.join(" ") : "");
  }

  function announce(text) {
    if (status) status.textContent = text;
  }

  function showError(message) {
    // The old results would read as the answer to the new text: they go, and the error shows.
    const notice = document.createElement("section");
    notice.className = "notice notice-error";
    notice.dataset.state = "fetch-error";
    notice.setAttribute("role", "alert");
    const heading = document.createElement("h1");
    heading.textContent = "Could not get results";
    const text = document.createElement("p");
    text.textContent = `${message} Press Enter to try again.`;
    notice.append(heading, text);
    region.replaceChildren(notice);
    shownQuery = null;
  }

  // -- the address bar ------------------------------------------------------------------------

  function remember(query) {
    const address = query.trim() ? `/search?${new URLSearchParams({ q: query })}` : "/";
    if (address === location.pathname + location.search) return;
    // The first change after a page loads is a new entry, so Back returns to that page rather
    // than leaving the site; the rest of the typing replaces it.
    if (ownEntry) history.replaceState({ query }, "", address);
    else history.pushState({ query }, "", address);
    ownEntry = true;
    document.title = query.trim() ? `${query} — Liner` : "Liner";
  }

  // -- results as you type -------------------------------------------------------------------

  const endsSentence = (text) => /[?.!]\s*$/.test(text);

  async function fetchResults(query, settled, url = null) {
    if (pending) pending.abort(); // a newer query makes the older answer stale
    const controller = new AbortController();
    pending = controller;
    const address = url || new URL(region.dataset.resultsUrl, location.href);
    if (!url) {
      address.searchParams.set("q", query);
      if (!settled) address.searchParams.set("typing", "1");
    }
    try {
      const response = await fetch(address, { signal: controller.signal, headers: { Accept: "text/html" } });
      const html = await response.text();
      if (controller.signal.aborted) return null;
      if (!response.ok && !html.includes("data-state")) throw new Error(`The server answered ${response.status}.`);
      return html;
    } catch (error) {
      if (error.name === "AbortError" || controller.signal.aborted) return null;
      showError(error.message && error.name !== "TypeError" ? error.message : "Liner could not be reached.");
      announce("Could not get results.");
      return null;
    } finally {
      if (pending === controller) pending = null;
    }
  }

  async function search(query, settled) {
    clearTimeout(typingTimer);
    if (settled) clearTimeout(settleTimer);
    if (query === shownQuery && (shownSettled || !settled)) return;
    const html = await fetchResults(query, settled);
    if (html === null) return;
    showFragment(html, query, settled);
    remember(query);
  }

  function onInput() {
    const query = box.value;
    clearTimeout(typingTimer);
    clearTimeout(settleTimer);
    if (!query.trim()) {
      search(query, true);
      return;
    }
    const settled = endsSentence(query);
    typingTimer = setTimeout(() => search(query, settled), DEBOUNCE_MS);
    if (!settled) settleTimer = setTimeout(() => search(box.value, true), SETTLE_MS);
  }

  async function moreResults(link) {
    const html = await fetchResults(shownQuery, true, new URL(link.href.replace("/search?", "/results?"), location.href));
    if (html === null) return;
    const list = region.querySelector("#result-list");
    const first = links().length;
    const incoming = new DOMParser().parseFromString(html, "text/html");
    for (const group of incoming.querySelectorAll(".result-group")) {
      const same = Array.from(list.children).find((old) => old.dataset.path === group.dataset.path);
      if (same) same.querySelector(".sub-results").append(...group.querySelector(".sub-results").children);
      else list.append(group);
    }
    const newCount = incoming.querySelector(".result-count");
    if (newCount) region.querySelector(".result-count").textContent = newCount.textContent;
    const more = incoming.querySelector(".more");
    link.closest(".more").replaceWith(...(more ? [more] : []));
    enhance(region);
    const next = links()[first];
    if (next) next.focus();
    announce(newCount ? `${newCount.textContent.split("·")[0].trim()}.` : "");
  }

  // -- keyboard -------------------------------------------------------------------------------

  function moveFocus(from, step) {
    const all = links();
    const index = all.indexOf(from);
    const next = index + step;
    if (next < 0) box.focus();
    else if (next < all.length) all[next].focus();
  }

  function clear() {
    clearTimeout(typingTimer);
    clearTimeout(settleTimer);
    box.value = "";
    if (region) search("", true);
  }

  box.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" && links().length) {
      event.preventDefault();
      links()[0].focus();
    } else if (event.key === "Enter" && region) {
      event.preventDefault();
      search(box.value, true);
    } else if (event.key === "Escape") {
      event.preventDefault();
      if (box.value) clear();
      else box.blur();
    }
  });

  document.addEventListener("keydown", (event) => {
    const target = event.target;
    const typing = target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName);
    const slash = event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey;
    const commandK = (event.key === "k" || event.key === "K") && (event.ctrlKey || event.metaKey) && !event.altKey;
    if (slash || commandK) {
      event.preventDefault();
      box.focus();
      box.select();
    } else if (region && target.classList && target.classList.contains("result-link")) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        moveFocus(target, event.key === "ArrowDown" ? 1 : -1);
      } else if (event.key === "Escape") {
        box.focus();
      }
    }
  });

  if (region) {
    box.addEventListener("input", onInput);
    // The browser's own clear button on type=search fires "search" without "input" in some engines.
    box.addEventListener("search", () => { if (!box.value) clear(); });
    region.dataset.query = box.value;
    region.addEventListener("click", (event) => {
      const link = event.target.closest(".more-link");
      if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
      event.preventDefault();
      moreResults(link);
    });
    window.addEventListener("popstate", () => {
      const query = new URLSearchParams(location.search).get("q") || "";
      box.value = query;
      ownEntry = false;
      shownQuery = null;
      fetchResults(query, true).then((html) => {
        if (html !== null) showFragment(html, query, true);
      });
    });
  }

  // -- Copy as Markdown -----------------------------------------------------------------------

  async function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      try {
        await navigator.clipboard.writeText(text);
        return true;
      } catch (error) {
        // Permission refused: fall through to the older way.
      }
    }
    const scratch = document.createElement("textarea");
    scratch.value = text;
    scratch.setAttribute("readonly", "");
    scratch.className = "visually-hidden";
    document.body.append(scratch);
    scratch.select();
    let copied = false;
    try {
      copied = document.execCommand("copy");
    } catch (error) {
      copied = false;
    }
    scratch.remove();
    return copied;
  }

  document.addEventListener("click", async (event) => {
    const button = event.target.closest(".copy-button");
    if (!button) return;
    const copied = await copyText(button.dataset.markdown);
    const label = button.firstChild; // the visible words; the hidden part says what is copied
    label.textContent = copied ? "Copied" : "Copy failed";
    button.classList.toggle("copied", copied);
    announce(copied ? "Markdown copied to the clipboard." : "Could not copy; select the text instead.");
    setTimeout(() => {
      label.textContent = "Copy as Markdown";
      button.classList.remove("copied");
    }, 2000);
  });

  // -- document view: scroll to the cited lines when the link had no #L anchor -----------------

  const cited = document.querySelector(".line.cited");
  if (cited && !location.hash) cited.scrollIntoView({ block: "center" });

  enhance(document);
})();
