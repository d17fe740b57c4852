import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { currentSession } from "../lib/auth";
import { taskAPIURL } from "../lib/config";
import SignOutButton from "../components/SignOutButton";
import TaskList from "../components/TaskList";

export const metadata = { title: "Your tasks · Todo" };

export default async function TasksPage() {
  const session = await currentSession(await headers());
  if (!session) redirect("/sign-in");
  return (
    <main id="main">
      <div className="page-head">
        <h1>Your tasks</h1>
        <div className="account">
          <span>
            Signed in as <strong>{session.user.email}</strong>
          </span>
          <SignOutButton />
        </div>
      </div>
      <TaskList apiURL={taskAPIURL()} />
    </main>
  );
}
