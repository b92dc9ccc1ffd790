// "Select all on this page": a checkbox with data-select-all ticks or unticks every row of its form
// (rows may sit outside the form's element and join it with form="…", so its elements are walked).
document.addEventListener("change", (event) => {
  const box = event.target;
  if (!(box instanceof HTMLInputElement) || !box.hasAttribute("data-select-all") || !box.form) return;
  for (const row of box.form.elements) {
    if (row instanceof HTMLInputElement && row.name === "contact_ids") row.checked = box.checked;
  }
});
