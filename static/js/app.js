/* Small enhancements on top of pages that work without JavaScript. */
document.addEventListener("htmx:afterSwap", function (event) {
  // Keep keyboard focus on the control that was used, after it is swapped in place.
  var target = event.detail.target;
  var id = target && target.getAttribute("data-focus-after-swap");
  if (id) {
    var element = document.getElementById(id);
    if (element) element.focus();
  }
});
