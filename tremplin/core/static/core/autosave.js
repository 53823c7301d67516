// Saves a form in the background so that nothing typed is lost: on each change, and every 20 seconds
// when something was typed. Any form with data-autosave="URL" uses it; the server answers JSON
// {"saved_at": "HH:MM", "errors": {...}, "fragments": {"id": "html"}}. Files are left out: they go with the form's own button.
// The whole form is sent each time. What is typed while a save is on its way is not lost: each edit
// bumps a revision number, a save remembers the revision it sent, and when its answer comes back
// with edits made since, the form is saved again at once.
// The sentences shown come from the page (data-saving, data-saved, data-partial, data-failed; "{time}"
// is replaced), so they are translated with the rest of the page.
// Boxes with data-group="NAME" and an exclusive one with data-exclusive="NAME" never stay ticked
// together (an answer like "data is not kept digitally").
(function () {
  "use strict";
  if (!window.fetch || !window.FormData) {
    return;
  }

  function keepExclusive(form, input) {
    var group = input.dataset.exclusive || input.dataset.group;
    if (!group || !input.checked) {
      return;
    }
    Array.prototype.forEach.call(form.querySelectorAll("input[name='" + group + "']"), function (other) {
      var otherIsExclusive = Boolean(other.dataset.exclusive);
      if (other !== input && otherIsExclusive !== Boolean(input.dataset.exclusive)) {
        other.checked = false;
      }
    });
  }

  // Parts of the page the server renders again after a save (e.g. the bank's answer on the IBAN just
  // saved): {"id": "html"}, put into the element of that id if it is marked data-autosave-fragment.
  function showFragments(fragments) {
    Object.keys(fragments).forEach(function (id) {
      var element = document.getElementById(id);
      if (element && element.hasAttribute("data-autosave-fragment")) {
        element.innerHTML = fragments[id];
      }
    });
  }

  function watch(form) {
    var status = document.getElementById(form.dataset.autosaveStatus || "autosave-status");
    var revision = 0; // edits made on the page
    var savedRevision = 0; // the last revision the server saved
    var saving = false;

    function say(text, time) {
      if (status && text) {
        status.textContent = text.replace("{time}", time || "");
      }
    }

    function save() {
      if (saving || revision === savedRevision) {
        return;
      }
      var sent = revision;
      var failed = false;
      saving = true;
      say(form.dataset.saving);
      var data = new FormData(form);
      Array.prototype.forEach.call(form.querySelectorAll("input[type=file]"), function (input) {
        data.delete(input.name);
      });
      data.set("_action", "save");
      // The key makes the buttons' send happen once (tremplin.core.idempotency); a save is not that send.
      data.delete("idempotency_key");
      fetch(form.dataset.autosave, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-Autosave": "1" },
      })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(response.status);
          }
          return response.json();
        })
        .then(function (result) {
          savedRevision = Math.max(savedRevision, sent);
          showFragments(result.fragments || {});
          var partial = Object.keys(result.errors || {}).length > 0;
          say(partial ? form.dataset.partial : form.dataset.saved, result.saved_at);
        })
        .catch(function () {
          // Left unsaved: the next change or the next tick of the timer tries again.
          failed = true;
          say(form.dataset.failed);
        })
        .finally(function () {
          saving = false;
          if (!failed && revision !== savedRevision) {
            save(); // typed during the save: send the form as it is now
          }
        });
    }

    form.addEventListener("input", function () {
      revision += 1;
    });
    form.addEventListener("change", function (event) {
      if (event.target.type === "file") {
        return;
      }
      keepExclusive(form, event.target);
      revision += 1;
      save();
    });
    window.setInterval(save, 20000);
  }

  Array.prototype.forEach.call(document.querySelectorAll("form[data-autosave]"), watch);
})();
