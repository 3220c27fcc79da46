// Progressive enhancement only: every feature works without this file.
// Changing the sort order submits its form at once. On a wide screen the filters are
// a sidebar that is always open; browsers without ::details-content get it opened here.
// The search box completes what is typed (completions(), below).
// "Skip to filters" opens the filters' panel.
document.addEventListener("DOMContentLoaded", () => {
  const sort = document.getElementById("sort");
  if (sort && sort.form) {
    sort.addEventListener("change", () => sort.form.submit());
    const button = sort.form.querySelector("button");
    if (button) button.hidden = true;
  }
  const filters = document.getElementById("filters");
  // "Skip to filters" opens the panel it skips to (a closed <details> on a phone).
  const openTarget = () => { if (filters && location.hash === "#filters") filters.open = true; };
  window.addEventListener("hashchange", openTarget);
  document.querySelectorAll('a[href="#filters"]').forEach((a) => a.addEventListener("click", () => {
    if (filters) filters.open = true;
  }));
  openTarget();
  if (filters && !CSS.supports("selector(::details-content)")) {
    const wide = window.matchMedia("(min-width: 50rem)");
    const follow = () => { if (wide.matches) filters.open = true; };
    follow();
    wide.addEventListener("change", follow);
  }
  const form = document.querySelector("form.search[data-suggest]");
  const box = form && form.querySelector("input[name=q]");
  if (box && window.fetch && window.AbortController) completions(form, box);
});

// The WAI-ARIA 1.2 combobox with a listbox popup: focus stays in the box, the option
// shown active is aria-activedescendant; ArrowDown/ArrowUp move, Enter opens the
// option's page, Escape closes the list; a polite status says how many were found.
// Requests wait until typing pauses (DEBOUNCE_MS) and a newer one aborts the older.
function completions(form, box) {
  const DEBOUNCE_MS = 150;
  const words = form.dataset;
  const list = document.createElement("ul");
  list.id = box.id + "-suggestions";
  list.className = "suggestions";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", words.listLabel);
  list.hidden = true;
  const status = document.createElement("div");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  box.parentNode.append(list);
  form.append(status);
  box.setAttribute("role", "combobox");
  box.setAttribute("aria-autocomplete", "list");
  box.setAttribute("aria-expanded", "false");
  box.setAttribute("aria-controls", list.id);
  let found = [];
  let active = -1;
  let timer = 0;
  let pending = null;

  const expand = (open) => {
    list.hidden = !open;
    box.setAttribute("aria-expanded", String(open));
    if (!open) choose(-1);
  };
  const choose = (index) => {
    active = index;
    [...list.children].forEach((li, i) => li.setAttribute("aria-selected", String(i === index)));
    if (index < 0) {
      box.removeAttribute("aria-activedescendant");
      return;
    }
    const li = list.children[index];
    box.setAttribute("aria-activedescendant", li.id);
    li.scrollIntoView({ block: "nearest" });
  };
  const go = (item) => {
    // only a page of this site (the API answers paths)
    if (/^\/(?!\/)/.test(item.url)) window.location.assign(item.url);
  };
  const show = (items) => {
    found = items.slice(0, 8);
    list.replaceChildren(
      ...found.map((item, i) => {
        const li = document.createElement("li");
        li.id = `${list.id}-${i}`;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        const label = document.createElement("span");
        label.textContent = item.label;
        label.lang = /[\u1780-\u17ff]/.test(item.label) ? "km" : "en";
        const kind = document.createElement("span");
        kind.className = "kind";
        kind.textContent = words["kind" + item.kind[0].toUpperCase() + item.kind.slice(1)] || "";
        li.append(label, " ", kind);
        li.addEventListener("click", () => go(item));
        return li;
      })
    );
    status.textContent = words[`count-${found.length}`] || "";
    choose(-1);
    expand(found.length > 0);
  };
  const lookup = async () => {
    const typed = box.value.trim();
    if (pending) pending.abort();
    pending = null;
    if (typed.length < 2) {
      found = [];
      expand(false);
      return;
    }
    const mine = (pending = new AbortController());
    try {
      const response = await fetch(`${words.suggest}?q=${encodeURIComponent(typed)}`, {
        signal: mine.signal,
        headers: { Accept: "application/json" },
      });
      const items = response.ok ? await response.json() : [];
      if (pending === mine && document.activeElement === box) show(items);
    } catch (error) {
      if (error.name !== "AbortError") expand(false);
    }
  };

  box.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(lookup, DEBOUNCE_MS);
  });
  box.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!found.length) return;
      event.preventDefault();
      if (list.hidden) expand(true);
      const step = event.key === "ArrowDown" ? 1 : -1;
      const next = active < 0 && step < 0 ? found.length - 1 : active + step;
      choose((next + found.length) % found.length);
    } else if (event.key === "Enter" && !list.hidden && active >= 0) {
      event.preventDefault();
      go(found[active]);
    } else if (event.key === "Escape" && !list.hidden) {
      event.preventDefault();
      expand(false);
    }
  });
  box.addEventListener("blur", () => expand(false));
  list.addEventListener("mousedown", (event) => event.preventDefault()); // keep focus in the box
}
