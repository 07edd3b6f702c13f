// Portal behaviour on top of htmx: errors are shown, never silently dropped; nothing typed
// is lost (drafts in this browser, a guard before leaving); slow requests show that they
// are working; focus follows the form a user opened and saved. No inline script anywhere
// (the Content-Security-Policy allows only the portal's own files).
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

  // -- failed requests: the server's status, in Indonesian ------------------------------
  // Only the portal's own refusals (errors/_message.html, data-portal-message) are shown
  // as written; a proxy's page ("502 Bad Gateway ... nginx") is named by its status.
  var STATUS_TEXT = {
    400: "permintaan tidak dapat dibaca server", 403: "akses ditolak", 404: "halaman tidak ditemukan",
    408: "server menunggu terlalu lama", 413: "berkas atau isian terlalu besar", 429: "terlalu banyak permintaan",
    500: "terjadi kesalahan di server", 502: "server perantara tidak mendapat jawaban dari portal",
    503: "portal sedang tidak tersedia", 504: "portal terlalu lama menjawab"
  };

  function portalMessage(xhr) {
    var type = xhr.getResponseHeader("Content-Type") || "";
    if (type.indexOf("text/html") !== 0) { return ""; }
    var tmp = document.createElement("div");
    tmp.innerHTML = xhr.responseText || "";
    var own = tmp.querySelector("[data-portal-message]");
    return own ? (own.textContent || "").trim().replace(/\s+/g, " ") : "";
  }

  function failureText(xhr) {
    var own = portalMessage(xhr);
    if (own) { return own + " Perubahan belum tersimpan."; }
    var status = xhr.status + (xhr.statusText ? " " + xhr.statusText : "");
    var why = STATUS_TEXT[xhr.status] || "permintaan gagal";
    if (xhr.status === 502 || xhr.status === 504) {
      // A proxy answered for a portal server that died or stalled mid-request: the save may
      // have landed. Saying "not saved" could be false; a second save is safe (the form's
      // revision makes it a 409 showing the stored value, never a double write).
      return "Belum pasti tersimpan: " + why + " (kode " + status + "). Isian Anda tetap di formulir dan " +
        "disimpan sebagai draf di peramban ini. Simpan lagi: bila simpanan tadi sudah masuk, portal " +
        "menunjukkan nilai yang tersimpan dan tidak menyimpannya dua kali.";
    }
    return "Tidak tersimpan: " + why + " (kode " + status + "). Isian Anda tetap di formulir dan disimpan " +
      "sebagai draf di peramban ini; coba simpan lagi sebentar lagi.";
  }

  var leaving = false;  // a sign-in redirect or a save in progress: the guard stays quiet

  document.addEventListener("htmx:beforeOnLoad", function (event) {
    // The session ended: htmx follows HX-Redirect to /masuk?next=...; drafts are kept.
    if (event.detail.xhr.status === 401) { leaving = true; }
    // Saved (2xx): the draft is no longer needed; a 422/409 form again keeps it. (Here,
    // before the swap: afterRequest fires on the form after it left the document.)
    var elt = event.detail.elt;
    if (elt.tagName === "FORM" && elt.hasAttribute("data-draft") && event.detail.xhr.status >= 200 &&
        event.detail.xhr.status < 300) {
      dropDraft(elt.getAttribute("data-draft"));
      elt.removeAttribute("data-dirty");
    }
  });

  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    if (xhr.getResponseHeader("HX-Redirect")) { return; }  // htmx follows it
    showMessage(failureText(xhr), "error");
  });

  document.addEventListener("htmx:sendError", function () {
    showMessage("Tidak dapat terhubung ke server. Periksa jaringan Anda; perubahan belum tersimpan " +
      "(isian tetap di formulir).", "error");
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

  // -- drafts: what is typed in a form[data-draft] is kept in this browser -------------
  // Keyed per person and tenant (body[data-draft-scope]) and per form (its data-draft:
  // the form's action, which names the period and the indicator). Removed once the
  // server saved the form; restored when the same form is opened again, also after a
  // new sign-in (the "Ubah" link of a row with a draft, a[data-draft-open], opens it).
  function scope() { return document.body.getAttribute("data-draft-scope"); }
  function draftKey(name) { return "portal-draf:" + scope() + ":" + name; }
  function fields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== "csrf_token" && el.name !== "revision" && el.name !== "konfirmasi" &&
        ["hidden", "file", "password", "submit", "button"].indexOf(el.type) < 0;
    });
  }
  function readDraft(name) {
    try { return JSON.parse(window.localStorage.getItem(draftKey(name)) || "null"); } catch (e) { return null; }
  }
  function writeDraft(form) {
    if (!scope()) { return; }
    var values = {};
    fields(form).forEach(function (el) { values[el.name] = el.type === "checkbox" ? el.checked : el.value; });
    try {
      window.localStorage.setItem(draftKey(form.getAttribute("data-draft")),
        JSON.stringify({values: values, page: window.location.pathname + window.location.search, at: Date.now()}));
    } catch (e) { /* storage full or disabled: the guard still warns */ }
  }
  function dropDraft(name) { try { window.localStorage.removeItem(draftKey(name)); } catch (e) { /* ignore */ } }

  function restore(form) {
    var draft = scope() && readDraft(form.getAttribute("data-draft"));
    if (!draft) { return; }
    var changed = false;
    fields(form).forEach(function (el) {
      if (!(el.name in draft.values)) { return; }
      var value = draft.values[el.name];
      if (el.type === "checkbox") { changed = changed || el.checked !== value; el.checked = value; }
      else { changed = changed || el.value !== value; el.value = value; }
    });
    if (!changed) { return; }
    form.setAttribute("data-dirty", "1");
    var note = document.createElement("p");
    note.className = "draft-note";
    note.setAttribute("role", "status");
    note.setAttribute("data-testid", "draft-restored");
    note.textContent = "Isian yang belum tersimpan dipulihkan dari draf di peramban ini. Periksa lalu Simpan. ";
    var drop = document.createElement("button");
    drop.type = "button";
    drop.className = "link";
    drop.textContent = "Buang draf";
    drop.addEventListener("click", function () {
      dropDraft(form.getAttribute("data-draft"));
      form.removeAttribute("data-dirty");
      note.textContent = "Draf dibuang. Batal untuk memuat nilai tersimpan.";
    });
    note.appendChild(drop);
    form.insertBefore(note, form.firstChild);
  }

  function dirtyForms() { return document.querySelectorAll("form[data-draft][data-dirty]"); }

  document.addEventListener("input", function (event) {
    var form = event.target.form;
    if (form && form.hasAttribute("data-draft")) { form.setAttribute("data-dirty", "1"); writeDraft(form); }
  });
  document.addEventListener("change", function (event) {
    var form = event.target.form;
    if (form && form.hasAttribute("data-draft")) { form.setAttribute("data-dirty", "1"); writeDraft(form); }
  });

  window.addEventListener("beforeunload", function (event) {
    if (!leaving && dirtyForms().length) { event.preventDefault(); event.returnValue = ""; }
  });
  // A click to another page of the portal (hx-boost) is no unload: ask here.
  document.addEventListener("htmx:confirm", function (event) {
    var elt = event.detail.elt;
    var boosted = elt && elt.tagName === "A" && !elt.hasAttribute("hx-get");
    if (!boosted || !dirtyForms().length) { return; }
    event.preventDefault();
    if (window.confirm("Ada isian yang belum disimpan (tetap tersimpan sebagai draf di peramban ini). " +
                       "Tinggalkan halaman ini?")) {
      event.detail.issueRequest(true);
    }
  });

  // -- busy state and upload progress ------------------------------------------------
  function submitButtons(elt) {
    return elt.tagName === "FORM" ? elt.querySelectorAll("button[type=submit], button:not([type])") : [];
  }
  document.addEventListener("htmx:beforeSend", function (event) {
    var elt = event.detail.elt;
    if (elt.tagName !== "FORM") { return; }
    elt.setAttribute("aria-busy", "true");
    submitButtons(elt).forEach(function (b) { b.disabled = true; b.classList.add("busy"); });
    if (elt.getAttribute("hx-encoding") === "multipart/form-data") {
      var progress = document.createElement("span");
      progress.className = "upload-progress";
      progress.setAttribute("role", "status");
      progress.setAttribute("data-testid", "upload-progress");
      progress.textContent = "Mengunggah 0 %";
      elt.appendChild(progress);
    }
  });
  document.addEventListener("htmx:xhr:progress", function (event) {
    var progress = event.target.querySelector && event.target.querySelector(".upload-progress");
    if (progress && event.detail.lengthComputable && event.detail.total) {
      var percent = Math.round(100 * event.detail.loaded / event.detail.total);
      progress.textContent = percent < 100 ? "Mengunggah " + percent + " %" : "Memeriksa berkas…";
    }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var elt = event.detail.elt;
    if (elt.tagName === "FORM") {
      elt.removeAttribute("aria-busy");
      submitButtons(elt).forEach(function (b) { b.disabled = false; b.classList.remove("busy"); });
      var progress = elt.querySelector(".upload-progress");
      if (progress) { progress.remove(); }
    }
  });

  // -- focus: into a form that opened, back to its row after a save --------------------
  var lastRow = null;
  document.addEventListener("htmx:load", function (event) {
    var elt = event.detail.elt;
    if (!elt || elt === document.body || !elt.querySelector) { return; }
    var forms = elt.matches("form[data-draft]") ? [elt] : elt.querySelectorAll("form[data-draft]");
    forms.forEach(restore);
    if (forms.length) {
      var first = forms[0].querySelector(".plausibility textarea, [aria-invalid=true], input:not([type=hidden]), select, textarea");
      if (first) { first.focus(); }
      lastRow = elt.id || null;
    } else if (lastRow && elt.id === lastRow) {
      var heading = elt.querySelector("h3, h2");
      if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
      lastRow = null;
    }
  });

  function openDrafts() {
    if (!scope()) { return; }
    document.querySelectorAll("a[data-draft-open]").forEach(function (link) {
      if (readDraft(link.getAttribute("data-draft-open"))) { link.click(); }
    });
    document.querySelectorAll("form[data-draft]").forEach(restore);
  }
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.detail.boosted || event.detail.elt === document.body) { openDrafts(); }
  });
  document.addEventListener("DOMContentLoaded", openDrafts);

  document.addEventListener("click", function (event) {
    if (!event.target.closest) { return; }
    if (event.target.closest("[data-print]")) { window.print(); }
    var cancel = event.target.closest("[data-draft-cancel]");
    if (cancel) { dropDraft(cancel.getAttribute("data-draft-cancel")); }
  });
  window.portalShowMessage = showMessage;
})();
