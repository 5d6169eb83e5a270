/* Small enhancements on top of pages that work without JavaScript. */
document.addEventListener("htmx:afterSettle", function () {
  // htmx puts focus back on the button that was used when it still exists (same id).
  // When the swap removed it (a milestone marked done leaves "Next up"), keep keyboard
  // users in place: focus the swapped region's landmark heading instead of the page body.
  if (document.activeElement && document.activeElement !== document.body) return;
  var fallback = document.querySelector("[data-focus-fallback]");
  if (fallback) fallback.focus();
});

// The plan form's time zone: suggest the browser's own while the learner has not chosen
// one yet (the select keeps its server-side default without JavaScript).
document.addEventListener("DOMContentLoaded", function () {
  var select = document.querySelector('select[data-browser-time-zone="suggest"]');
  if (!select || !window.Intl) return;
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (zone && select.querySelector('option[value="' + zone + '"]')) select.value = zone;
});
