// cablescope: small enhancements for every page. Everything works without this
// file; it only adds conveniences (copy buttons, submit-on-change, a "/" shortcut).
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", fn);
    } else {
      fn();
    }
  }

  // Copy buttons: <button data-copy="ID" hidden> copies the text of #ID.
  function copyButtons() {
    var buttons = document.querySelectorAll("button[data-copy]");
    Array.prototype.forEach.call(buttons, function (b) {
      var target = document.getElementById(b.getAttribute("data-copy"));
      if (!target || !navigator.clipboard) return;
      var label = b.textContent;
      b.hidden = false;
      b.addEventListener("click", function () {
        navigator.clipboard.writeText(target.textContent.trim()).then(
          function () {
            b.textContent = "Copied";
            setTimeout(function () { b.textContent = label; }, 1600);
          },
          function () {
            b.textContent = "Copy failed: select the text";
          }
        );
      });
    });
  }

  // Changing the order (or the graph depth) applies it at once.
  function submitOnChange() {
    ["sort", "depth"].forEach(function (id) {
      var sel = document.getElementById(id);
      if (!sel || !sel.form) return;
      sel.addEventListener("change", function () {
        var q = sel.form.querySelector("input[name=q]");
        if (q && q.value.trim() === "") return;
        sel.form.submit();
      });
    });
  }

  // "/" focuses the search box, as on many sites, unless the reader is typing.
  function slashShortcut() {
    document.addEventListener("keydown", function (e) {
      if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) return;
      var t = e.target;
      var tag = t && t.tagName;
      if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (t && t.isContentEditable)) return;
      var box = document.getElementById("q") || document.getElementById("header-q");
      if (!box) return;
      e.preventDefault();
      box.focus();
      box.select();
    });
  }

  // On a narrow screen the facets sit above the results: start them closed, so
  // the first hits are on the first screen (the summary opens them). Without
  // this script they stay open, which only costs scrolling.
  function narrowFacets() {
    var box = document.getElementById("facets-box");
    if (!box || !window.matchMedia) return;
    if (window.matchMedia("(max-width: 52rem)").matches) box.open = false;
  }

  ready(function () {
    copyButtons();
    submitOnChange();
    slashShortcut();
    narrowFacets();
  });
})();
