// Todo: what JavaScript adds to pages that work without it. htmx (loaded before this file)
// swaps the server's fragments in place; this file shows times in the reader's time zone,
// asks before deleting in a dialog, keeps the keyboard focus where the user expects it,
// cancels an edit with Escape, and reports failures. No inline script is needed: the page's
// Content-Security-Policy forbids them.
(function () {
  "use strict";

  // Times: the server writes UTC; the reader wants their own clock.

  const timeOnly = new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit" });
  const dayThisYear = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short" });
  const dayOtherYear = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", year: "numeric" });
  const fullDate = new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeStyle: "long" });
  const relativeDay = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });

  function startOfDay(d) {
    return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  }

  function readableTime(d, now) {
    const days = Math.round((startOfDay(d) - startOfDay(now)) / 86400000);
    let day;
    if (days === 0 || days === -1) {
      day = relativeDay.format(days, "day");
    } else if (d.getFullYear() === now.getFullYear()) {
      day = dayThisYear.format(d);
    } else {
      day = dayOtherYear.format(d);
    }
    return day + ", " + timeOnly.format(d);
  }

  function localizeTimes(root) {
    const now = new Date();
    root.querySelectorAll("time[datetime]").forEach(function (el) {
      const d = new Date(el.dateTime);
      if (isNaN(d.getTime())) return;
      el.textContent = readableTime(d, now);
      el.title = fullDate.format(d);
    });
  }

  // Alerts that the server could not send: the network failed, or the answer was not ours.

  function showAlert(message) {
    const alerts = document.getElementById("alerts");
    if (!alerts) return;
    const box = document.createElement("div");
    box.className = "alert";
    box.setAttribute("role", "alert");
    const text = document.createElement("p");
    text.textContent = message;
    box.appendChild(text);
    alerts.replaceChildren(box);
  }

  // Asking before deleting: hx-confirm opens our dialog instead of window.confirm.

  function ask(source, question) {
    const dialog = document.getElementById("confirm-dialog");
    if (!dialog || typeof dialog.showModal !== "function") {
      return Promise.resolve(window.confirm(question));
    }
    dialog.querySelector("#confirm-title").textContent = source.dataset.confirmTitle || "Are you sure?";
    dialog.querySelector("#confirm-message").textContent = question;
    dialog.querySelector("#confirm-accept").textContent = source.dataset.confirmButton || "OK";
    dialog.returnValue = "";
    dialog.showModal();
    // The safe answer has the focus, so that a stray Enter deletes nothing.
    dialog.querySelector("#confirm-cancel").focus();
    return new Promise(function (resolve) {
      dialog.addEventListener("close", function () {
        resolve(dialog.returnValue === "confirm");
      }, { once: true });
    });
  }

  document.addEventListener("htmx:confirm", function (e) {
    if (!e.detail.question) return;
    e.preventDefault();
    ask(e.detail.elt, e.detail.question).then(function (ok) {
      if (ok) e.detail.issueRequest(true);
    });
  });

  // Focus. htmx keeps it on an element whose id comes back in the new content; when that
  // element is gone (a deleted task, a task that left the filter, a closed edit form), the
  // focus goes to what the user would look at next, never to the top of the page.

  let focusPlan = null;

  function taskIdOf(el) {
    const item = el && el.closest("li.task");
    return item ? item.id.replace(/^task-/, "") : null;
  }

  function planFocus(source) {
    const ids = [];
    const returnTo = source.closest("[data-return-focus]");
    if (returnTo) ids.push(returnTo.dataset.returnFocus);
    const active = document.activeElement;
    if (active && active.id) ids.push(active.id);
    const item = source.closest("li.task");
    if (item) {
      // The same control of the next task, else of the previous one.
      const kind = active && active.id && taskIdOf(active) ? active.id.split("-")[0] : "toggle";
      [item.nextElementSibling, item.previousElementSibling].forEach(function (sibling) {
        if (sibling) ids.push(kind + "-" + sibling.id.replace(/^task-/, ""));
      });
    }
    ids.push("page-prev", "page-next", "toggle-all", "tasks-heading");
    return ids;
  }

  function applyFocus(ids) {
    const active = document.activeElement;
    if (active && active !== document.body && document.contains(active)) return;
    for (const id of ids) {
      const el = document.getElementById(id);
      if (el) {
        el.focus({ preventScroll: false });
        return;
      }
    }
  }

  // Requests that replace the list: only the answer to the latest one is swapped in, so that
  // two quick clicks cannot leave an older state of the list on the screen.
  let listRequests = 0;

  document.addEventListener("htmx:beforeRequest", function (e) {
    focusPlan = planFocus(e.detail.elt);
    if (e.detail.target && e.detail.target.id === "tasks") {
      e.detail.xhr.todoListRequest = ++listRequests;
    }
  });

  // Edit forms that are open stay open, with what is typed in them, when the list is
  // replaced by another action.
  let openEditors = [];

  document.addEventListener("htmx:beforeSwap", function (e) {
    if (!e.detail.shouldSwap) return; // 204: nothing to show
    const xhr = e.detail.xhr;
    const type = xhr.getResponseHeader("Content-Type") || "";
    if (!type.startsWith("text/html")) {
      e.detail.shouldSwap = false;
      showAlert("Something went wrong on our side, so nothing was changed. Please try again.");
      return;
    }
    if (e.detail.target.id !== "tasks") return;
    if (xhr.todoListRequest && xhr.todoListRequest !== listRequests) {
      e.detail.swapOverride = "none"; // a newer answer is coming; still take its out-of-band parts
      return;
    }
    const source = e.detail.requestConfig && e.detail.requestConfig.elt;
    openEditors = Array.from(document.querySelectorAll("#tasks li.task.is-editing")).filter(function (li) {
      return !(source && li.contains(source));
    });
  });

  document.addEventListener("htmx:afterSwap", function () {
    openEditors.forEach(function (editor) {
      const fresh = document.getElementById(editor.id);
      if (fresh && fresh !== editor) {
        fresh.replaceWith(editor);
        htmx.process(editor);
      }
    });
    openEditors = [];
  });

  document.addEventListener("htmx:afterSettle", function () {
    if (!focusPlan) return;
    const ids = focusPlan;
    focusPlan = null;
    applyFocus(ids);
  });

  // A checkbox answers at once; the server's answer then confirms it, or puts it back.

  document.addEventListener("click", function (e) {
    const box = e.target.closest('button[role="checkbox"]');
    if (!box || box.disabled) return;
    box.setAttribute("aria-checked", box.getAttribute("aria-checked") === "true" ? "false" : "true");
    box.dataset.flipped = "true";
  });

  document.addEventListener("htmx:afterRequest", function (e) {
    const failed = e.detail.failed || e.detail.xhr.status === 0 || e.detail.xhr.status >= 400;
    const box = e.detail.elt.querySelector && e.detail.elt.querySelector('button[role="checkbox"][data-flipped]');
    if (!box) return;
    delete box.dataset.flipped;
    if (failed && document.contains(box)) {
      box.setAttribute("aria-checked", box.getAttribute("aria-checked") === "true" ? "false" : "true");
    }
  });

  document.addEventListener("htmx:sendError", function () {
    showAlert("Can't reach the server. Check your connection; nothing you typed is lost.");
  });

  // Keyboard: Escape cancels an edit; Ctrl+Enter (⌘+Enter) sends a form from a description.

  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape") {
      const form = e.target.closest && e.target.closest("form.task-edit");
      if (form) {
        e.preventDefault();
        form.querySelector("[data-cancel-edit]").click();
      }
      return;
    }
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && e.target.matches("textarea")) {
      e.preventDefault();
      e.target.form.requestSubmit();
    }
  });

  // Double-clicking a title edits it, as in TodoMVC.
  document.addEventListener("dblclick", function (e) {
    const title = e.target.closest(".task-title");
    const id = taskIdOf(title);
    const edit = id && document.getElementById("edit-" + id);
    if (edit) edit.click();
  });

  document.addEventListener("htmx:load", function (e) {
    localizeTimes(e.detail.elt);
  });

  document.addEventListener("DOMContentLoaded", function () {
    localizeTimes(document);
    // Ready to type the next task, unless the page was opened at a task or puts the focus
    // somewhere itself.
    const title = document.getElementById("new-title");
    if (title && !location.hash && !document.querySelector("[autofocus]") && document.activeElement === document.body) {
      title.focus({ preventScroll: true });
    }
  });
})();
