// Progressive enhancement only: every feature works without this file.
// Changing the sort order submits its form at once. On a wide screen the filters are
// a sidebar that is always open; browsers without ::details-content get it opened here.
document.addEventListener("DOMContentLoaded", () => {
  const sort = document.getElementById("sort");
  if (sort && sort.form) {
    sort.addEventListener("change", () => sort.form.submit());
    const button = sort.form.querySelector("button");
    if (button) button.hidden = true;
  }
  const filters = document.getElementById("filters");
  if (filters && !CSS.supports("selector(::details-content)")) {
    const wide = window.matchMedia("(min-width: 50rem)");
    const follow = () => { if (wide.matches) filters.open = true; };
    follow();
    wide.addEventListener("change", follow);
  }
});
