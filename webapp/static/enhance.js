// Progressive enhancement only: every feature works without this file.
// Changing the sort order or a date submits its form at once.
document.addEventListener("DOMContentLoaded", () => {
  const sort = document.getElementById("sort");
  if (sort && sort.form) {
    sort.addEventListener("change", () => sort.form.submit());
    const button = sort.form.querySelector("button");
    if (button) button.hidden = true;
  }
});
