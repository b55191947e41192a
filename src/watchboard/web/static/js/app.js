// Watchboard workbench: every htmx request carries the session's CSRF token and asks for
// HTML (so errors come back as pages, not JSON); a failed request says so where it would
// have shown its result.
document.addEventListener("htmx:configRequest", function (event) {
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) { event.detail.headers["X-CSRF-Token"] = meta.getAttribute("content"); }
  event.detail.headers["Accept"] = "text/html";
});

document.addEventListener("htmx:responseError", function (event) {
  var target = event.detail.target;
  var status = event.detail.xhr ? event.detail.xhr.status : 0;
  if (!target) { return; }
  var box = document.createElement("p");
  box.className = "flash flash-error";
  box.setAttribute("role", "alert");
  box.textContent = status === 404
    ? "Not found: it may have been removed, or you may not have access."
    : "The request failed (" + status + "). Reload the page and try again.";
  target.replaceChildren(box);
});

document.addEventListener("htmx:sendError", function (event) {
  var target = event.detail.target;
  if (!target) { return; }
  var box = document.createElement("p");
  box.className = "flash flash-error";
  box.setAttribute("role", "alert");
  box.textContent = "The server could not be reached.";
  target.replaceChildren(box);
});
