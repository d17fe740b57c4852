"use client";

// The browser's side of Better Auth. With no baseURL it talks to this app's own origin
// (/api/auth/*); the jwt plugin's client adds authClient.token() (GET /api/auth/token).

import { createAuthClient } from "better-auth/react";
import { jwtClient } from "better-auth/client/plugins";

export const authClient = createAuthClient({ plugins: [jwtClient()] });
