// The language menu in the header switches as soon as a language is chosen (no inline handler: the
// station's Content-Security-Policy allows scripts from its own files only).
document.querySelectorAll("form.lang select").forEach((select) => {
  select.addEventListener("change", () => select.form.submit());
});
