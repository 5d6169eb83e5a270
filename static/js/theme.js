/* Runs first, in <head>, before the page paints.
   - Marks the page as scripted: without this class the CSS keeps the phone menu open, as
     its toggle button needs Bootstrap's script (static/css/app.css, "no-JS navigation").
   - Follows the system's light or dark setting, and its changes. Without a script, the
     same dark scheme comes from a prefers-color-scheme media query in app.css. */
(function () {
  var root = document.documentElement;
  root.classList.add("js");
  var query = window.matchMedia("(prefers-color-scheme: dark)");
  function apply() {
    root.setAttribute("data-bs-theme", query.matches ? "dark" : "light");
  }
  apply();
  query.addEventListener("change", apply);
})();
