// Todo's service worker: it shows the reminders that Web Push brings (internal/remind's
// payload), opens the task when the notification is clicked, and snoozes the reminder from
// the notification's buttons with the payload's snooze token, since a worker has no session.
"use strict";

const snoozeTitles = { "10m": "Snooze 10 minutes", "1h": "Snooze 1 hour", tomorrow: "Snooze until tomorrow" };

self.addEventListener("install", function () {
  self.skipWaiting();
});

// The pages open now come under this worker at once, so that a click can take one of them
// to the task rather than open another window.
self.addEventListener("activate", function (event) {
  event.waitUntil(self.clients.claim());
});

self.addEventListener("push", function (event) {
  let data = null;
  try {
    data = event.data ? event.data.json() : null;
  } catch (err) {
    data = null;
  }
  if (!data || data.type !== "reminder") return;
  event.waitUntil(showReminder(data));
});

self.addEventListener("notificationclick", function (event) {
  event.waitUntil(onNotificationClick(event.notification, event.action));
});

// showReminder shows a reminder, with as many snooze buttons as the platform shows (two in
// Chrome); one notification per reminder, a new one replacing the last.
function showReminder(data) {
  const max = self.Notification && Notification.maxActions ? Notification.maxActions : 2;
  const actions = (data.snooze && data.snooze.options ? data.snooze.options : [])
    .filter(function (o) { return snoozeTitles[o]; })
    .slice(0, max)
    .map(function (o) { return { action: o, title: snoozeTitles[o] }; });
  return self.registration.showNotification(data.title, {
    body: data.body,
    tag: "reminder-" + data.reminder_id,
    renotify: true,
    icon: "/static/favicon.svg",
    data: data,
    actions: actions,
  });
}

// onNotificationClick snoozes the reminder when a snooze button was clicked, and otherwise
// opens the task.
function onNotificationClick(notification, action) {
  const data = notification.data || {};
  notification.close();
  if (action && data.snooze && data.snooze.options.indexOf(action) >= 0) {
    return snooze(data, action);
  }
  return openTask(data.url || "/");
}

function snooze(data, choice) {
  return fetch(data.snooze.url, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ for: choice, token: data.snooze.token }),
    credentials: "omit",
  }).then(function (res) {
    if (!res.ok) {
      // The token expired (12 hours) or the reminder is gone: the app can still snooze it.
      return openTask(data.url || "/");
    }
  });
}

// openTask takes an open page of the app to the task, or opens one.
function openTask(url) {
  return self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (windows) {
    const open = windows.find(function (w) { return new URL(w.url).origin === self.location.origin; });
    if (!open || !open.navigate) return self.clients.openWindow(url);
    return open.navigate(url).then(function (page) {
      return (page || open).focus();
    }, function () {
      return self.clients.openWindow(url);
    });
  });
}
