// Liner's page script. The pages work without it (a plain GET form and links); with it you get
// results as you type, keyboard use (/ ↑ ↓ Enter Esc), the ARIA combobox pattern, and the
// "Copy as Markdown" buttons. Results are HTML the server rendered and escaped (/results); this
// script only moves those nodes into the page and never builds HTML from text.
"use strict";

(() => {
  const DEBOUNCE_MS = 180;
  const box = document.getElementById("q");
  const region = document.getElementById("results");
  const status = document.getElementById("status");
  if (!box) return;

  let pending = null; // AbortController of the request in flight
  let timer = 0;
  let active = -1; // index of the highlighted option, -1 for none

  // -- rendering ------------------------------------------------------------------------------

  const options = () => (region ? Array.from(region.querySelectorAll(".result")) : []);

  function enhance() {
    box.setAttribute("role", "combobox");
    box.setAttribute("aria-autocomplete", "list");
    box.setAttribute("aria-controls", "result-list");
    const list = region && region.querySelector("#result-list");
    if (list) list.setAttribute("role", "listbox");
    for (const option of options()) {
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
    }
    box.setAttribute("aria-expanded", String(options().length > 0));
    box.removeAttribute("aria-activedescendant");
    active = -1;
    for (const button of document.querySelectorAll(".copy-button[hidden]")) button.hidden = false;
  }

  function showFragment(html) {
    const parsed = new DOMParser().parseFromString(html, "text/html");
    region.replaceChildren(...parsed.body.childNodes);
    enhance();
    const count = options().length;
    const answer = region.querySelector(".answer-text");
    announce(answer ? `Answer: ${answer.textContent}. ${count} passages.` : `${count} passages.`);
  }

  function announce(text) {
    if (status) status.textContent = text;
  }

  // -- results as you type -------------------------------------------------------------------

  async function fetchResults(query) {
    if (pending) pending.abort(); // a newer query makes the older answer stale
    const controller = new AbortController();
    pending = controller;
    const url = new URL(region.dataset.resultsUrl, location.href);
    url.searchParams.set("q", query);
    try {
      const response = await fetch(url, { signal: controller.signal, headers: { Accept: "text/html" } });
      const html = await response.text();
      if (controller.signal.aborted) return;
      showFragment(html);
      region.dataset.query = query;
      document.title = query.trim() ? `${query} — Liner` : "Liner";
      const address = query.trim() ? `/search?${new URLSearchParams({ q: query })}` : "/";
      history.replaceState(null, "", address);
    } catch (error) {
      if (error.name !== "AbortError") announce("Could not reach the server; press Enter to search.");
    } finally {
      if (pending === controller) pending = null;
    }
  }

  function scheduleSearch() {
    clearTimeout(timer);
    timer = setTimeout(() => fetchResults(box.value), box.value.trim() ? DEBOUNCE_MS : 0);
  }

  // -- keyboard -------------------------------------------------------------------------------

  function moveTo(index) {
    const all = options();
    if (!all.length) return;
    active = Math.max(-1, Math.min(all.length - 1, index));
    all.forEach((option, i) => {
      option.classList.toggle("active", i === active);
      option.setAttribute("aria-selected", String(i === active));
    });
    if (active < 0) {
      box.removeAttribute("aria-activedescendant");
      return;
    }
    box.setAttribute("aria-activedescendant", all[active].id);
    all[active].scrollIntoView({ block: "nearest" });
  }

  function clear() {
    clearTimeout(timer);
    box.value = "";
    if (region) fetchResults("");
  }

  box.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!options().length) return;
      event.preventDefault();
      moveTo(active + (event.key === "ArrowDown" ? 1 : -1));
    } else if (event.key === "Enter" && active >= 0) {
      const link = options()[active].querySelector(".result-link");
      if (link) {
        event.preventDefault();
        location.assign(link.href);
      }
    } else if (event.key === "Escape") {
      event.preventDefault();
      if (box.value) clear();
      else box.blur();
    }
  });

  document.addEventListener("keydown", (event) => {
    const target = event.target;
    const typing = target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName);
    if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault();
      box.focus();
      box.select();
    }
  });

  if (region) {
    box.addEventListener("input", scheduleSearch);
    // The browser's own clear button on type=search fires "search" without "input" in some engines.
    box.addEventListener("search", () => { if (!box.value) clear(); });
    region.dataset.query = box.value;
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
    button.textContent = copied ? "Copied" : "Copy failed";
    button.classList.toggle("copied", copied);
    announce(copied ? "Markdown copied to the clipboard." : "Could not copy; select the text instead.");
    setTimeout(() => {
      button.textContent = "Copy as Markdown";
      button.classList.remove("copied");
    }, 2000);
  });

  // -- document view: scroll to the cited lines when the link had no #L anchor -----------------

  const cited = document.querySelector(".line.cited");
  if (cited && !location.hash) cited.scrollIntoView({ block: "center" });

  enhance();
})();
