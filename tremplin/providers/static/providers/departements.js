// The offer form's départements by région: "Toute la région" ticks or unticks all the région's
// départements, and unticking one of them unticks "Toute la région". Without this script the server
// adds every département of a région ticked as a whole.
// A search box (inserted here, so only where it works) hides the départements whose name or number
// does not match, and the régions left without any; a région whose name matches shows them all.
(function () {
  "use strict";
  function show(element, visible) {
    // DSFR's fieldsets are flex boxes, which the `hidden` attribute alone does not hide.
    element.hidden = !visible;
    element.style.display = visible ? "" : "none";
  }

  function plain(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[’']/g, " ").toLowerCase().trim();
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-departements-by-region]"), function (widget) {
    var groups = Array.prototype.slice.call(widget.querySelectorAll("fieldset"));

    groups.forEach(function (group) {
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

    var template = widget.querySelector("template[data-departements-search]");
    if (!template || !("content" in template)) {
      return;
    }
    widget.insertBefore(template.content.cloneNode(true), widget.firstChild);
    var input = widget.querySelector("input[type=search]");
    var status = widget.querySelector("[role=status]");
    var regions = groups.map(function (group) {
      var legend = group.querySelector("legend");
      return {
        group: group,
        name: plain(legend ? legend.textContent : ""),
        items: Array.prototype.filter
          .call(group.querySelectorAll("input[type=checkbox]"), function (box) {
            return !box.hasAttribute("data-whole-region");
          })
          .map(function (box) {
            var label = group.querySelector("label[for='" + box.id + "']");
            return { element: box.closest(".fr-fieldset__element"), text: plain(label ? label.textContent : "") };
          }),
        whole: group.querySelector("[data-whole-region]"),
      };
    });

    function filter() {
      var query = plain(input.value);
      var shown = 0;
      regions.forEach(function (region) {
        var regionMatches = query === "" || region.name.indexOf(query) !== -1;
        var count = 0;
        region.items.forEach(function (item) {
          var visible = regionMatches || item.text.indexOf(query) !== -1;
          show(item.element, visible);
          if (visible) {
            count += 1;
          }
        });
        show(region.group, count > 0);
        if (region.whole) {
          // "Toute la région" only when the whole région is listed, so that it never ticks hidden boxes unseen.
          show(region.whole.closest(".fr-fieldset__element"), regionMatches);
        }
        shown += count;
      });
      if (query === "") {
        status.textContent = "";
      } else if (shown === 0) {
        status.textContent = status.getAttribute("data-none");
      } else if (shown === 1) {
        status.textContent = status.getAttribute("data-one");
      } else {
        status.textContent = status.getAttribute("data-many").replace("{count}", shown);
      }
    }

    input.addEventListener("input", filter);
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault(); // a search, not the offer's submission
      } else if (event.key === "Escape" && input.value !== "") {
        event.preventDefault();
        input.value = "";
        filter();
      }
    });
  });
})();
