"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { authClient } from "../lib/auth-client";

// Better Auth's error codes, in words for people.
function describe(error) {
  switch (error.code) {
    case "USER_ALREADY_EXISTS":
    case "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL":
      return "An account with this email already exists. Sign in instead.";
    case "INVALID_EMAIL_OR_PASSWORD":
      return "The email or the password is wrong.";
    case "PASSWORD_TOO_SHORT":
      return "The password must have at least 8 characters.";
    case "PASSWORD_TOO_LONG":
      return "The password must have at most 128 characters.";
    case "INVALID_EMAIL":
      return "That is not a valid email address.";
  }
  if (error.status === 429) return "Too many attempts. Please wait a few seconds and try again.";
  return error.message || "Something went wrong. Please try again.";
}

export default function AuthForm({ mode }) {
  const signUp = mode === "sign-up";
  const router = useRouter();
  const [error, setError] = useState("");
  const [pending, setPending] = useState(false);

  async function submit(event) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const email = String(form.get("email") || "").trim();
    const password = String(form.get("password") || "");
    setPending(true);
    setError("");
    let result;
    try {
      result = signUp
        ? await authClient.signUp.email({ name: String(form.get("name") || "").trim(), email, password })
        : await authClient.signIn.email({ email, password });
    } catch {
      result = { error: { message: "The server cannot be reached. Check your connection and try again." } };
    }
    if (result.error) {
      setError(describe(result.error));
      setPending(false);
      return;
    }
    router.replace("/");
    router.refresh();
  }

  return (
    <form className="auth-form" onSubmit={submit} aria-describedby={error ? "auth-error" : undefined}>
      {signUp && (
        <p className="field">
          <label htmlFor="name">Name</label>
          <input id="name" name="name" autoComplete="name" required maxLength={100} />
        </p>
      )}
      <p className="field">
        <label htmlFor="email">Email</label>
        <input id="email" name="email" type="email" autoComplete="email" required />
      </p>
      <p className="field">
        <label htmlFor="password">Password</label>
        <input
          id="password"
          name="password"
          type="password"
          autoComplete={signUp ? "new-password" : "current-password"}
          required
          minLength={signUp ? 8 : undefined}
          maxLength={128}
          aria-describedby={signUp ? "password-hint" : undefined}
        />
        {signUp && (
          <small id="password-hint" className="hint">
            At least 8 characters.
          </small>
        )}
      </p>
      <p id="auth-error" className="error" role="alert">
        {error}
      </p>
      <button type="submit" className="primary" disabled={pending}>
        {signUp ? "Sign up" : "Sign in"}
      </button>
      <p className="switch">
        {signUp ? (
          <>
            Already have an account? <Link href="/sign-in">Sign in</Link>
          </>
        ) : (
          <>
            New here? <Link href="/sign-up">Create an account</Link>
          </>
        )}
      </p>
    </form>
  );
}
