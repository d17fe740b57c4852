"use client";

import { useRouter } from "next/navigation";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { createTaskAPI, SignedOutError } from "../lib/task-api";

const pageSize = 100;

// TaskList is the signed-in user's tasks, from the Go task API at apiURL: list, add, complete,
// rename and delete. The section is aria-busy while a request is in flight.
export default function TaskList({ apiURL }) {
  const router = useRouter();
  const api = useMemo(() => createTaskAPI(apiURL), [apiURL]);
  const [tasks, setTasks] = useState(null); // null until the first page arrives
  const [total, setTotal] = useState(0);
  const [inFlight, setInFlight] = useState(0);
  const [error, setError] = useState("");
  const [status, setStatus] = useState("");
  const [editing, setEditing] = useState(null);
  const titleInput = useRef(null);

  // run does one request; done gets its answer. Errors are shown; no session means sign in.
  const run = useCallback(
    async (request, done) => {
      setInFlight((n) => n + 1);
      setError("");
      try {
        done(await request());
      } catch (err) {
        if (err instanceof SignedOutError) {
          router.replace("/sign-in");
          router.refresh();
          return;
        }
        setError(err.message);
      } finally {
        setInFlight((n) => n - 1);
      }
    },
    [router],
  );

  useEffect(() => {
    run(
      () => api.list(pageSize),
      (page) => {
        setTasks(page.tasks);
        setTotal(page.total);
      },
    );
  }, [api, run]);

  const replace = (updated) => setTasks((list) => list.map((t) => (t.id === updated.id ? updated : t)));

  function add(event) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const title = String(data.get("title") || "").trim();
    const description = String(data.get("description") || "").trim();
    if (!title) {
      setError("A task needs a title.");
      titleInput.current?.focus();
      return;
    }
    run(
      () => api.create({ title, description }),
      (task) => {
        setTasks((list) => [task, ...list]);
        setTotal((n) => n + 1);
        form.reset();
        setStatus(`Added “${task.title}”.`);
        titleInput.current?.focus();
      },
    );
  }

  function toggle(task) {
    run(
      () => api.toggle(task.id),
      (updated) => {
        replace(updated);
        setStatus(`“${updated.title}” marked ${updated.completed ? "complete" : "not complete"}.`);
      },
    );
  }

  function rename(task, title) {
    title = title.trim();
    if (!title) {
      setError("A task needs a title.");
      return;
    }
    if (title === task.title) {
      setEditing(null);
      return;
    }
    run(
      () => api.update(task.id, { title }),
      (updated) => {
        replace(updated);
        setEditing(null);
        setStatus(`Renamed to “${updated.title}”.`);
      },
    );
  }

  function remove(task) {
    run(
      () => api.remove(task.id),
      () => {
        setTasks((list) => list.filter((t) => t.id !== task.id));
        setTotal((n) => n - 1);
        setStatus(`Deleted “${task.title}”.`);
        titleInput.current?.focus();
      },
    );
  }

  const completed = tasks ? tasks.filter((t) => t.completed).length : 0;
  return (
    <section className="tasks" aria-labelledby="tasks-heading" aria-busy={tasks === null || inFlight > 0}>
      <form className="new-task" onSubmit={add} aria-label="Add a task">
        <p className="field">
          <label htmlFor="new-title">Title</label>
          <input id="new-title" name="title" ref={titleInput} required maxLength={200} autoComplete="off" />
        </p>
        <p className="field">
          <label htmlFor="new-description">Description</label>
          <input id="new-description" name="description" maxLength={1000} autoComplete="off" />
        </p>
        <button type="submit" className="primary">
          Add task
        </button>
      </form>

      <p className="error" role="alert">
        {error}
      </p>
      <p className="visually-hidden" role="status">
        {status}
      </p>

      <h2 id="tasks-heading">Tasks</h2>
      {tasks === null ? (
        <p className="empty">Loading…</p>
      ) : tasks.length === 0 ? (
        <p className="empty">No tasks yet. Add one above.</p>
      ) : (
        <ul id="tasks" className="task-list">
          {tasks.map((task) =>
            editing === task.id ? (
              <EditRow key={task.id} task={task} onSave={rename} onCancel={() => setEditing(null)} />
            ) : (
              <TaskRow
                key={task.id}
                task={task}
                onToggle={() => toggle(task)}
                onEdit={() => setEditing(task.id)}
                onDelete={() => remove(task)}
              />
            ),
          )}
        </ul>
      )}
      {tasks !== null && (
        <p className="count">
          {total} {total === 1 ? "task" : "tasks"}, {completed} completed
          {total > tasks.length && ` (showing the newest ${tasks.length})`}
        </p>
      )}
    </section>
  );
}

function TaskRow({ task, onToggle, onEdit, onDelete }) {
  const checkbox = `done-${task.id}`;
  return (
    <li className={task.completed ? "task done" : "task"}>
      <input type="checkbox" id={checkbox} checked={task.completed} onChange={onToggle} />
      <div className="task-text">
        <label htmlFor={checkbox} className="task-title">
          {task.title}
        </label>
        {task.description && <p className="task-description">{task.description}</p>}
      </div>
      <button type="button" id={`edit-${task.id}`} onClick={onEdit} aria-label={`Edit “${task.title}”`}>
        Edit
      </button>
      <button type="button" className="danger" onClick={onDelete} aria-label={`Delete “${task.title}”`}>
        Delete
      </button>
    </li>
  );
}

// EditRow renames a task in place: Enter (or Save) saves, Escape (or Cancel) gives up, and the
// focus goes back to the task's Edit button.
function EditRow({ task, onSave, onCancel }) {
  const input = useRef(null);
  useEffect(() => {
    input.current?.focus();
    input.current?.select();
    return () => {
      // After the row is swapped back, focus its Edit button again.
      requestAnimationFrame(() => document.getElementById(`edit-${task.id}`)?.focus());
    };
  }, [task.id]);
  const field = `title-${task.id}`;
  return (
    <li className="task editing">
      <form
        className="edit-task"
        onSubmit={(event) => {
          event.preventDefault();
          onSave(task, input.current.value);
        }}
        onKeyDown={(event) => {
          if (event.key === "Escape") {
            event.preventDefault();
            onCancel();
          }
        }}
      >
        <label htmlFor={field} className="visually-hidden">
          {`New title for “${task.title}”`}
        </label>
        <input id={field} ref={input} defaultValue={task.title} required maxLength={200} autoComplete="off" />
        <button type="submit" className="primary">
          Save
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </form>
    </li>
  );
}
