// Todo: what JavaScript adds to pages that work without it. htmx (loaded before this file)
// swaps the server's fragments in place; this file keeps Back and Forward on the page the
// address shows, shows times in the reader's time zone, asks before deleting in a dialog,
// keeps the keyboard focus where the user expects it, cancels an edit with Escape, gives the
// keyboard shortcuts of the list, helps with quick add, tags, the Repeat control and bulk
// selection, shows the notices of reminders, turns on notifications in the browser, copies the
// calendar feed's URL, reads the browser's time zone for sign-up and settings, and reports
// failures. No inline script is needed: the page's Content-Security-Policy forbids them.
(function () {
  "use strict";

  // Times: the server writes UTC; the reader wants their own clock. Dues are the exception:
  // the server writes them in the user's own time zone (data-user-zone), in which "today" and
  // "overdue" are meant.

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
    root.querySelectorAll("time[datetime]:not([data-user-zone])").forEach(function (el) {
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
    let question = e.detail.question;
    if (e.detail.elt.hasAttribute("data-confirm-count")) {
      // A bulk delete names how many; with none selected the server says what to do.
      const n = selectedBoxes().length;
      if (n === 0) {
        e.detail.issueRequest(true);
        return;
      }
      question = (n === 1 ? "The selected task" : "The " + n + " selected tasks") + " will be deleted. This can't be undone.";
    }
    ask(e.detail.elt, question).then(function (ok) {
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

  // Back and Forward: with its history cache off, htmx fetches every page it returns to, and
  // it never cancels a fetch that a later step overtook. After two quick Backs the answer for
  // the page passed through could land last, over the page the address shows; so a newer
  // restore or navigation aborts the one still under way.
  let pendingRestore = null;

  function abortPendingRestore() {
    if (pendingRestore) pendingRestore.abort();
    pendingRestore = null;
  }

  document.addEventListener("htmx:historyCacheMiss", function (e) {
    abortPendingRestore();
    pendingRestore = e.detail.xhr;
  });
  document.addEventListener("htmx:historyRestore", function () {
    pendingRestore = null;
  });
  document.addEventListener("htmx:beforeHistoryUpdate", abortPendingRestore);

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
      const editing = e.target.closest && e.target.closest("li.task.is-editing");
      if (editing) {
        e.preventDefault();
        editing.querySelector("[data-cancel-edit]").click();
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

  // Bulk selection: how many are selected, and "All on this page".

  function selectedBoxes() {
    return Array.from(document.querySelectorAll('#tasks input.select:checked'));
  }

  function showSelection() {
    const bulk = document.getElementById("bulk");
    if (!bulk) return;
    const boxes = document.querySelectorAll("#tasks input.select");
    const n = selectedBoxes().length;
    bulk.classList.toggle("is-idle", n === 0);
    document.getElementById("bulk-status").textContent = n === 0 ? "Select tasks to change them together." : n + " selected:";
    const all = document.getElementById("select-all");
    all.closest("label").hidden = false;
    all.checked = n > 0 && n === boxes.length;
    all.indeterminate = n > 0 && n < boxes.length;
  }

  document.addEventListener("change", function (e) {
    if (e.target.id === "select-all") {
      document.querySelectorAll("#tasks input.select").forEach(function (box) { box.checked = e.target.checked; });
    }
    if (e.target.matches("#select-all, #tasks input.select")) showSelection();
  });

  // The sort menu: a new sort starts in its own direction (newest, soonest, A to Z), before
  // htmx sends the form (hence the capture).
  document.addEventListener("change", function (e) {
    if (e.target.id !== "sort") return;
    const order = document.getElementById("order");
    if (order) order.value = e.target.selectedOptions[0].hasAttribute("data-desc") ? "desc" : "asc";
  }, true);

  // Quick add: a chip's button puts a backslash before what it recognised, which keeps it as
  // text, and the preview follows.
  document.addEventListener("click", function (e) {
    const undo = e.target.closest(".chip-undo");
    const input = document.getElementById("new-title");
    if (!undo || !input) return;
    const preview = undo.closest("[data-input]");
    if (preview && preview.dataset.input !== input.value) return; // typed on since; a new preview is coming
    let value = input.value;
    undo.dataset.escape.split(",").map(Number).sort(function (a, b) { return b - a; }).forEach(function (at) {
      value = value.slice(0, at) + "\\" + value.slice(at);
    });
    input.value = value;
    input.focus();
    input.dispatchEvent(new Event("input", { bubbles: true }));
  });

  // Tag fields take several tags, separated by commas: the suggestions complete the last one.
  function suggestTags(field) {
    const list = document.getElementById("tag-suggestions");
    if (!list) return;
    if (!list.dataset.names) {
      list.dataset.names = JSON.stringify(Array.from(list.options).map(function (o) { return o.value; }));
    }
    const names = JSON.parse(list.dataset.names);
    let prefix = "";
    let typed = [];
    if (field.hasAttribute("data-tags")) {
      const cut = field.value.lastIndexOf(",");
      prefix = cut < 0 ? "" : field.value.slice(0, cut + 1).trimEnd() + " ";
      typed = field.value.split(",").map(function (t) { return t.trim().toLowerCase(); });
    }
    list.replaceChildren.apply(list, names.filter(function (name) {
      return !typed.slice(0, -1).includes(name.toLowerCase());
    }).map(function (name) {
      const o = document.createElement("option");
      o.value = prefix + name;
      return o;
    }));
  }

  ["focusin", "input"].forEach(function (type) {
    document.addEventListener(type, function (e) {
      if (e.target.matches && e.target.matches('input[list="tag-suggestions"]')) suggestTags(e.target);
    });
  });

  // Keyboard shortcuts of the list, whenever the user is not typing in a field.

  function typing(el) {
    if (!el || !el.matches) return false;
    if (el.isContentEditable || el.matches("textarea, select")) return true;
    return el.matches("input") && !["checkbox", "radio", "button", "submit", "reset"].includes(el.type);
  }

  function currentTask() {
    const active = document.activeElement;
    return active && active.closest ? active.closest("#tasks li.task") : null;
  }

  function moveTask(step) {
    const items = Array.from(document.querySelectorAll("#tasks li.task:not(.is-editing)"));
    if (items.length === 0) return;
    let i = items.indexOf(currentTask());
    i = i < 0 ? (step > 0 ? 0 : items.length - 1) : Math.min(items.length - 1, Math.max(0, i + step));
    const control = items[i].querySelector('button[role="checkbox"]');
    control.focus();
    control.scrollIntoView({ block: "nearest" });
  }

  function showShortcuts() {
    const dialog = document.getElementById("shortcuts");
    if (dialog && !dialog.open) dialog.showModal();
  }

  const shortcuts = {
    "/": function () {
      const search = document.getElementById("search");
      if (!search) return false;
      search.focus();
      search.select();
    },
    n: function () {
      const title = document.getElementById("new-title");
      if (!title) return false;
      title.focus();
    },
    j: function () { moveTask(1); },
    k: function () { moveTask(-1); },
    x: function () {
      const item = currentTask();
      const box = item && item.querySelector("input.select");
      if (!box) return false;
      box.click();
    },
    e: function () {
      const item = currentTask();
      const edit = item && document.getElementById("edit-" + taskIdOf(item));
      if (!edit) return false;
      edit.click();
    },
    "?": function () {
      if (!document.getElementById("shortcuts")) return false;
      showShortcuts();
    },
  };

  document.addEventListener("keydown", function (e) {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
    if (typing(e.target) || document.querySelector("dialog[open]")) return;
    const shortcut = shortcuts[e.key];
    if (shortcut && shortcut() !== false) e.preventDefault();
  });

  document.addEventListener("click", function (e) {
    if (e.target.closest("#show-shortcuts")) showShortcuts();
  });

  // The browser's time zone: the new account's at sign-up, and a choice in Settings.

  function browserZone() {
    try {
      return Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    } catch (err) {
      return "";
    }
  }

  function offerBrowserZone() {
    const select = document.getElementById("time-zone");
    const offer = document.getElementById("browser-zone");
    const zone = browserZone();
    if (!select || !offer || !zone || select.value === zone) return;
    const button = document.getElementById("use-browser-zone");
    button.textContent = "Use your browser's time zone (" + zone + ")";
    offer.hidden = false;
    button.addEventListener("click", function () {
      if (!Array.from(select.options).some(function (o) { return o.value === zone; })) {
        select.add(new Option(zone, zone), 0);
      }
      select.value = zone;
      offer.hidden = true;
      select.focus();
    });
  }

  // The Repeat control: only the parts that the chosen preset and unit use are shown (without
  // JavaScript all are, and the server reads the ones it needs). A last date or a number of
  // times typed in chooses that end.

  function showRepeatParts(root) {
    root.querySelectorAll("[data-repeat]").forEach(function (control) {
      const preset = control.querySelector("[data-repeat-preset]").value;
      const unit = control.querySelector("[data-repeat-unit]").value;
      const fromDone = control.querySelector('input[name="repeat_from"]').checked;
      const shown = { rule: preset !== "never", custom: preset === "custom", weekly: preset === "weekly" && !fromDone };
      shown["custom-" + unit] = preset === "custom" && !fromDone;
      control.querySelectorAll("[data-repeat-show]").forEach(function (part) {
        part.hidden = !part.dataset.repeatShow.split(" ").some(function (name) { return shown[name]; });
      });
    });
  }

  document.addEventListener("change", function (e) {
    const control = e.target.closest && e.target.closest("[data-repeat]");
    if (control) showRepeatParts(control.parentNode);
  });

  document.addEventListener("input", function (e) {
    const end = e.target.dataset && e.target.dataset.repeatEnd;
    const control = end && e.target.closest("[data-repeat]");
    if (control) control.querySelector('input[name="repeat_end"][value="' + end + '"]').checked = true;
  });

  // Reminders. The form that adds one shows the fields of the kind chosen (all of them
  // without JavaScript).

  function showReminderParts(root) {
    root.querySelectorAll("[data-reminder-add]").forEach(function (form) {
      const kind = form.querySelector("[data-reminder-kind]").value;
      form.querySelectorAll("[data-reminder-show]").forEach(function (part) {
        part.hidden = part.dataset.reminderShow !== kind;
      });
    });
  }

  document.addEventListener("change", function (e) {
    if (e.target.matches && e.target.matches("[data-reminder-kind]")) showReminderParts(e.target.form.parentNode);
  });

  // The notices of reminders that fire while the page is open: htmx asks for them, and the
  // last one seen is kept for the user's next page, so that a page loaded later does not show
  // them again. Dismiss takes one away.

  function noticesKey() {
    const notices = document.getElementById("notices");
    return notices ? "todo-notices-since-" + notices.dataset.user : null;
  }

  function storedSince() {
    try {
      return noticesKey() ? localStorage.getItem(noticesKey()) : null;
    } catch (err) {
      return null; // storage off: each page finds the last one itself
    }
  }

  document.addEventListener("htmx:configRequest", function (e) {
    if (e.detail.elt.id !== "notice-poll" || /[?&]since=/.test(e.detail.path)) return;
    const since = storedSince();
    if (since) e.detail.parameters.since = since;
  });

  function keepSince(root) {
    const poll = root.querySelector ? root.querySelector("#notice-poll[data-since]") : null;
    if (!poll || !noticesKey()) return;
    const since = Number(poll.dataset.since);
    try {
      if (since > Number(storedSince() || 0)) localStorage.setItem(noticesKey(), String(since));
    } catch (err) {
      // storage off: nothing to keep
    }
  }

  document.addEventListener("click", function (e) {
    const dismiss = e.target.closest("[data-dismiss]");
    if (!dismiss) return;
    const card = dismiss.closest("li");
    const next = card.nextElementSibling || card.previousElementSibling;
    card.remove();
    const target = next ? next.querySelector("button") : document.getElementById("main");
    if (target) target.focus();
  });

  // Notifications in this browser: the permission, the service worker, and a push
  // subscription made with the server's key, which the server keeps (/settings/push).

  function keyBytes(key) {
    const b64 = (key + "=".repeat((4 - key.length % 4) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    return Uint8Array.from(atob(b64), function (c) { return c.charCodeAt(0); });
  }

  function postForm(url, fields) {
    return fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields),
      credentials: "same-origin",
    }).then(function (res) {
      if (!res.ok) throw new Error("the server answered " + res.status);
    });
  }

  function setUpPush() {
    const box = document.querySelector("[data-push]");
    if (!box || !box.dataset.key) return;
    const status = document.getElementById("push-status");
    const on = document.getElementById("push-on");
    const off = document.getElementById("push-off");
    const say = function (text) { status.textContent = text; };
    if (!window.isSecureContext) {
      say("Notifications need a secure connection: open the app over HTTPS.");
      return;
    }
    if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
      say("This browser cannot show the app's notifications.");
      return;
    }
    const show = function (subscribed) {
      on.hidden = subscribed;
      off.hidden = !subscribed;
      if (subscribed) {
        say("Notifications are on in this browser.");
      } else if (Notification.permission === "denied") {
        say("Notifications are blocked for this site: allow them in the browser's site settings, then turn them on here.");
      } else {
        say("Notifications are off in this browser.");
      }
    };
    const subscription = function () {
      return navigator.serviceWorker.getRegistration("/").then(function (reg) {
        return reg ? reg.pushManager.getSubscription() : null;
      });
    };
    subscription().then(function (sub) { show(!!sub); }, function () { show(false); });

    on.addEventListener("click", function () {
      on.disabled = true;
      Notification.requestPermission().then(function (permission) {
        if (permission !== "granted") throw new Error("notifications not allowed");
        return navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(function () { return navigator.serviceWorker.ready; });
      }).then(function (reg) {
        return reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(box.dataset.key) });
      }).then(function (sub) {
        const json = sub.toJSON();
        return postForm("/settings/push", { endpoint: json.endpoint, p256dh: json.keys.p256dh, auth: json.keys.auth }).catch(function (err) {
          return sub.unsubscribe().then(function () { throw err; });
        });
      }).then(function () {
        show(true);
        off.focus();
      }, function () {
        show(false);
        if (Notification.permission !== "denied") say("Notifications could not be turned on in this browser. Try again in a moment.");
      }).finally(function () {
        on.disabled = false;
      });
    });

    off.addEventListener("click", function () {
      off.disabled = true;
      subscription().then(function (sub) {
        if (!sub) return null;
        return postForm("/settings/push/delete", { endpoint: sub.endpoint }).then(function () { return sub.unsubscribe(); });
      }).then(function () {
        show(false);
        on.focus();
      }, function () {
        say("Notifications could not be turned off. Try again in a moment.");
      }).finally(function () {
        off.disabled = false;
      });
    });
  }

  // Copy buttons (the calendar feed's URL): the clipboard where the browser allows it, else
  // the text selected, for the reader to copy.

  function announce(message) {
    const announcer = document.getElementById("announcer");
    if (announcer) announcer.textContent = message;
  }

  document.addEventListener("click", function (e) {
    const button = e.target.closest("[data-copy]");
    if (!button) return;
    const field = document.getElementById(button.dataset.copy);
    const copied = function () {
      button.textContent = "Copied";
      announce("Copied the URL.");
    };
    field.focus();
    field.select();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(copied, function () {
        announce("The URL is selected: copy it with your keyboard or menu.");
      });
    } else if (document.execCommand("copy")) {
      copied();
    }
  });

  document.addEventListener("htmx:load", function (e) {
    showRepeatParts(e.detail.elt.parentNode || document);
    showReminderParts(e.detail.elt.parentNode || document);
    keepSince(e.detail.elt.parentNode || document);
    localizeTimes(e.detail.elt);
    showSelection();
    const button = document.getElementById("show-shortcuts");
    if (button) button.hidden = false;
  });

  document.addEventListener("DOMContentLoaded", function () {
    showRepeatParts(document);
    showReminderParts(document);
    setUpPush();
    document.querySelectorAll("[data-copy]").forEach(function (button) { button.hidden = false; });
    localizeTimes(document);
    showSelection();
    offerBrowserZone();
    const signupZone = document.getElementById("signup-time-zone");
    if (signupZone) signupZone.value = browserZone();
    const shortcutsButton = document.getElementById("show-shortcuts");
    if (shortcutsButton) shortcutsButton.hidden = false;
    // Ready to type the next task, unless the page was opened at a task or puts the focus
    // somewhere itself.
    const title = document.getElementById("new-title");
    if (title && !location.hash && !document.querySelector("[autofocus]") && document.activeElement === document.body) {
      title.focus({ preventScroll: true });
    }
  });
})();
