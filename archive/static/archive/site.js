/* A little JavaScript on top of pages that work without it:
   - copy buttons for citations (the text stays selectable without JS);
   - "Cite this turn" opens the citation in a dialog instead of a new page.
   (Each turn links to the same turn in the other versions, so switching keeps the place.) */
(function () {
  "use strict";

  var status = document.querySelector(".copy-status");

  function announce(message) {
    if (!status) return;
    status.textContent = "";
    // A fresh text node each time so screen readers announce a repeated message.
    window.setTimeout(function () { status.textContent = message; }, 50);
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      document.body.removeChild(area);
      if (ok) { resolve(); } else { reject(new Error("copy refused")); }
    });
  }

  function enableCopyButtons(root) {
    root.querySelectorAll("button[data-copy]").forEach(function (button) {
      button.hidden = false;
      if (button.dataset.copyReady) return;
      button.dataset.copyReady = "1";
      button.addEventListener("click", function () {
        var field = document.getElementById(button.dataset.copy);
        if (!field) return;
        copyText(field.value).then(
          function () {
            button.dataset.copied = "1";
            announce(status ? status.dataset.copied : "Copied");
          },
          function () {
            field.focus();
            field.select();
            announce(status ? status.dataset.copyFailed : "Copy failed");
          }
        );
      });
    });
  }

  function enableCiteDialog() {
    var dialog = document.getElementById("cite-dialog");
    if (!dialog || typeof dialog.showModal !== "function" || !window.fetch) return;
    var body = dialog.querySelector(".cite-dialog__body");
    var opener = null;
    document.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest("a.cite-link");
      if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
      event.preventDefault();
      opener = link;
      fetch(link.href, { credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error(response.status);
          return response.text();
        })
        .then(function (html) {
          var page = new DOMParser().parseFromString(html, "text/html");
          var citation = page.getElementById("citation");
          if (!citation) throw new Error("no citation");
          body.replaceChildren(document.importNode(citation, true));
          enableCopyButtons(body);
          dialog.showModal();
          var first = body.querySelector("button[data-copy]");
          if (first) first.focus();
        })
        .catch(function () { window.location.href = link.href; });
    });
    dialog.addEventListener("close", function () {
      if (opener) opener.focus();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    enableCopyButtons(document);
    enableCiteDialog();
  });
})();
