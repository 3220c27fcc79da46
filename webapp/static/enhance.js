// Progressive enhancement only: every feature works without this file.
// Changing the sort order submits its form at once. On a wide screen the filters are
// a sidebar that is always open; browsers without ::details-content get it opened here.
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
});
