/* TowerWatch: small behaviours shared by every page. */
(function () {
  "use strict";
  // Autocomplete: copy the chosen suggestion's id into the hidden input next to the search box.
  document.addEventListener("input", function (e) {
    var box = e.target;
    if (!box.classList || !box.classList.contains("tw-autocomplete")) { return; }
    var hidden = document.getElementById(box.dataset.target);
    var list = document.getElementById(box.getAttribute("list"));
    var chosen = Array.prototype.find.call(list.options, function (o) { return o.value === box.value; });
    hidden.value = chosen ? chosen.dataset.id : "";
    if (chosen) { hidden.dispatchEvent(new Event("change", { bubbles: true })); }
  });
})();
