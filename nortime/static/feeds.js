// Subscribe links: focusing the calendar address selects it, ready to copy.
// (A static file, not an onfocus attribute: the Content-Security-Policy allows no inline script.)
(function () {
  "use strict";
  document.querySelectorAll("[data-select-on-focus]").forEach(function (field) {
    field.addEventListener("focus", function () { field.select(); });
  });
}());
