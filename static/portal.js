// Portal behaviour on top of htmx: errors are shown, never silently dropped.
(function () {
  "use strict";

  function showMessage(text, kind) {
    var region = document.getElementById("flash");
    if (!region) { window.alert(text); return; }
    var p = document.createElement("p");
    p.className = "flash " + (kind || "error");
    p.setAttribute("role", "alert");
    p.textContent = text;
    region.appendChild(p);
    p.scrollIntoView({block: "nearest"});
  }

  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    if (xhr.getResponseHeader("HX-Redirect")) { return; }  // htmx follows it
    var text = "";
    var tmp = document.createElement("div");
    tmp.innerHTML = xhr.responseText || "";
    text = (tmp.textContent || "").trim().replace(/\s+/g, " ");
    if (!text || text.length > 400) {
      text = "Permintaan gagal (kode " + xhr.status + "). Perubahan Anda belum tersimpan.";
    }
    showMessage(text, "error");
  });

  document.addEventListener("htmx:sendError", function () {
    showMessage("Tidak dapat terhubung ke server. Periksa jaringan Anda; perubahan belum tersimpan.", "error");
  });

  document.addEventListener("htmx:beforeRequest", function () {
    var region = document.getElementById("flash");
    if (region) { region.querySelectorAll(".flash.error").forEach(function (el) { el.remove(); }); }
  });
  // A 409 that is the form again (a stale write: the row naming the other person's value;
  // portal/web.py marks it) is swapped in like a 422 instead of reported as an error; a
  // 409 refusal message is reported. (The htmx-config in base.html handles the rest.)
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr.status === 409 && event.detail.xhr.getResponseHeader("X-Portal-Form-Again")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-print]")) { window.print(); }
  });
  window.portalShowMessage = showMessage;
})();
