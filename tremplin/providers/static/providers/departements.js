// The offer form's départements by région: "Toute la région" ticks or unticks all the région's
// départements, and unticking one of them unticks "Toute la région". Without this script the server
// adds every département of a région ticked as a whole.
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("[data-departements-by-region] fieldset"), function (group) {
    var whole = group.querySelector("[data-whole-region]");
    if (!whole) {
      return;
    }
    var boxes = Array.prototype.filter.call(group.querySelectorAll("input[type=checkbox]"), function (box) {
      return box !== whole;
    });
    whole.addEventListener("change", function () {
      boxes.forEach(function (box) {
        box.checked = whole.checked;
      });
    });
    boxes.forEach(function (box) {
      box.addEventListener("change", function () {
        whole.checked = boxes.every(function (other) {
          return other.checked;
        });
      });
    });
  });
})();
