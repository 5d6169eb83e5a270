/* Small enhancements on top of pages that work without JavaScript. */
document.addEventListener("htmx:afterSettle", function () {
  // htmx puts focus back on the button that was used when it still exists (same id).
  // When the swap removed it (a milestone marked done leaves "Next up"), keep keyboard
  // users in place: focus the swapped region's landmark heading instead of the page body.
  if (document.activeElement && document.activeElement !== document.body) return;
  var fallback = document.querySelector("[data-focus-fallback]");
  if (fallback) fallback.focus();
});
