// The document reader: a highlighted claim (mark[data-claim]) opens its fields in the side
// panel (#claim-panel) on click, Enter or Space; Escape in the panel goes back to the text.
(function () {
  "use strict";
  var text = document.getElementById("document-text");
  var panel = document.getElementById("claim-panel");
  if (!text || !panel) { return; }
  var base = text.getAttribute("data-panel-base");
  var lastMark = null;

  function marksOf(id) {
    return text.querySelectorAll('mark[data-claims~="' + CSS.escape(id) + '"]');
  }

  function highlight(id) {
    text.querySelectorAll("mark.selected").forEach(function (m) { m.classList.remove("selected"); });
    marksOf(id).forEach(function (m) { m.classList.add("selected"); });
  }

  function remember(id) {
    var url = new URL(window.location.href);
    url.searchParams.set("claim", id);
    window.history.replaceState(null, "", url.pathname + url.search);
  }

  function open(id, focusPanel) {
    highlight(id);
    remember(id);
    panel.setAttribute("data-selected", id);
    panel.setAttribute("aria-busy", "true");
    return htmx.ajax("GET", base + encodeURIComponent(id) + "/panel", {
      target: "#claim-panel",
      swap: "innerHTML"
    }).then(function () {
      panel.removeAttribute("aria-busy");
      if (focusPanel) {
        var title = panel.querySelector(".panel-title");
        if (title) { title.focus(); }
      }
    });
  }

  text.addEventListener("click", function (event) {
    var mark = event.target.closest("mark[data-claim]");
    if (!mark) { return; }
    lastMark = mark;
    open(mark.getAttribute("data-claim"), false);
  });

  text.addEventListener("keydown", function (event) {
    var mark = event.target.closest("mark[data-claim]");
    if (!mark || (event.key !== "Enter" && event.key !== " ")) { return; }
    event.preventDefault();
    lastMark = mark;
    open(mark.getAttribute("data-claim"), true);
  });

  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && lastMark) { lastMark.focus(); }
  });

  var list = document.getElementById("claim-list");
  if (list) {
    list.addEventListener("click", function (event) {
      var link = event.target.closest("a[data-claim]");
      if (!link || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
      event.preventDefault();
      var id = link.getAttribute("data-claim");
      var first = marksOf(id)[0];
      if (first) { first.scrollIntoView({ block: "center" }); lastMark = first; }
      open(id, true);
    });
  }

  var selected = panel.getAttribute("data-selected");
  if (selected) {
    highlight(selected);
    var first = marksOf(selected)[0];
    if (first) { first.scrollIntoView({ block: "center" }); lastMark = first; }
  }
})();
